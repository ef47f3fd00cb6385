import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CalibrationArtefacts } from '../agents/artefacts.js';
import type { AgentOutput } from '../schemas/agent.js';
import type { AgentBundle } from './bundle.js';
import { isolatedNodeCommand, type NetworkIsolation } from './netns.js';
import { POLICY_ERROR_TYPE, RemoteAgentError, ReplyLineSchema } from './protocol.js';
import {
  SandboxCrashed,
  SandboxPolicyViolation,
  SandboxTimeout,
  type AgentJob,
  type RunContext,
  type SandboxResult,
  type SandboxRunner,
} from './runner.js';

export interface ProcessRunnerOptions {
  bundle: AgentBundle;
  artefacts: CalibrationArtefacts | null;
  /** Warm child processes kept ready; jobs queue when all are busy. */
  poolSize?: number;
  /** V8 old-space cap per child (--max-old-space-size). */
  memoryMb?: number;
  /** Wall-clock limit per job; past it the child is SIGKILLed and replaced. */
  timeoutMs?: number;
  /** How often ctx.heartbeat is called while a job waits or runs. */
  heartbeatMs?: number;
}

const STDERR_TAIL = 2_000;
const MAX_START_FAILURES = 3;

/**
 * The child's command line. Node 20's permission model: read access to the bundle file only; no
 * write, child processes, workers or native addons (none of the --allow-* flags for them). The
 * network is locked inside the bundle (sandboxes/lockdown.ts), since the model does not cover it,
 * and, where Linux allows it, cut below that by an empty network namespace (sandboxes/netns.ts).
 */
export function childArgs(bundlePath: string, memoryMb: number): string[] {
  return [
    '--experimental-permission',
    `--allow-fs-read=${bundlePath}`,
    `--max-old-space-size=${memoryMb}`,
    '--disable-warning=ExperimentalWarning',
    bundlePath,
  ];
}

/** No secrets, no proxy settings, no PATH, no NODE_OPTIONS: only what makes the output locale-independent. */
export const CHILD_ENV: Readonly<Record<string, string>> = Object.freeze({ LANG: 'C', TZ: 'UTC' });

interface Pending {
  id: number;
  resolve: (output: AgentOutput) => void;
  reject: (err: Error) => void;
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  ready: boolean;
  jobsServed: number;
  stderr: string;
  pending: Pending | null;
  /** Why the parent killed it, so the exit is mapped to the right error. */
  killedFor: Error | null;
}

interface Waiter {
  take: (w: Worker) => void;
  fail: (err: Error) => void;
}

/** SandboxResult plus which warm process served the job (observable pool reuse). */
export interface ProcessSandboxResult extends SandboxResult {
  pid: number;
  jobsServed: number;
}

export interface ProcessRunner extends SandboxRunner {
  run(job: AgentJob, ctx: RunContext): Promise<ProcessSandboxResult>;
  /** Whether children run in their own network namespace or rely on the JavaScript lock alone. */
  readonly isolation: NetworkIsolation;
}

function exitError(w: Worker, code: number | null, signal: NodeJS.Signals | null): Error {
  const tail = w.stderr.trim().slice(-500);
  if (/ERR_ACCESS_DENIED|ERR_SANDBOX_NETWORK_BLOCKED/.test(w.stderr) || code === 3) {
    return new SandboxPolicyViolation(`agent process ${w.pid} broke a sandbox rule: ${tail}`);
  }
  if (/heap limit|out of memory|Allocation failed/i.test(w.stderr)) {
    return new SandboxCrashed(`agent process ${w.pid} ran out of memory: ${tail.slice(-200)}`);
  }
  return new SandboxCrashed(
    `agent process ${w.pid} exited (code ${code}, signal ${signal})${tail ? `: ${tail}` : ''}`,
  );
}

/**
 * A warm pool of isolated Node processes running the agent bundle, one job at a time each.
 * Artefacts go to each child once, as its first stdin line; each job is one line in, one line out.
 */
