import { proxyActivities, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import type { Settlement } from '../schemas/book.js';
import type { DailyMetrics, OfficialResultInput, RaceScore } from '../schemas/ops.js';
import { SA } from '../schemas/search-attributes.js';
import { OPS_ACTIVITY_OPTIONS } from './ops-activity-options.js';

const { storeResult } = proxyActivities<RaceActivities>(OPS_ACTIVITY_OPTIONS.store);
const { scoreRacePredictions, computeDailyMetrics, settleBets } = proxyActivities<RaceActivities>(
  OPS_ACTIVITY_OPTIONS.evaluate,
);

export interface ResultsSummary {
  raceId: string;
  raceDate: string;
  runsScored: number;
  latest: RaceScore | null;
  day: DailyMetrics;
  /** The paper book's bets on the race: newly settled, re-settled by a correction, unchanged. */
  bets: Settlement;
}

/** Records a race's official result, scores every stored prediction of it, and refreshes the day's rolling metrics. */
export async function resultsWorkflow(result: OfficialResultInput): Promise<ResultsSummary> {
  upsertSearchAttributes([
    { key: SA.jobKind, value: 'results' },
    { key: SA.raceId, value: result.raceId },
    { key: SA.runStatus, value: 'persisting' },
  ]);
  const stored = await storeResult.executeWithOptions(
    { ...OPS_ACTIVITY_OPTIONS.store, summary: `store result of ${result.raceId}` },
    [result],
  );
  upsertSearchAttributes([{ key: SA.raceDate, value: new Date(`${stored.raceDate}T00:00:00Z`) }]);
  const { scored, latest } = await scoreRacePredictions.executeWithOptions(
    { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `score predictions of ${result.raceId}` },
    [result.raceId],
  );
  const bets = await settleBets.executeWithOptions(
    { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `settle paper bets of ${result.raceId}` },
    [result.raceId],
  );
  const day = await computeDailyMetrics.executeWithOptions(
    { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `daily metrics ${stored.raceDate}` },
    [stored.raceDate],
  );
  upsertMemo({
    winner: latest?.winnerHorseId ?? null,
    logLoss: latest?.logLoss ?? null,
    marketLogLoss: latest?.marketLogLoss ?? null,
    runsScored: scored,
    dayRacesScored: day.racesScored,
    betsSettled: bets.settled + bets.resettled,
  });
  upsertSearchAttributes([{ key: SA.runStatus, value: 'completed' }]);
  return { raceId: result.raceId, raceDate: stored.raceDate, runsScored: scored, latest, day, bets };
}
