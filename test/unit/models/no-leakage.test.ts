import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnv } from '../../../config/env.js';
import { fitSpeedPars } from '../../../models/features/pars.js';
import { collectTrainingData, type TrainingRace } from '../../../models/training/collect.js';
import { readHkRaces } from '../../../import/hk-reader.js';
import type { HkRace } from '../../../models/hk/types.js';
import { reverseResult, syntheticRace } from './synthetic.js';

const snapshot = (r: TrainingRace): string =>
  JSON.stringify({ f: r.features.map((row) => Array.from(row)), e: r.evidence });

/** Rewrites race k's result and returns the new season. */
const tamperWith = (races: HkRace[], k: number): HkRace[] =>
  races.map((race, i) => (i === k ? reverseResult(race) : race));

function assertNoLeakage(season: HkRace[], k: number): void {
  const pars = fitSpeedPars(season, Number.MAX_SAFE_INTEGER, 'test');
  const before = collectTrainingData(season, pars).races;
  const after = collectTrainingData(tamperWith(season, k), pars).races;
  for (let i = 0; i <= k; i++)
    assert.equal(
      snapshot(after[i] as TrainingRace),
      snapshot(before[i] as TrainingRace),
      `race ${i} changed`,
    );
  const laterChanged = before
    .slice(k + 1)
    .some((r, j) => snapshot(r) !== snapshot(after[k + 1 + j] as TrainingRace));
  assert.ok(
    laterChanged,
    'the tampered result should reach some later race (otherwise this test proves nothing)',
  );
}

void test('changing a race result leaves that race and every earlier race unchanged (synthetic season)', () => {
  assertNoLeakage(
    Array.from({ length: 40 }, (_, i) => syntheticRace(i)),
    25,
  );
});

const { HK_DATA_DIR } = loadEnv();
void test(
  'changing a race result leaves earlier features unchanged (real HK data, first 600 races)',
  {
    skip: existsSync(join(HK_DATA_DIR, 'runs.csv'))
      ? false
      : `HK data not found at ${HK_DATA_DIR} (set HK_DATA_DIR)`,
  },
  () => {
    const season: HkRace[] = [];
    for (const race of readHkRaces(HK_DATA_DIR)) {
      season.push(race);
      if (season.length === 600) break;
    }
    assertNoLeakage(season, 450);
  },
);
