import { ApplicationFailure, Context } from '@temporalio/activity';
import { AgentOutputSchema } from '../schemas/agent.js';
import { AgentTaskSchema, type AgentRun, type AgentTask } from '../schemas/agent-run.js';
import { ERROR_TYPES } from '../schemas/constants.js';
import {
  SandboxAuthError,
  SandboxCrashed,
  SandboxPolicyViolation,
  SandboxTimeout,
} from '../sandboxes/runner.js';
import type { ActivityDeps } from './ports.js';

const HEARTBEAT_EVERY_MS = 1_000;

/** A hung attempt gives up after this long (inside the 30 s start-to-close): long past the 10 s heartbeat timeout. */
const HANG_MS = 25_000;

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

/** Test-only faults, applied before the sandbox runs. */
async function injectFaults(
  faults: ActivityDeps['faults'],
  strategy: string,
  raceId: string,
  ctx: Context,
): Promise<void> {
  if (!faults) return;
  const attempt = ctx.info.attempt;
  if (faults.alwaysFail?.includes(strategy))
    throw ApplicationFailure.retryable(`injected permanent fault in ${strategy}`, 'InjectedFault');
  const f = faults.failAttempts;
  if (f && matches(f.strategies, strategy) && f.attempts.includes(attempt)) {
    throw ApplicationFailure.retryable(
      `injected transient fault in ${strategy} (attempt ${attempt})`,
      'InjectedFault',
    );
  }
  const r = faults.failRate;
  if (r && injectedFailureDecides(r.rate, r.seed ?? '', raceId, strategy, attempt)) {
    throw ApplicationFailure.retryable(
      `injected random fault in ${strategy} (attempt ${attempt})`,
      'InjectedFault',
    );
  }
  const h = faults.hangAttempts;
  if (h && matches(h.strategies, strategy) && h.attempts.includes(attempt)) {
    await ctx.sleep(HANG_MS);
    throw ApplicationFailure.retryable(
      `injected hang in ${strategy} ended (attempt ${attempt})`,
      'InjectedFault',
    );
  }
  if (faults.delayMs) {
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      await ctx.sleep(faults.delayMs);
    } finally {
      clearInterval(beat);
    }
  }
}

export function createAgentActivities({
  sandbox,
  faults,
  calibration,
}: Pick<ActivityDeps, 'sandbox' | 'faults' | 'calibration'>) {
  return {
    /** One fusion micro-agent over the whole field, inside the sandbox the race asked for. */
    async runFusionAgent(task: AgentTask): Promise<AgentRun> {
      const { strategy, input, sandbox: kind, calibrationVersion } = AgentTaskSchema.parse(task);
      const ctx = Context.current();
      await injectFaults(faults, strategy, input.raceId, ctx);
      const runner = sandbox(
        kind,
        calibrationVersion ? await calibration.get(calibrationVersion) : await calibration.current(),
      );
      const t0 = performance.now();
      // No heartbeat up front: a sub-millisecond agent would pay a server round trip for nothing. Anything
      // slower heartbeats every second, well inside the 10 s heartbeat timeout.
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      let result;
      try {
        result = await runner.run(
          { strategy, input },
          { signal: ctx.cancellationSignal, heartbeat: () => ctx.heartbeat() },
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof SandboxPolicyViolation)
          throw ApplicationFailure.nonRetryable(message, ERROR_TYPES.sandboxPolicyViolation);
        // A rejected E2B key stays rejected: retrying only burns the attempt budget.
        if (err instanceof SandboxAuthError)
          throw ApplicationFailure.nonRetryable(message, ERROR_TYPES.sandboxAuth);
        if (err instanceof SandboxTimeout || err instanceof SandboxCrashed)
          throw ApplicationFailure.retryable(message, err.name);
        throw err;
      } finally {
        clearInterval(beat);
      }
      const output = faults?.malformed?.includes(strategy)
        ? { ...result.output, runners: 'not-a-list' }
        : result.output;
      const checked = AgentOutputSchema.safeParse(output);
      if (!checked.success) {
        // The same code on the same input gives the same bad output: count it as a failed agent.
        throw ApplicationFailure.nonRetryable(
          `${strategy} returned output that breaks the schema: ${checked.error.message.slice(0, 300)}`,
          ERROR_TYPES.invalidAgentOutput,
        );
      }
      return {
        output: checked.data,
        sandboxKind: runner.kind,
        bundleHash: result.bundleHash,
        durationMs: performance.now() - t0,
      };
    },
  };
}
