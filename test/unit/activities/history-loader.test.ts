import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHistoryLoader } from '../../../activities/history-loader.js';
import type { Db } from '../../../db/pool.js';
import { RaceCardSchema } from '../../../schemas/race-card.js';

const card = (raceId: string, jockey = 'j1') =>
  RaceCardSchema.parse({
    raceId,
    meeting: { venue: 'ST', date: '2026-01-10' },
    raceNo: 1,
    distanceM: 1200,
    surface: 'turf',
    going: 'GOOD',
    raceClass: '4',
    runners: [
      { horseId: 'a', horseNo: 1, draw: 1, actualWeight: 120, jockeyId: jockey, trainerId: 't1' },
      { horseId: 'b', horseNo: 2, draw: 2, actualWeight: 121, jockeyId: 'j2', trainerId: 't2' },
    ],
  });

function fakeDb(failFirst = false) {
  let queries = 0;
  let fail = failFirst;
  const db = {
    query: async () => {
      queries += 1;
      if (fail) {
        fail = false;
        throw new Error('connection refused');
      }
      return { rows: [] };
    },
  } as unknown as Db;
  return { db, queries: () => queries };
}

test('the quant and qual activities of one race share one history read', async () => {
  const { db, queries } = fakeDb();
  const load = createHistoryLoader(db);
  const [a, b] = await Promise.all([load(card('r1')), load(card('r1'))]);
  assert.equal(a, b);
  const perRead = queries();
  assert.ok(perRead > 0);
  await load(card('r1', 'j9'));
  assert.equal(queries(), 2 * perRead, 'a different jockey is a different read');
});

test('a failed read is not remembered', async () => {
  const { db } = fakeDb(true);
  const load = createHistoryLoader(db);
  await assert.rejects(load(card('r2')), /connection refused/);
  const histories = await load(card('r2'));
  assert.equal(histories.size, 2);
});
