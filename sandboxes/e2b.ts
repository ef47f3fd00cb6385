import {
  AuthenticationError,
  CommandExitError,
  RateLimitError,
  Sandbox,
  SandboxError,
  ServiceBusyError,
  TimeoutError,
} from 'e2b';
import type { CalibrationArtefacts } from '../agents/artefacts.js';
import type { AgentOutput } from '../schemas/agent.js';
import { readBundle, type AgentBundle } from './bundle.js';
import { POLICY_ERROR_TYPE, RemoteAgentError, ReplyLineSchema } from './protocol.js';
import {
  SandboxAuthError,
  SandboxCrashed,
  SandboxPolicyViolation,
  SandboxTimeout,
  SandboxUnavailable,
  type AgentJob,
  type RunContext,
  type SandboxResult,
  type SandboxRunner,
} from './runner.js';

export interface E2bRunnerOptions {
  bundle: AgentBundle;
  artefacts: CalibrationArtefacts | null;
  /** Never logged, never put in an error message. */
  apiKey: string;
  template: string;
  /** Per-job command limit. */
  timeoutMs?: number;
  /** A race's sandbox is killed after this long without a job. */
  idleTtlMs?: number;
  /** Lifetime E2B enforces on each sandbox, a backstop if the worker dies before killing it. */
  sandboxLifetimeMs?: number;
  /** For tests against a local stub: the control-plane API and the in-sandbox (envd) API. */
  apiUrl?: string;
  sandboxUrl?: string;
  domain?: string;
  requestTimeoutMs?: number;
}

/** Where the bundle and the artefacts live inside the sandbox; the job files go next to them. */
export const E2B_WORKDIR = '/home/user/agent';
const BUNDLE_FILE = 'agent-bundle.cjs';
const INIT_FILE = 'init.jsonl';

interface RaceSandbox {
  sandbox: Promise<Sandbox>;
  inFlight: number;
  idleTimer: NodeJS.Timeout | null;
  dead: boolean;
}

/** Maps what the e2b SDK throws to the runner's error classes (see runner.ts for retryability). */
export function mapE2bError(err: unknown): Error {
  if (
    err instanceof SandboxPolicyViolation ||
    err instanceof SandboxTimeout ||
    err instanceof SandboxCrashed ||
    err instanceof SandboxAuthError
  )
    return err;
  if (err instanceof RemoteAgentError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AuthenticationError) return new SandboxAuthError(`E2B refused the API key: ${message}`);
  if (err instanceof RateLimitError) return new SandboxUnavailable(`E2B rate limit: ${message}`);
  if (err instanceof ServiceBusyError) return new SandboxUnavailable(`E2B is busy: ${message}`);
  if (err instanceof TimeoutError) return new SandboxTimeout(`E2B timeout: ${message}`);
  if (err instanceof CommandExitError)
    return new SandboxCrashed(
      `agent bundle exited with code ${err.exitCode} in E2B: ${err.stderr.slice(-500)}`,
    );
  if (err instanceof SandboxError)
    return new SandboxUnavailable(`E2B error${err.statusCode ? ` ${err.statusCode}` : ''}: ${message}`);
  // fetch failures (DNS, refused, reset) reach us as TypeError('fetch failed') or a connect error.
  return new SandboxUnavailable(`E2B unreachable: ${message}`);
}

function parseReply(stdout: string, id: string): AgentOutput {
  for (const text of stdout.split('\n')) {
    if (!text.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      continue;
    }
    const line = ReplyLineSchema.safeParse(json);
    if (!line.success || 'ready' in line.data || line.data.id !== id) continue;
    if ('output' in line.data) return line.data.output as AgentOutput;
    const { type, message } = line.data.error;
    throw type === POLICY_ERROR_TYPE
      ? new SandboxPolicyViolation(message)
      : new RemoteAgentError(type, message);
  }
  throw new SandboxCrashed(`agent bundle in E2B gave no answer for job ${id}: ${stdout.slice(-300)}`);
}

/**
 * Runs agents in E2B cloud sandboxes. One sandbox per race, shared by the race's agents while
 * they run and kept for a short idle time, then killed; a sandbox that failed a job is killed at
 * once. The bundle and artefacts are uploaded once per sandbox, each job as its own stdin file.
 */
