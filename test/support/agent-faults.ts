import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import { createActivities } from '../../activities/index.js';
import type { ActivityDeps } from '../../activities/ports.js';
import type { SandboxRunner } from '../../sandboxes/runner.js';

/** Faults a test injects into the fusion agents, to prove that retries, timeouts and degraded mode work. */
export interface AgentFaults {
  /** Throw a retryable error on these attempts (1-based) for matching strategies. */
  failAttempts?: { strategies: string[] | 'all'; attempts: number[] };
  /** Always fail these strategies (to push a race below quorum). */
  alwaysFail?: string[];
  /** The sandbox returns output that breaks the schema for these strategies. */
  malformed?: string[];
  /** Every agent attempt takes this much longer (heartbeating meanwhile), so tests can act mid-flight. */
  delayMs?: number;
  /** Fail this fraction of attempts with a retryable error, chosen by `injectedFailureDecides`. */
  failRate?: { rate: number; seed?: string };
  /**
   * Hang without heartbeating on these attempts (1-based) until cancelled: nothing ends the hang by
   * itself, so only the heartbeat timeout (or the start-to-close timeout) can end the attempt.
   */
  hangAttempts?: { strategies: string[] | 'all'; attempts: number[] };
}

const Strategies = z.union([z.literal('all'), z.array(z.string())]);
const Attempts = z.array(z.number().int().min(1));

/** The faults a worker process started by a test reads from TEST_AGENT_FAULTS (test/support/faulty-worker.ts). */
export const AgentFaultsSchema = z.strictObject({
  failAttempts: z.strictObject({ strategies: Strategies, attempts: Attempts }).optional(),
  alwaysFail: z.array(z.string()).optional(),
  malformed: z.array(z.string()).optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
  failRate: z.strictObject({ rate: z.number().min(0).max(1), seed: z.string().optional() }).optional(),
  hangAttempts: z.strictObject({ strategies: Strategies, attempts: Attempts }).optional(),
}) satisfies z.ZodType<AgentFaults>;

const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Whether the failRate fault fails this attempt: FNV-1a (with a finaliser) over (seed, race, strategy, attempt) mapped to
 * [0, 1). Deterministic, so a test can predict exactly which attempts fail.
 */
export function injectedFailureDecides(
  rate: number,
  seed: string,
  raceId: string,
  strategy: string,
  attempt: number,
): boolean {
  let h = 0x811c9dc5;
  for (const ch of `${seed}|${raceId}|${strategy}|${attempt}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser: without it the last characters (the attempt) barely move the top bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32 < rate;
}

const matches = (strategies: string[] | 'all', strategy: string) =>
  strategies === 'all' || strategies.includes(strategy);

/** Applied before the real activity runs, so a hang happens before the activity starts heartbeating. */
async function injectFaults(faults: AgentFaults, strategy: string, raceId: string): Promise<void> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  if (faults.alwaysFail?.includes(strategy))
    throw ApplicationFailure.retryable(`injected permanent fault in ${strategy}`, 'InjectedFault');
  const f = faults.failAttempts;
  if (f && matches(f.strategies, strategy) && f.attempts.includes(attempt))
    throw ApplicationFailure.retryable(
      `injected transient fault in ${strategy} (attempt ${attempt})`,
      'InjectedFault',
    );
  const r = faults.failRate;
  if (r && injectedFailureDecides(r.rate, r.seed ?? '', raceId, strategy, attempt))
    throw ApplicationFailure.retryable(
      `injected random fault in ${strategy} (attempt ${attempt})`,
      'InjectedFault',
    );
  const h = faults.hangAttempts;
  // Rejects only when the worker cancels the attempt (timeout noticed, or shutdown).
  if (h && matches(h.strategies, strategy) && h.attempts.includes(attempt)) await ctx.cancelled;
  if (faults.delayMs) {
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      await ctx.sleep(faults.delayMs);
    } finally {
      clearInterval(beat);
    }
  }
}

/** Wraps a sandbox runner so the named strategies return output that breaks the agent schema. */
function malforming(runner: SandboxRunner, strategies: string[]): SandboxRunner {
  return {
    kind: runner.kind,
    close: () => runner.close(),
    async run(job, ctx) {
      const result = await runner.run(job, ctx);
      return strategies.includes(job.strategy)
        ? { ...result, output: { ...result.output, runners: 'not-a-list' } as never }
        : result;
    },
  };
}

/** The production activities with the fusion agent made faulty: how tests inject faults (Temporal's samples' way). */
export function faultyActivities(deps: ActivityDeps, faults?: AgentFaults) {
  if (!faults) return createActivities(deps);
  const malformed = faults.malformed;
  const activities = createActivities(
    malformed ? { ...deps, sandbox: (kind, cal) => malforming(deps.sandbox(kind, cal), malformed) } : deps,
  );
  const real = activities.runFusionAgent;
  return {
    ...activities,
    async runFusionAgent(task: Parameters<typeof real>[0]) {
      await injectFaults(faults, task.strategy, task.input.raceId);
      return real(task);
    },
  };
}
