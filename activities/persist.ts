import { Context } from '@temporalio/activity';
import { DEFAULT_POLICY, policyByName } from '../book/policies.js';
import { placeRaceBets } from '../db/book.js';
import { persistResult } from '../db/runs.js';
import type { AgentInput } from '../schemas/agent.js';
import type { AgentRun } from '../schemas/agent-run.js';
import { RaceResultSchema, type AgentFailure, type RaceResult } from '../schemas/result.js';
import type { ActivityDeps } from './ports.js';

export function createPersistActivities({ db, bookPolicy }: Pick<ActivityDeps, 'db' | 'bookPolicy'>) {
  const policy = bookPolicy ?? policyByName(DEFAULT_POLICY);
  return {
    /**
     * One transaction keyed by run id: retried with backoff while the database is away, never duplicated.
     * Then the paper book bets on the stored prediction (keyed by run id too, so a retry adds nothing).
     */
    async persistRace(
      result: RaceResult,
      agentRuns: AgentRun[],
      failures: AgentFailure[],
      input?: AgentInput,
    ): Promise<void> {
      const parsed = RaceResultSchema.parse(result);
      await persistResult(db, parsed, { runs: agentRuns, failures }, input);
      const placement = await placeRaceBets(db, parsed, policy);
      Context.current().log.info('paper bets', { raceId: parsed.raceId, policy: policy.name, ...placement });
    },
  };
}
