import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendExperiment,
  readExperiments,
  type Experiment,
} from '../../../models/training/experiment-log.js';

const block = (at: string, quantCv: number, final: number, scoredTo = 1999): Experiment => ({
  at,
  kind: 'walk-forward-block',
  data: { source: 'hk', trainUntilRaceId: 1500, trainingRaces: 1400, scoredFrom: 1500, scoredTo },
  params: { folds: 4, trials: 12, richTerms: 'stacked', richL2: 1 },
  cv: { quantPseudoR2: quantCv },
  walkForward: {
    races: 480,
    pseudoR2: { market: 0.15, final },
    finalVsMarket: { deltaLogLoss: -0.001, pairedSE: 0.002 },
  },
  seconds: 60,
});

test('each run is appended and compared with the latest earlier run on the same data range', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'xlog-')), 'results', 'experiments.jsonl');
  assert.equal(appendExperiment(file, block('2026-12-03T01:00:00.000Z', 0.12, 0.151)), null);
  // Another block's range is not a comparable run.
  assert.equal(appendExperiment(file, block('2026-12-03T01:10:00.000Z', 0.1, 0.14, 2499)), null);
  const c = appendExperiment(file, block('2026-12-03T02:00:00.000Z', 0.125, 0.153));
  assert.equal(c?.previousAt, '2026-12-03T01:00:00.000Z');
  assert.ok(Math.abs(c!.delta['cv.quantPseudoR2']! - 0.005) < 1e-12);
  assert.ok(Math.abs(c!.delta['walkForward.finalPseudoR2']! - 0.002) < 1e-12);
  assert.equal(readExperiments(file).length, 3);
});

test('a malformed entry is refused and nothing is written; a corrupt log names its line', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'xlog-')), 'experiments.jsonl');
  appendExperiment(file, block('2026-12-03T01:00:00.000Z', 0.12, 0.151));
  const before = readFileSync(file, 'utf8');
  assert.throws(() => appendExperiment(file, { ...block('2026-12-03T02:00:00.000Z', Number.NaN, 0.1) }));
  assert.equal(readFileSync(file, 'utf8'), before);
  writeFileSync(file, `${before}{"kind":"train"}\n`);
  assert.throws(() => readExperiments(file), /line 2/);
});
