import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../../config/env.js';
import type { AgentFaults } from './agent-faults.js';

/** Settings a test worker must never inherit from the developer's shell. */
const SCRUBBED = [
  'OPENAI_API_KEY',
  'LLM_BASE_URL',
  'E2B_API_KEY',
  'TEST_AGENT_FAULTS',
  'SANDBOX',
  'DATABASE_URL',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CERT_PATH',
  'TEMPORAL_TLS_KEY_PATH',
  'TEMPORAL_TLS_CA_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
];

export interface WorkerProcess {
  pid: number;
  /** Everything the worker wrote to stdout and stderr so far. */
  output(): string;
  /** Peak resident memory of the worker process (VmHWM), in MiB; undefined once it has exited. */
  peakRssMiB(): number | undefined;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Graceful stop (SIGTERM: the SDK shuts the worker down), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/**
 * `cli/worker.ts` in its own Node process (no npx wrapper, so the pid is the worker's), against a
 * given stack and task queue; with faults, the test-only entry test/support/faulty-worker.ts instead.
 */
export async function spawnWorkerProcess(opts: {
  temporalAddress: string;
  databaseUrl: string;
  taskQueue: string;
  faults?: AgentFaults;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete env[key];
  Object.assign(env, {
    TEMPORAL_ADDRESS: opts.temporalAddress,
    DATABASE_URL: opts.databaseUrl,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    EMBEDDED_STACK: 'false',
    SANDBOX: 'inline',
    ...(opts.faults ? { TEST_AGENT_FAULTS: JSON.stringify(opts.faults) } : {}),
    ...opts.env,
  });
  const entry = opts.faults ? 'test/support/faulty-worker.ts' : 'cli/worker.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));

  const deadline = Date.now() + 90_000;
  while (!out.includes('worker polling')) {
    if (done) throw new Error(`worker process exited before polling:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker process did not start polling within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    output: () => out,
    peakRssMiB() {
      if (done) return undefined;
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    },
    async kill(signal) {
      if (done) return;
      child.kill(signal);
      await exited;
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