export function createE2bRunner(opts: E2bRunnerOptions): SandboxRunner {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Billing runs while the sandbox lives: a race's agents (and their retries) come within seconds, so idle sandboxes go soon.
  const idleTtlMs = opts.idleTtlMs ?? 15_000;
  const races = new Map<string, RaceSandbox>();
  const initLine = `${JSON.stringify({ artefacts: opts.artefacts })}\n`;
  let bundleContent: Promise<Buffer> | null = null;
  let nextJob = 1;
  let closed = false;

  const connection = {
    apiKey: opts.apiKey,
    ...(opts.apiUrl && { apiUrl: opts.apiUrl }),
    ...(opts.sandboxUrl && { sandboxUrl: opts.sandboxUrl }),
    ...(opts.domain && { domain: opts.domain }),
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    // Temporal's retry policy owns retries; the SDK's own 429 retries would hide them.
    retries: 0,
  };

  /** Not tied to one job's signal: the race's other agents share this sandbox. */
  async function createSandbox(raceId: string): Promise<Sandbox> {
    bundleContent ??= readBundle(opts.bundle);
    const content = await bundleContent;
    const sandbox = await Sandbox.create(opts.template, {
      ...connection,
      timeoutMs: opts.sandboxLifetimeMs ?? 10 * 60_000,
      allowInternetAccess: false,
      metadata: { raceId, bundleHash: opts.bundle.hash },
    });
    try {
      await sandbox.files.write([
        { path: `${E2B_WORKDIR}/${BUNDLE_FILE}`, data: new Uint8Array(content).buffer },
        { path: `${E2B_WORKDIR}/${INIT_FILE}`, data: initLine },
      ]);
    } catch (err) {
      await sandbox.kill().catch(() => {});
      throw err;
    }
    return sandbox;
  }

  function kill(raceId: string, entry: RaceSandbox): Promise<void> {
    entry.dead = true;
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    if (races.get(raceId) === entry) races.delete(raceId);
    return entry.sandbox
      .then((s) => s.kill())
      .then(
        () => undefined,
        () => undefined,
      );
  }

  function lease(raceId: string): RaceSandbox {
    let entry = races.get(raceId);
    if (!entry || entry.dead) {
      const created: RaceSandbox = {
        sandbox: createSandbox(raceId),
        inFlight: 0,
        idleTimer: null,
        dead: false,
      };
      created.sandbox.catch(() => {
        created.dead = true;
        if (races.get(raceId) === created) races.delete(raceId);
      });
      races.set(raceId, created);
      entry = created;
    }
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.inFlight += 1;
    return entry;
  }

  async function release(raceId: string, entry: RaceSandbox, failed: boolean): Promise<void> {
    entry.inFlight -= 1;
    if (failed || closed) return kill(raceId, entry);
    if (entry.inFlight === 0 && !entry.dead) {
      entry.idleTimer = setTimeout(() => void kill(raceId, entry), idleTtlMs);
      entry.idleTimer.unref();
    }
  }

  return {
    kind: 'e2b',
    async run(job: AgentJob, ctx: RunContext): Promise<SandboxResult> {
      if (closed) throw new SandboxCrashed('E2B runner is closed');
      ctx.signal.throwIfAborted();
      const raceId = job.input.raceId;
      const id = `job-${process.pid}-${nextJob++}`;
      const beat = setInterval(() => ctx.heartbeat(), 1_000);
      const entry = lease(raceId);
      let failed = true;
      try {
        const sandbox = await entry.sandbox;
        ctx.heartbeat();
        const jobFile = `${id}.jsonl`;
        await sandbox.files.write(
          `${E2B_WORKDIR}/${jobFile}`,
          `${JSON.stringify({ id, strategy: job.strategy, input: job.input })}\n`,
        );
        const result = await sandbox.commands.run(
          `cat ${INIT_FILE} ${jobFile} | node ${BUNDLE_FILE}; status=$?; rm -f ${jobFile}; exit $status`,
          {
            cwd: E2B_WORKDIR,
            timeoutMs,
            signal: ctx.signal,
          },
        );
        const output = parseReply(result.stdout, id);
        failed = false;
        return { output, bundleHash: opts.bundle.hash };
      } catch (err) {
        if (ctx.signal.aborted)
          throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('agent run cancelled');
        if (err instanceof RemoteAgentError) failed = false;
        if (err instanceof CommandExitError) {
          // The bundle reports policy violations on stdout before exiting; prefer that over "crashed".
          try {
            parseReply(err.stdout, id);
          } catch (reported) {
            if (reported instanceof SandboxPolicyViolation) throw reported;
          }
        }
        throw mapE2bError(err);
      } finally {
        clearInterval(beat);
        await release(raceId, entry, failed);
      }
    },
    async close() {
      closed = true;
      await Promise.all([...races.entries()].map(([raceId, entry]) => kill(raceId, entry)));
    },
  };
}
