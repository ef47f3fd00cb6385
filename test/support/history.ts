import type { Db } from '../../db/pool.js';
import { upsertPastRuns } from '../../db/history.js';
import { generateRaceDay } from '../../demo/synthetic-race-day.js';
import type { RaceCard } from '../../schemas/race-card.js';

/** A deterministic synthetic race day with its histories loaded into the store; returns the cards. */
export async function seedRaceDay(db: Db, seed: number, races = 2, date = '2026-03-04'): Promise<RaceCard[]> {
  const day = generateRaceDay({ seed, date, races });
  await upsertPastRuns(
    db,
    day.races.flatMap((r) => r.histories.flatMap((h) => h.runs.map((run) => ({ horseId: h.horseId, run })))),
  );
  return day.races.map((r) => r.card);
}
