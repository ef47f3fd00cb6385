import { persistResult } from '../db/runs.js';
import type { AgentInput } from '../schemas/agent.js';
import type { AgentRun } from '../schemas/agent-run.js';
import { RaceResultSchema, type AgentFailure, type RaceResult } from '../schemas/result.js';
import type { ActivityDeps } from './ports.js';

export function createPersistActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** One transaction keyed by run id: retried with backoff while the database is away, never duplicated. */
    async persistRace(
      result: RaceResult,
      agentRuns: AgentRun[],
      failures: AgentFailure[],
      input?: AgentInput,
    ): Promise<void> {
      await persistResult(db, RaceResultSchema.parse(result), { runs: agentRuns, failures }, input);
    },
  };
}
