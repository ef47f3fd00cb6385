import { createInterface } from 'node:readline';
import { lockNetwork } from './lockdown.js';
import {
  InitLineSchema,
  JobLineSchema,
  POLICY_CODES,
  POLICY_ERROR_TYPE,
  type JobLine,
  type ReplyLine,
} from './protocol.js';

/** What a bundle does with one job; the production bundle runs a fusion strategy. */
export type JobHandler = (job: JobLine, artefacts: unknown) => unknown;

function write(line: ReplyLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function describeError(err: unknown): { type: string; message: string } {
  const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
  const code = typeof e.code === 'string' ? e.code : '';
  if (POLICY_CODES.includes(code)) return { type: POLICY_ERROR_TYPE, message: `${code}: ${e.message}` };
  return { type: e.name, message: e.message };
}

/**
 * The stdio loop every agent bundle runs: lock the network, read the init line (artefacts, sent
 * once per process), then answer one JSON line per job. Jobs run one at a time, synchronously.
 * A policy error raised asynchronously (e.g. from a timer) is reported and ends the process.
 */
export function serveJobs(handle: JobHandler): void {
  lockNetwork();
  let artefacts: unknown;
  let initialised = false;
  let current: JobLine['id'] | undefined;
  process.on('uncaughtException', (err) => {
    const error = describeError(err);
    if (current !== undefined) write({ id: current, error });
    process.stderr.write(`uncaught ${error.type}: ${error.message}\n`);
    process.exit(error.type === POLICY_ERROR_TYPE ? 3 : 1);
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (text) => {
    if (!text.trim()) return;
    if (!initialised) {
      artefacts = InitLineSchema.parse(JSON.parse(text)).artefacts;
      initialised = true;
      write({ ready: true, pid: process.pid });
      return;
    }
    const job = JobLineSchema.parse(JSON.parse(text));
    current = job.id;
    try {
      write({ id: job.id, output: handle(job, artefacts) });
    } catch (err) {
      write({ id: job.id, error: describeError(err) });
    }
    current = undefined;
  });
  lines.on('close', () => process.exit(0));
}
