import { ApplicationFailure, Context } from '@temporalio/activity';
import { AgentOutputSchema } from '../schemas/agent.js';
import { AgentTaskSchema, type AgentRun, type AgentTask } from '../schemas/agent-run.js';
import { ERROR_TYPES } from '../schemas/constants.js';
import { SandboxCrashed, SandboxPolicyViolation, SandboxTimeout } from '../sandboxes/runner.js';
import type { ActivityDeps } from './ports.js';

const HEARTBEAT_EVERY_MS = 1_000;

/** Test-only faults, applied before the sandbox runs. */
function injectFaults(faults: ActivityDeps['faults'], strategy: string, attempt: number): void {
  if (!faults) return;
  if (faults.alwaysFail?.includes(strategy)) throw ApplicationFailure.retryable(`injected permanent fault in ${strategy}`, 'InjectedFault');
  const f = faults.failAttempts;
  if (f && (f.strategies === 'all' || f.strategies.includes(strategy)) && f.attempts.includes(attempt)) {
    throw ApplicationFailure.retryable(`injected transient fault in ${strategy} (attempt ${attempt})`, 'InjectedFault');
  }
}

export function createAgentActivities({ sandbox, faults }: Pick<ActivityDeps, 'sandbox' | 'faults'>) {
  return {
    /** One fusion micro-agent over the whole field, inside the sandbox the race asked for. */
    async runFusionAgent(task: AgentTask): Promise<AgentRun> {
      const { strategy, input, sandbox: kind } = AgentTaskSchema.parse(task);
      const ctx = Context.current();
      injectFaults(faults, strategy, ctx.info.attempt);
      const runner = sandbox(kind);
      const t0 = performance.now();
      ctx.heartbeat();
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      let result;
      try {
        result = await runner.run({ strategy, input }, { signal: ctx.cancellationSignal, heartbeat: () => ctx.heartbeat() });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof SandboxPolicyViolation) throw ApplicationFailure.nonRetryable(message, ERROR_TYPES.sandboxPolicyViolation);
        if (err instanceof SandboxTimeout || err instanceof SandboxCrashed) throw ApplicationFailure.retryable(message, err.name);
        throw err;
      } finally {
        clearInterval(beat);
      }
      const output = faults?.malformed?.includes(strategy) ? { ...result.output, runners: 'not-a-list' } : result.output;
      const checked = AgentOutputSchema.safeParse(output);
      if (!checked.success) {
        // The same code on the same input gives the same bad output: count it as a failed agent.
        throw ApplicationFailure.nonRetryable(`${strategy} returned output that breaks the schema: ${checked.error.message.slice(0, 300)}`, ERROR_TYPES.invalidAgentOutput);
      }
      return { output: checked.data, sandboxKind: runner.kind, bundleHash: result.bundleHash, durationMs: performance.now() - t0 };
    },
  };
}
