import { markRunFailed, recordRun } from '../db/runs.js';
import type { ResolvedRun } from '../schemas/activity-placement.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import type { RaceOptions } from '../schemas/workflow-input.js';
import type { ActivityDeps, Histories } from './ports.js';
import { currentRunKey } from './run-key.js';

/**
 * `prefetch` starts the race's history read (the loader quant and qual share) while the run is being
 * recorded: the read overlaps the insert and the hop to the analyses instead of following them.
 */
export function createRecordActivities(
  {
    db,
    calibration,
    defaultSandbox,
    llmAnalyst,
  }: Pick<ActivityDeps, 'db' | 'calibration' | 'defaultSandbox' | 'llmAnalyst'>,
  prefetch?: (card: RaceCard) => Promise<Histories>,
) {
  return {
    /**
     * Records the run and pins the calibration version the whole race will use, so a promotion
     * mid-race cannot give its agents and its synthesis different artefacts. Also says what this
     * worker makes of the run's 'default' sandbox and 'auto' analyst, so the workflow can place each
     * stage (schemas/activity-placement.ts); a 'default' this worker cannot name counts as E2B (remote).
     */
    async recordRun(
      card: RaceCard,
      options: Pick<RaceOptions, 'sandbox' | 'qual'>,
    ): Promise<{ calibrationVersion: string; resolved: ResolvedRun }> {
      const parsed = RaceCardSchema.parse(card);
      // Not awaited: a failed read is forgotten by the loader and the analyses read again (and report it).
      prefetch?.(parsed).catch(() => undefined);
      await recordRun(db, currentRunKey(), parsed, options);
      const sandbox = options.sandbox === 'default' ? (defaultSandbox ?? 'e2b') : options.sandbox;
      const qual =
        options.qual === 'evidence' || (options.qual === 'auto' && !llmAnalyst) ? 'evidence' : 'llm';
      return { calibrationVersion: (await calibration.current()).version, resolved: { sandbox, qual } };
    },
    async markRunFailed(errorType: string, message: string): Promise<void> {
      await markRunFailed(db, currentRunKey().runId, errorType, message);
    },
  };
}
