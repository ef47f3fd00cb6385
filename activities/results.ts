import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  loadDayPredictions,
  loadRacePredictions,
  loadStoredCard,
  upsertDailyMetrics,
  upsertResult,
  upsertScores,
} from '../db/results.js';
import { settleRaceBets } from '../db/book.js';
import type { Settlement } from '../schemas/book.js';
import { OPS_ERROR_TYPES } from '../schemas/constants.js';
import { describeIssues } from '../schemas/workflow-input.js';
import {
  OfficialResultSchema,
  type DailyMetrics,
  type OfficialResultInput,
  type RaceScore,
} from '../schemas/ops.js';
import { dailyMetrics, scoreRace } from '../agents/scoring.js';
import type { ActivityDeps } from './ports.js';

export function createResultsActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Checks the result against the stored card (every finisher must be a declared runner) and stores it. */
    async storeResult(
      raw: OfficialResultInput,
    ): Promise<{ raceId: string; raceDate: string; finishers: number }> {
      const parsed = OfficialResultSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(
          `invalid result: ${describeIssues(parsed.error)}`,
          OPS_ERROR_TYPES.invalidResult,
        );
      const result = parsed.data;
      const stored = await loadStoredCard(db, result.raceId);
      if (!stored)
        throw ApplicationFailure.nonRetryable(
          `race ${result.raceId} has no stored card`,
          OPS_ERROR_TYPES.unknownRace,
        );
      const declared = new Set(stored.card.runners.map((r) => r.horseId));
      const unknown = result.finish.filter((f) => !declared.has(f.horseId)).map((f) => f.horseId);
      if (unknown.length)
        throw ApplicationFailure.nonRetryable(
          `result for ${result.raceId} names horses not on the card: ${unknown.join(', ')}`,
          OPS_ERROR_TYPES.invalidResult,
        );
      await upsertResult(db, result, stored.raceDate);
      return { raceId: result.raceId, raceDate: stored.raceDate, finishers: result.finish.length };
    },

    /** Settles the race's paper bets on its stored result (the latest, so a correction re-settles). */
    async settleBets(raceId: string): Promise<Settlement> {
      const { rows } = await db.query<{ finish: { horseId: string; position: number }[] }>(
        `SELECT finish FROM race_results WHERE race_id = $1`,
        [raceId],
      );
      if (!rows[0])
        throw ApplicationFailure.nonRetryable(
          `race ${raceId} has no stored result`,
          OPS_ERROR_TYPES.unknownRace,
        );
      const settlement = await settleRaceBets(db, raceId, rows[0].finish);
      Context.current().log.info('paper bets settled', { raceId, ...settlement });
      return settlement;
    },

    /** Scores every stored prediction of the race (every run is kept and scored); returns the latest run's score. */
    async scoreRacePredictions(raceId: string): Promise<{ scored: number; latest: RaceScore | null }> {
      const preds = await loadRacePredictions(db, raceId);
      const scores = preds.map(scoreRace);
      await upsertScores(db, scores);
      Context.current().log.info('race scored', { raceId, runs: scores.length });
      return { scored: scores.length, latest: scores.at(-1) ?? null };
    },

    /** Rewrites the day's rolling metrics over the latest prediction of each race with a result. */
    async computeDailyMetrics(raceDate: string, venue?: string): Promise<DailyMetrics> {
      const metrics = dailyMetrics(raceDate, venue ?? 'all', await loadDayPredictions(db, raceDate, venue));
      await upsertDailyMetrics(db, metrics);
      return metrics;
    },
  };
}
