import { markRunFailed, recordRun } from '../db/runs.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import type { ActivityDeps } from './ports.js';
import { currentRunKey } from './run-key.js';

export function createRecordActivities({ db, calibration }: Pick<ActivityDeps, 'db' | 'calibration'>) {
  return {
    /**
     * Records the run and pins the calibration version the whole race will use, so a promotion
     * mid-race cannot give its agents and its synthesis different artefacts.
     */
    async recordRun(card: RaceCard, options: object): Promise<{ calibrationVersion: string }> {
      await recordRun(db, currentRunKey(), RaceCardSchema.parse(card), options);
      return { calibrationVersion: (await calibration.current()).version };
    },
    async markRunFailed(errorType: string, message: string): Promise<void> {
      await markRunFailed(db, currentRunKey().runId, errorType, message);
    },
  };
}
