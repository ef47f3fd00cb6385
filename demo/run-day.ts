import type { RaceClient } from '../client/index.js';
import { upsertPastRuns } from '../db/history.js';
import type { Db } from '../db/pool.js';
import type { RaceResult } from '../schemas/result.js';
import { generateRaceDay, type RaceDayOptions } from './synthetic-race-day.js';

/** Generates a synthetic day, stores its horses' histories and runs every race; for the screenshot and browser test. */
export async function runSyntheticDay(
  client: RaceClient,
  db: Db,
  options: RaceDayOptions,
): Promise<RaceResult[]> {
  const day = generateRaceDay(options);
  await upsertPastRuns(
    db,
    day.races.flatMap((r) => r.histories.flatMap((h) => h.runs.map((run) => ({ horseId: h.horseId, run })))),
  );
  return Promise.all(day.races.map(({ card }) => client.runRace(card, { sandbox: 'inline' })));
}
