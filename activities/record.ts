import { markRunFailed, recordRun } from '../db/runs.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import type { ActivityDeps } from './ports.js';
import { currentRunKey } from './run-key.js';

export function createRecordActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    async recordRun(card: RaceCard, options: object): Promise<void> {
      await recordRun(db, currentRunKey(), RaceCardSchema.parse(card), options);
    },
    async markRunFailed(errorType: string, message: string): Promise<void> {
      await markRunFailed(db, currentRunKey().runId, errorType, message);
    },
  };
}
