import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../db/migrate.js';
import { createPool, type Db } from '../../db/pool.js';
import { startTestDatabase } from '../support/test-database.js';

let db: Db;
let stop = async (): Promise<void> => {};

before(async () => {
  const database = await startTestDatabase('race_engine_form');
  stop = () => database.stop();
  await migrate(database.url);
  db = createPool(database.url, 2);
});

after(async () => {
  await db?.end();
  await stop();
});

/** The daily aggregate, and the same figures counted from horse_runs itself: they must always agree. */
async function bothWays(): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = await db.query(
    `SELECT role, person_id, race_date::text AS d, rides, wins, places FROM person_form_daily
      WHERE rides <> 0 ORDER BY 1, 2, 3`,
  );
  const counted = await db.query(
    `SELECT p.role, p.person_id, h.race_date::text AS d, count(*)::int AS rides,
            (count(*) FILTER (WHERE h.won))::int AS wins, (count(*) FILTER (WHERE h.placed))::int AS places
       FROM horse_runs h CROSS JOIN LATERAL (VALUES ('jockey', h.jockey_id), ('trainer', h.trainer_id)) AS p(role, person_id)
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return { kept: kept.rows, counted: counted.rows };
}

// Rows for races on a few days, with jockeys and trainers repeating across horses and days.
const rows = Array.from({ length: 60 }, (_, i) => ({
  horse: `H${i % 17}`,
  race: `R${i}`,
  date: `2026-01-${String(1 + (i % 5)).padStart(2, '0')}`,
  jockey: `J${i % 4}`,
  trainer: `T${i % 3}`,
  won: i % 7 === 0,
  placed: i % 3 === 0,
}));

async function upsert(part: typeof rows): Promise<void> {
  await db.query(
    `INSERT INTO horse_runs (horse_id, race_id, race_date, jockey_id, trainer_id, won, placed, run)
     SELECT h, r, d, j, t, w, p, '{}'::jsonb
       FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::bool[], $7::bool[]) AS x(h, r, d, j, t, w, p)
     ON CONFLICT (horse_id, race_id) DO UPDATE
        SET won = EXCLUDED.won, placed = EXCLUDED.placed, jockey_id = EXCLUDED.jockey_id, trainer_id = EXCLUDED.trainer_id`,
    [
      part.map((r) => r.horse),
      part.map((r) => r.race),
      part.map((r) => r.date),
      part.map((r) => r.jockey),
      part.map((r) => r.trainer),
      part.map((r) => r.won),
      part.map((r) => r.placed),
    ],
  );
}

void test('the jockey and trainer daily form follows every write to horse_runs exactly', async () => {
  await upsert(rows.slice(0, 40));
  let { kept, counted } = await bothWays();
  assert.ok(counted.length > 10);
  assert.deepEqual(kept, counted, 'after inserts');

  // One statement that inserts new rows and rewrites old ones (a result corrected, a jockey replaced).
  await upsert([
    ...rows
      .slice(30, 60)
      .map((r, i) => (i < 10 ? { ...r, won: !r.won, jockey: i % 2 ? 'J9' : r.jockey } : r)),
  ]);
  ({ kept, counted } = await bothWays());
  assert.deepEqual(kept, counted, 'after an insert-or-update');

  await db.query(`DELETE FROM horse_runs WHERE race_date = '2026-01-02' OR jockey_id = 'J9'`);
  ({ kept, counted } = await bothWays());
  assert.deepEqual(kept, counted, 'after a delete');

  await db.query('TRUNCATE horse_runs');
  ({ kept, counted } = await bothWays());
  assert.deepEqual(kept, [], 'after a truncate');
  assert.deepEqual(counted, []);
});
