import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_DEFINITIONS, FEATURE_NAMES, FEATURE_VERSION } from '../../../models/features/definitions.js';
import { buildQuantFeatures } from '../../../models/features/quant-features.js';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const rowOf = (row: Float32Array | undefined): Record<string, number> => Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, row?.[j] as number]));

void test('the builder is deterministic and gives one finite row per active runner in card order', () => {
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 12; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(12);
  const a = buildQuantFeatures(card, acc.historiesFor(card));
  const b = buildQuantFeatures(card, acc.historiesFor(card));
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
  const f = rowOf(buildQuantFeatures(card, new Map()).rows[0]);
  assert.equal(f.no_history, 1);
  assert.equal(f.speed_missing, 1);
  assert.equal(f.declared_weight_change_missing, 1);
  assert.ok(Math.abs((f.speed_last as number) + 1.5) < 1e-6);
  assert.equal(f.lengths_behind_mean3, 8);
  assert.equal(f.log_runs, 0);
  assert.equal(f.log_days_since, 0);
  assert.ok(Math.abs((f.win_rate_shrunk as number) - 0.08) < 1e-6);
});

void test('scratched runners get no row', () => {
  const card = syntheticCard(3);
  const scratched = { ...card, runners: card.runners.map((r, i) => (i === 1 ? { ...r, scratched: true } : r)) };
  assert.equal(buildQuantFeatures(scratched, new Map()).rows.length, card.runners.length - 1);
});

void test('the committed feature definitions file matches the code', () => {
  const file = JSON.parse(readFileSync(join(import.meta.dirname, '../../../models/quant', `features-${FEATURE_VERSION}.json`), 'utf8')) as unknown;
  assert.deepEqual(file, { version: FEATURE_VERSION, features: FEATURE_DEFINITIONS });
});
