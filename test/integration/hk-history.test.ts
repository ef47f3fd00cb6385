import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countHkRows, upsertHkRaces } from '../../db/hk.js';
import { loadHistories } from '../../db/history.js';
import { migrate } from '../../db/migrate.js';
import { createPool, type Db } from '../../db/pool.js';
import { fitSpeedPars } from '../../models/features/pars.js';
import { buildQuantFeatures } from '../../models/features/quant-features.js';
import { HistoryAccumulator } from '../../models/hk/history-accumulator.js';
import type { HkRace } from '../../models/hk/types.js';
import { extractEvidence } from '../../models/qual/evidence.js';
import { startTestDatabase } from '../support/test-database.js';
import { reverseResult, syntheticRace } from '../unit/models/synthetic.js';

const season: HkRace[] = Array.from({ length: 40 }, (_, i) => ({ ...syntheticRace(i), raceNumericId: i }));
const pars = fitSpeedPars(season, 40, 'test');
let db: Db;
let stop = async (): Promise<void> => {};

before(async () => {
  const database = await startTestDatabase('race_engine_hk');
  const { url } = database;
  stop = () => database.stop();
  await migrate(url);
  db = createPool(url, 2);
});

after(async () => {
  await db?.end();
  await stop();
});

/** Features and evidence of race k as the workflow's activities would build them from PostgreSQL. */
async function servedFeatures(k: number): Promise<string> {
  const card = (season[k] as HkRace).card;
  const histories = await loadHistories(db, card);
  return JSON.stringify({
    f: buildQuantFeatures(card, histories, pars).rows.map((r) => Array.from(r)),
    e: extractEvidence(card, histories),
  });
}

void test('importing the same races twice changes no row count (upserts)', async () => {
  await upsertHkRaces(db, season);
  const first = await countHkRows(db);
  await upsertHkRaces(db, season);
  assert.deepEqual(await countHkRows(db), first);
  assert.equal(first.hk_races, 40);
  assert.equal(
    first.horse_runs,
    season.reduce((n, r) => n + r.card.runners.length, 0),
  );
});

void test('PostgreSQL histories give the same features and evidence as the in-memory accumulator used in training', async () => {
  await upsertHkRaces(db, season);
  const acc = new HistoryAccumulator();
  for (let k = 0; k < 30; k++) {
    const race = season[k] as HkRace;
    const histories = acc.historiesFor(race.card);
    const trained = JSON.stringify({
      f: buildQuantFeatures(race.card, histories, pars).rows.map((r) => Array.from(r)),
      e: extractEvidence(race.card, histories),
    });
    assert.equal(await servedFeatures(k), trained, `race ${k}`);
    acc.record(race);
  }
});

void test('changing a later race in PostgreSQL leaves an earlier race features unchanged (no leakage)', async () => {
  await upsertHkRaces(db, season);
  const k = 25;
  const beforeChange = await servedFeatures(k);
  const later = season[k + 4] as HkRace;
  assert.ok(later.card.meeting.date > (season[k] as HkRace).card.meeting.date);
  const tampered = reverseResult(later);
  await upsertHkRaces(db, [tampered]);
  assert.equal(await servedFeatures(k), beforeChange);
  const laterRace = season.findIndex(
    (r) =>
      r.card.meeting.date > later.card.meeting.date &&
      r.card.runners.some((x) => later.card.runners.some((y) => y.horseId === x.horseId)),
  );
  assert.ok(laterRace > 0);
  const changedLater = await servedFeatures(laterRace);
  await upsertHkRaces(db, [later]);
  assert.notEqual(
    await servedFeatures(laterRace),
    changedLater,
    'the tampered result reaches a later race (otherwise this test proves nothing)',
  );
});
