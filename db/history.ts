import type { Db } from './pool.js';
import { PastRunSchema, type PastRun, type PersonForm, type RunnerHistory } from '../schemas/history.js';
import { activeRunners, type RaceCard } from '../schemas/race-card.js';

/** How far back the history store reaches for a runner, and the window for jockey/trainer form. */
export const HISTORY_RUNS_PER_HORSE = 20;
export const PERSON_FORM_WINDOW_DAYS = 365;

export interface StoredPastRun {
  horseId: string;
  run: PastRun;
}

/**
 * After a bulk load: fresh planner statistics and a visibility map, so the history reads below run as
 * index-only scans (db/migrations/1764400000000_history-form-indexes.sql, and the daily form aggregate
 * of 1764500000000_person-form-daily.sql) instead of waiting for autovacuum to get round to the new rows.
 */
export async function refreshHistoryStats(db: Db): Promise<void> {
  await db.query('VACUUM (ANALYZE) horse_runs');
  await db.query('VACUUM (ANALYZE) person_form_daily');
}

/** Idempotent: a past run is keyed by (horse, race). */
export async function upsertPastRuns(db: Db, rows: StoredPastRun[]): Promise<void> {
  const chunk = 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk).map((r) => PastRunSchema.parse(r.run) && r);
    await db.query(
      `INSERT INTO horse_runs (horse_id, race_id, race_date, jockey_id, trainer_id, won, placed, run)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::jsonb[])
       ON CONFLICT (horse_id, race_id) DO UPDATE SET run = EXCLUDED.run, won = EXCLUDED.won, placed = EXCLUDED.placed`,
      [
        part.map((r) => r.horseId),
        part.map((r) => r.run.raceId),
        part.map((r) => r.run.date),
        part.map((r) => r.run.jockeyId),
        part.map((r) => r.run.trainerId),
        part.map((r) => r.run.won),
        part.map((r) => r.run.position !== null && r.run.position <= 3),
        part.map((r) => JSON.stringify(r.run)),
      ],
    );
  }
}

const emptyForm = (): PersonForm => ({ rides: 0, wins: 0, places: 0 });

async function personForm(
  db: Db,
  column: 'jockey_id' | 'trainer_id',
  ids: string[],
  before: string,
): Promise<Map<string, PersonForm>> {
  // From the per-day aggregate a trigger keeps (db/migrations/1764500000000_person-form-daily.sql): a sum
  // over at most a year of race days per person, however often the store's people ride.
  const { rows } = await db.query<{ id: string; rides: string; wins: string; places: string }>(
    `SELECT person_id AS id, sum(rides) AS rides, sum(wins) AS wins, sum(places) AS places
       FROM person_form_daily
      WHERE role = $4 AND person_id = ANY($1::text[]) AND race_date < $2::date AND race_date >= $2::date - $3::int
      GROUP BY person_id HAVING sum(rides) > 0`,
    [ids, before, PERSON_FORM_WINDOW_DAYS, column === 'jockey_id' ? 'jockey' : 'trainer'],
  );
  return new Map(
    rows.map((r) => [r.id, { rides: Number(r.rides), wins: Number(r.wins), places: Number(r.places) }]),
  );
}

/** All-time record of each jockey-trainer pair before the date: pairs are sparse, so no window. */
async function pairForm(
  db: Db,
  pairs: Array<[string, string]>,
  before: string,
): Promise<Map<string, PersonForm>> {
  const { rows } = await db.query<{ j: string; t: string; rides: string; wins: string; places: string }>(
    `SELECT h.jockey_id AS j, h.trainer_id AS t, count(*) AS rides, count(*) FILTER (WHERE won) AS wins,
            count(*) FILTER (WHERE placed) AS places
       FROM horse_runs h JOIN unnest($1::text[], $2::text[]) AS p(j, t) ON h.jockey_id = p.j AND h.trainer_id = p.t
      WHERE h.race_date < $3::date
      GROUP BY h.jockey_id, h.trainer_id`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), before],
  );
  return new Map(
    rows.map((r) => [
      `${r.j}|${r.t}`,
      { rides: Number(r.rides), wins: Number(r.wins), places: Number(r.places) },
    ]),
  );
}

/** Every active runner's history strictly before the race date: no leakage from the day itself or later. */
export async function loadHistories(db: Db, card: RaceCard): Promise<Map<string, RunnerHistory>> {
  const runners = activeRunners(card);
  const before = card.meeting.date;
  // Four independent reads: issued together, they cost one round trip's wait instead of four.
  // Per horse, newest first, at most HISTORY_RUNS_PER_HORSE: a LIMIT inside LATERAL walks the
  // (horse_id, race_date DESC) index and stops after 20 rows, where a row_number() window read and sorted
  // every past run of the field (about 1,100 rows for 14 seasoned horses: 13-19 ms against 5 ms).
  const runsQuery = db.query<{ horse_id: string; run: unknown }>(
    `SELECT h.id AS horse_id, r.run
       FROM unnest($1::text[]) AS h(id)
       CROSS JOIN LATERAL (
         SELECT run FROM horse_runs WHERE horse_id = h.id AND race_date < $2::date
          ORDER BY race_date DESC, race_id DESC LIMIT $3) r`,
    [runners.map((r) => r.horseId), before, HISTORY_RUNS_PER_HORSE],
  );
  const [{ rows }, jockeys, trainers, pairs] = await Promise.all([
    runsQuery,
    personForm(db, 'jockey_id', [...new Set(runners.map((r) => r.jockeyId))], before),
    personForm(db, 'trainer_id', [...new Set(runners.map((r) => r.trainerId))], before),
    pairForm(
      db,
      runners.map((r) => [r.jockeyId, r.trainerId]),
      before,
    ),
  ]);
  const byHorse = new Map<string, PastRun[]>();
  for (const row of rows) {
    const list = byHorse.get(row.horse_id) ?? [];
    list.push(PastRunSchema.parse(row.run));
    byHorse.set(row.horse_id, list);
  }
  return new Map(
    runners.map((r) => [
      r.horseId,
      {
        horseId: r.horseId,
        runs: byHorse.get(r.horseId) ?? [],
        jockey: jockeys.get(r.jockeyId) ?? emptyForm(),
        trainer: trainers.get(r.trainerId) ?? emptyForm(),
        jockeyTrainer: pairs.get(`${r.jockeyId}|${r.trainerId}`) ?? emptyForm(),
      },
    ]),
  );
}
