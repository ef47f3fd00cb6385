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

export function createAgentActivities({
  sandbox,
  calibration,
}: Pick<ActivityDeps, 'sandbox' | 'calibration'>) {
  return {
    /** One fusion micro-agent over the whole field, inside the sandbox the race asked for. */
    async runFusionAgent(task: AgentTask): Promise<AgentRun> {
      const { strategy, input, sandbox: kind, calibrationVersion } = AgentTaskSchema.parse(task);
      const ctx = Context.current();
      const runner = sandbox(
        kind,
        calibrationVersion ? await calibration.get(calibrationVersion) : await calibration.current(),
      );
      const t0 = performance.now();
      // No heartbeat up front: a sub-millisecond agent would pay a server round trip for nothing. Anything
      // slower heartbeats every second, well inside the 10 s heartbeat timeout.
      // A local activity has no heartbeat (its start-to-close timeout bounds it): beating would only log warnings.
      const heartbeat = ctx.info.isLocal ? () => {} : () => ctx.heartbeat();
      const beat = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
      let result;
      try {
        result = await runner.run({ strategy, input }, { signal: ctx.cancellationSignal, heartbeat });
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
      const checked = AgentOutputSchema.safeParse(result.output);
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
