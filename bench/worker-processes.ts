import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../config/env.js';
import { freePort } from '../stack/net.js';
import { ownProcess } from '../stack/owned-process.js';

/** A `cli/worker.ts` process the bench started; `cpuSeconds` shows how the work was shared out. */
export interface BenchWorker {
  pid: number;
  cpuSeconds(): number;
  /** Activity executions (attempts) this worker ran, by activity type, from its Prometheus endpoint. */
  executions(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Clock ticks per second for /proc/<pid>/stat on Linux (USER_HZ is 100 on every mainstream kernel). */
const USER_HZ = 100;

function cpuSecondsOf(pid: number): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/**
 * Starts one long-running worker exactly as an operator would (`cli/worker.ts`, no embedded stack) against
 * the bench's server and database, on its own task queue, and waits until it polls.
 */
export async function startWorkerProcess(opts: {
  temporalAddress: string;
  databaseUrl: string;
  taskQueue: string;
}): Promise<BenchWorker> {
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
    TEMPORAL_ADDRESS: opts.temporalAddress,
    DATABASE_URL: opts.databaseUrl,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    EMBEDDED_STACK: 'false',
    SANDBOX: 'inline',
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'cli/worker.ts'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  // Owned: killed if the bench exits first, so no worker outlives it.
  const owned = ownProcess(child);
  const deadline = Date.now() + 120_000;
  while (!out.includes('worker polling')) {
    if (owned.exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bench worker process did not start polling:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    cpuSeconds: () => cpuSecondsOf(pid),
    async executions() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const counts: Record<string, number> = {};
      for (const m of text.matchAll(/^race_engine_activity_seconds_count\{activity_type="(\w+)"\} (\d+)$/gm))
        counts[m[1]!] = Number(m[2]);
      return counts;
    },
    stop: () => owned.stop(15_000),
  };
}
