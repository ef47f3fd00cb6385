import { runStrategy, type CalibrationArtefacts } from '../agents/index.js';
import type { AgentJob, SandboxResult, SandboxRunner } from './runner.js';

/** Runs the agent in the worker process: fastest, for trusted code, tests and backtests. */
export function createInlineRunner(artefacts: CalibrationArtefacts | null): SandboxRunner {
  return {
    kind: 'inline',
    async run(job: AgentJob): Promise<SandboxResult> {
      return { output: runStrategy(job.strategy, job.input, artefacts) };
    },
    async close() {},
  };
}
