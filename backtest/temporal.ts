import { upsertHkRaces } from '../db/hk.js';
import type { HkRace } from '../models/hk/types.js';
import { openSession } from '../session/open-session.js';
import { activeRunners } from '../schemas/race-card.js';
import type { ReplayedRace } from './replay.js';

/**
 * The --temporal mode: every test race runs through raceWorkflow on the embedded stack (or the
 * configured one), with the histories the workflow's activities read from PostgreSQL. Races before
 * testFrom are imported first; each meeting day's races run in parallel, then their results are
 * imported so that later dates see them (loadHistories reads earlier dates only).
 */
export async function replayOnTemporal(
  races: HkRace[],
  testFrom: number,
  onRace?: () => void,
): Promise<ReplayedRace[]> {
  const session = await openSession({ withWorker: true, log: () => {} });
  try {
    const history = races.filter((r) => r.raceNumericId < testFrom);
    for (let i = 0; i < history.length; i += 200) await upsertHkRaces(session.db, history.slice(i, i + 200));
    const test = races.filter((r) => r.raceNumericId >= testFrom);
    const days = new Map<string, HkRace[]>();
    for (const r of test) days.set(r.card.meeting.date, [...(days.get(r.card.meeting.date) ?? []), r]);
    const out: ReplayedRace[] = [];
    for (const dayRaces of days.values()) {
      const results = await Promise.all(
        dayRaces.map(async (race) => {
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
          return {
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
        }),
      );
      out.push(...results);
      await upsertHkRaces(session.db, dayRaces);
    }
    return out;
  } finally {
    await session.close();
  }
}
