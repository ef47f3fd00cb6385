import { Context } from '@temporalio/activity';
import { DEFAULT_POLICY, policyByName } from '../book/policies.js';
import { placeRaceBetsIn } from '../db/book.js';
import { inTransaction } from '../db/pool.js';
import { writeResult } from '../db/runs.js';
import type { AgentInput } from '../schemas/agent.js';
import type { AgentRun } from '../schemas/agent-run.js';
import { RaceResultSchema, type AgentFailure, type RaceResult } from '../schemas/result.js';
import type { ActivityDeps } from './ports.js';

export function createPersistActivities({ db, bookPolicy }: Pick<ActivityDeps, 'db' | 'bookPolicy'>) {
  const policy = bookPolicy ?? policyByName(DEFAULT_POLICY);
  return {
    /**
     * The result, its runner and agent rows and the paper book's bets on it in one transaction keyed by
     * run id: retried with backoff while the database is away, never duplicated, and a prediction is
     * never stored without the bets its policy takes on it (or the other way round).
     */
    async persistRace(
      result: RaceResult,
      agentRuns: AgentRun[],
      failures: AgentFailure[],
      input?: AgentInput,
    ): Promise<void> {
      const parsed = RaceResultSchema.parse(result);
      const placement = await inTransaction(db, async (c) => {
        await writeResult(c, parsed, { runs: agentRuns, failures }, input);
        return placeRaceBetsIn(c, parsed, policy);
      });
      Context.current().log.info('paper bets', { raceId: parsed.raceId, policy: policy.name, ...placement });
    },
  };
}
