import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_DEFINITIONS, FEATURE_NAMES, FEATURE_VERSION } from '../../../models/features/definitions.js';
import { addDrawResults, drawBias, fitSpeedPars } from '../../../models/features/pars.js';
import { buildQuantFeatures } from '../../../models/features/quant-features.js';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const pars = fitSpeedPars(
  Array.from({ length: 40 }, (_, i) => syntheticRace(i)),
  40,
  'test',
);
const rowOf = (row: Float32Array | undefined): Record<string, number> =>
  Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, row?.[j] as number]));

void test('the builder is deterministic and gives one finite row per active runner in card order', () => {
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 12; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(12);
  const a = buildQuantFeatures(card, acc.historiesFor(card), pars);
  const b = buildQuantFeatures(card, acc.historiesFor(card), pars);
  assert.deepEqual(a, b);
  assert.equal(a.rows.length, card.runners.length);
  assert.equal(a.version, FEATURE_VERSION);
  for (const row of a.rows) {
    assert.equal(row.length, FEATURE_NAMES.length);
    assert.ok(row.every(Number.isFinite));
  }
});

void test('a horse with no history gets the documented defaults and missing indicators', () => {
  const card = syntheticCard(0);
  const f = rowOf(buildQuantFeatures(card, new Map(), pars).rows[0]);
  assert.equal(f.no_history, 1);
  assert.equal(f.speed_missing, 1);
  assert.equal(f.declared_weight_change_missing, 1);
  assert.equal(f.speed_fig_last, -3);
  assert.equal(f.late_fig_mean4, -1);
  assert.equal(f.behind_per_km_mean4, 2);
  assert.ok(Math.abs((f.finish_pct_mean4 as number) - 0.6) < 1e-6);
  assert.equal(f.log_runs, 0);
  assert.equal(f.log_days_since, 0);
  assert.ok(Math.abs((f.win_rate_shrunk as number) - 0.08) < 1e-6);
});

void test('scratched runners get no row', () => {
  const card = syntheticCard(3);
  const scratched = {
    ...card,
    runners: card.runners.map((r, i) => (i === 1 ? { ...r, scratched: true } : r)),
  };
  assert.equal(buildQuantFeatures(scratched, new Map(), pars).rows.length, card.runners.length - 1);
});

void test('the committed feature definitions file matches the code', () => {
  const file = JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../models/quant', `features-${FEATURE_VERSION}.json`),
      'utf8',
    ),
  ) as unknown;
  assert.deepEqual(file, { version: FEATURE_VERSION, features: FEATURE_DEFINITIONS });
});

void test('speed figures are seconds per km faster than the par for the same venue, surface, distance and going', () => {
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 12; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(13);
  const histories = acc.historiesFor(card);
  const horse = card.runners[0]?.horseId as string;
  const last = histories.get(horse)?.runs[0];
  assert.ok(last && last.finishTimeS !== null);
  const par = 70;
  const own = {
    version: 't',
    trainUntilRaceId: 0,
    finish: { [`${last.venue}|${last.surface}|${last.distanceM}`]: par },
    lastSection: {},
    draw: {},
    drawCourse: {},
  };
  const f = rowOf(buildQuantFeatures(card, histories, own).rows[0]);
  assert.ok(
    Math.abs(
      (f.speed_fig_last as number) -
        Math.max(-10, Math.min(5, (par - last.finishTimeS) / (last.distanceM / 1000))),
    ) < 1e-4,
  );
  assert.equal(f.speed_missing, 0);
});

void test('draw bias is positive for a stall that wins more than the course rate, shrunk towards 0', () => {
  const card = syntheticCard(0);
  const [inside, outside] = card.runners;
  assert.ok(inside && outside);
  const counts = { draw: {}, drawCourse: {} };
  // 400 races in which the inside stall always wins.
  for (let i = 0; i < 400; i++)
    addDrawResults(counts, {
      raceNumericId: i,
      card,
      outcome: { finishOrder: [], winners: [inside.horseId], results: [], winnerTimeS: null },
    });
  const favoured = drawBias(counts, card, inside.draw);
  const never = drawBias(counts, card, outside.draw);
  assert.ok(favoured > 0 && never < 0, `favoured ${favoured}, never ${never}`);
  // Shrinkage: 400 runs against 300 pseudo-runs keep it well short of the raw ln(1 / base rate).
  assert.ok(favoured < Math.log(card.runners.length));
  assert.equal(drawBias({ draw: {}, drawCourse: {} }, card, inside.draw), 0);
});
