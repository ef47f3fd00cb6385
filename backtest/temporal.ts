import { pool } from '../bench/resources.js';
import { refreshHistoryStats } from '../db/history.js';
import { upsertHkRaces } from '../db/hk.js';
import type { HkRace } from '../models/hk/types.js';
import { openSession } from '../session/open-session.js';
import { activeRunners } from '../schemas/race-card.js';
import type { ReplayedRace } from './replay.js';

/**
 * The --temporal mode: every test race runs through raceWorkflow on the embedded stack (or the
 * configured one), with the histories the workflow's activities read from PostgreSQL. Every race, test
 * period included, is imported first: the activities read history strictly before the race's date
 * (db/history.ts), so a race never sees its own day or later, and the races need no day-by-day barrier;
 * they run RACE_CONCURRENCY at a time.
 */
const RACE_CONCURRENCY = 32;

export async function replayOnTemporal(
  races: HkRace[],
  testFrom: number,
  onRace?: () => void,
): Promise<ReplayedRace[]> {
  const session = await openSession({ withWorker: true, log: () => {} });
  try {
    for (let i = 0; i < races.length; i += 200) await upsertHkRaces(session.db, races.slice(i, i + 200));
    await refreshHistoryStats(session.db);
    const test = races.filter((r) => r.raceNumericId >= testFrom);
    // Filled by index, so the races come back in the input's (chronological) order whatever finishes first.
    const out: ReplayedRace[] = new Array<ReplayedRace>(test.length);
    await pool(
      test.map((race, i) => ({ race, i })),
      RACE_CONCURRENCY,
      async ({ race, i }) => {
        const t0 = performance.now();
        const { workflowId, runId } = await session.client.startRace(race.card, {
          sandbox: 'inline',
          qual: 'evidence',
          workflowId: `backtest-${race.card.raceId}-${Date.now()}`,
        });
        const result = await session.client.result(workflowId, runId);
        onRace?.();
        const byId = new Map(result.runners.map((r) => [r.horseId, r]));
        const outcome = new Map(race.outcome.results.map((r) => [r.horseId, r]));
        const runners = activeRunners(race.card);
        const pick = (key: 'winProbBase' | 'winProbModel' | 'winProbFinal'): number[] =>
          runners.map((r) => byId.get(r.horseId)?.[key] ?? 0);
        out[i] = {
          raceNumericId: race.raceNumericId,
          raceId: race.card.raceId,
          horseIds: runners.map((r) => r.horseId),
          positions: runners.map((r) =>
            outcome.get(r.horseId)?.won ? 1 : (outcome.get(r.horseId)?.position ?? null),
          ),
          odds: runners.map((r) => r.marketWinOdds),
          quant: pick('winProbBase'),
          fused: pick('winProbModel'),
          final: pick('winProbFinal'),
          date: race.card.meeting.date,
          placesPaid: result.placesPaid,
          qualLr: runners.map((r) => byId.get(r.horseId)?.lrProduct ?? 1),
          place: runners.map((r) => byId.get(r.horseId)?.placeProb ?? 0),
          placeOdds: runners.map((r) => r.marketPlaceOdds),
          // The workflow's result keeps neither per-agent nor per-group figures: the error map has fewer modules here.
          strategies: {},
          groupLr: {},
          degraded: result.degraded,
          ms: performance.now() - t0,
        } satisfies ReplayedRace;
      },
    );
    return out;
  } finally {
    await session.close();
  }
}