export function createProcessRunner(opts: ProcessRunnerOptions): ProcessRunner {
  const { bundle, artefacts } = opts;
  const poolSize = Math.max(1, opts.poolSize ?? 2);
  const memoryMb = opts.memoryMb ?? 128;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const heartbeatMs = opts.heartbeatMs ?? 1_000;
  const initLine = `${JSON.stringify({ artefacts })}\n`;
  const workers = new Set<Worker>();
  const idle: Worker[] = [];
  const waiters: Waiter[] = [];
  let nextId = 1;
  let closed = false;
  /** Set after repeated start-up failures (e.g. a broken bundle), so the pool stops respawning. */
  let broken: Error | null = null;
  let startFailures = 0;

  function dispatch(w: Worker): void {
    const waiter = waiters.shift();
    if (waiter) waiter.take(w);
    else idle.push(w);
  }

  const command = isolatedNodeCommand(childArgs(bundle.path, memoryMb));

  function spawnWorker(): void {
    const child = spawn(command.command, command.args, {
      env: { ...CHILD_ENV },
      stdio: 'pipe',
    });
    const w: Worker = {
      child,
      pid: child.pid ?? -1,
      ready: false,
      jobsServed: 0,
      stderr: '',
      pending: null,
      killedFor: null,
    };
    workers.add(w);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      w.stderr = (w.stderr + chunk).slice(-STDERR_TAIL);
    });
    child.stdin.on('error', () => {});
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (text) => {
      const parsed = ReplyLineSchema.safeParse(safeJson(text));
      if (!parsed.success) {
        w.killedFor = new SandboxCrashed(
          `agent process ${w.pid} wrote an invalid line: ${text.slice(0, 200)}`,
        );
        child.kill('SIGKILL');
        return;
      }
      const line = parsed.data;
      if ('ready' in line) {
        w.ready = true;
        startFailures = 0;
        if (!closed) dispatch(w);
        return;
      }
      const p = w.pending;
      if (!p || p.id !== line.id) return;
      w.pending = null;
      w.jobsServed += 1;
      if ('error' in line && line.error.type === POLICY_ERROR_TYPE) {
        // A process that attempted a forbidden call is not trusted with another job: recycle it.
        p.reject(new SandboxPolicyViolation(line.error.message));
        child.kill('SIGKILL');
        return;
      }
      if ('error' in line) p.reject(new RemoteAgentError(line.error.type, line.error.message));
      else p.resolve(line.output as AgentOutput);
      if (!closed) dispatch(w);
    });
    child.on('exit', (code, signal) => {
      workers.delete(w);
      const at = idle.indexOf(w);
      if (at >= 0) idle.splice(at, 1);
      const err = w.killedFor ?? exitError(w, code, signal);
      if (w.pending) w.pending.reject(err);
      w.pending = null;
      if (!w.ready && !closed && ++startFailures >= MAX_START_FAILURES) {
        broken = new SandboxCrashed(`agent processes keep failing to start: ${err.message}`);
        for (const waiter of waiters.splice(0)) waiter.fail(broken);
      }
      if (!closed && !broken) spawnWorker();
    });
    child.on('error', (err) => {
      w.killedFor = new SandboxCrashed(`agent process could not run: ${err.message}`);
    });
    child.stdin.write(initLine);
  }

  for (let i = 0; i < poolSize; i++) spawnWorker();

  function acquire(signal: AbortSignal): Promise<Worker> {
    const ready = idle.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise<Worker>((resolve, reject) => {
      const waiter: Waiter = {
        take: (w) => {
          signal.removeEventListener('abort', onAbort);
          resolve(w);
        },
        fail: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
    });
  }

  async function run(job: AgentJob, ctx: RunContext): Promise<ProcessSandboxResult> {
    if (closed) throw new SandboxCrashed('process runner is closed');
    if (broken) throw broken;
    ctx.signal.throwIfAborted();
    const beat = setInterval(() => ctx.heartbeat(), heartbeatMs);
    try {
      const w = await acquire(ctx.signal);
      const id = nextId++;
      const output = await new Promise<AgentOutput>((resolve, reject) => {
        const kill = (why: Error) => {
          if (w.pending?.id !== id) return;
          w.killedFor = why;
          w.child.kill('SIGKILL');
        };
        const timer = setTimeout(
          () =>
            kill(new SandboxTimeout(`${job.strategy} ran past ${timeoutMs} ms in process ${w.pid}; killed`)),
          timeoutMs,
        );
        const onAbort = () => kill(abortReason(ctx.signal));
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        const settle = () => {
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', onAbort);
        };
        w.pending = {
          id,
          resolve: (o) => {
            settle();
            resolve(o);
          },
          reject: (e) => {
            settle();
            reject(e);
          },
        };
        w.child.stdin.write(`${JSON.stringify({ id, strategy: job.strategy, input: job.input })}\n`);
      });
      return { output, bundleHash: bundle.hash, pid: w.pid, jobsServed: w.jobsServed };
    } finally {
      clearInterval(beat);
    }
  }

  return {
    kind: 'process',
    isolation: command.isolation,
    run,
    async close() {
      closed = true;
      const exits = [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            w.killedFor = new SandboxCrashed('process runner closed');
            w.child.kill('SIGKILL');
          }),
      );
      for (const waiter of waiters.splice(0)) waiter.fail(new SandboxCrashed('process runner closed'));
      idle.length = 0;
      await Promise.all(exits);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('agent run cancelled');
}
