import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  applyLlmCalibration,
  chooseLlmCalibration,
  fitLlmCalibration,
  LlmCalibrationError,
  type CalibrationRace,
} from '../../../models/llm/calibration.js';
import { LR_GROUPS, type QualRunner } from '../../../schemas/qual.js';
import { mulberry32 } from '../../../agents/prng.js';

/** Races of 12 whose LRs are exp(uniform(-1.5, 1.5)); the winner drawn from softmax(sum_g slope_g ln LR_g). */
function synthetic(n: number, slopes: Record<string, number>, seed: number): CalibrationRace[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const lrs = Array.from({ length: 12 }, () =>
      Object.fromEntries(LR_GROUPS.map((g) => [g, Math.exp(3 * rand() - 1.5)])),
    ) as Record<(typeof LR_GROUPS)[number], number>[];
    const w = lrs.map((lr) =>
      Math.exp(LR_GROUPS.reduce((a, g) => a + (slopes[g] ?? 0) * Math.log(lr[g]), 0)),
    );
    let u = rand() * w.reduce((a, v) => a + v, 0);
    let winner = 0;
    while (u > w[winner]! && winner < w.length - 1) u -= w[winner++]!;
    return { runners: lrs.map((lr, i) => ({ lr, won: i === winner })) };
  });
}

const opts = { model: 'm', promptVersion: 'p', trainUntilRaceId: 5079, racesAsked: 0 };

void test('answers that carry no information are shrunk to about neutral', () => {
  const cal = fitLlmCalibration(synthetic(60, {}, 1), opts);
  for (const g of LR_GROUPS) assert.ok(Math.abs(cal.slopes[g]!) < 0.15, `${g} ${cal.slopes[g]}`);
  // Neutral in use too: a raw LR of 10 comes out near 1.
  const runner = { lr: { formFitness: 10, conditions: 10, tactics: 10, context: 10 }, lrProduct: 100 };
  const [mapped] = applyLlmCalibration([runner as QualRunner], cal);
  assert.ok(mapped!.lrProduct > 0.5 && mapped!.lrProduct < 2, String(mapped!.lrProduct));
});

void test('informative answers: the fitted slope recovers the true one, the others stay near 0', () => {
  const cal = fitLlmCalibration(synthetic(3000, { formFitness: 0.8, tactics: 0.3 }, 2), { ...opts, l2: 0.5 });
  assert.ok(Math.abs(cal.slopes.formFitness! - 0.8) < 0.1, String(cal.slopes.formFitness));
  assert.ok(Math.abs(cal.slopes.tactics! - 0.3) < 0.1, String(cal.slopes.tactics));
  assert.ok(Math.abs(cal.slopes.conditions!) < 0.1 && Math.abs(cal.slopes.context!) < 0.1);
  assert.ok(cal.trainLogLoss.fitted < cal.trainLogLoss.neutral);
  assert.equal(cal.fittedOn.racesUsed, 3000);
});

void test('a calibration for another model or prompt version is refused, a broken file is an error', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmcal-'));
  const file = path.join(dir, 'cal.json');
  assert.equal(chooseLlmCalibration(file, { model: 'm', promptVersion: 'p' }).kind, 'none');
  writeFileSync(file, JSON.stringify(fitLlmCalibration(synthetic(20, {}, 3), opts)));
  assert.equal(chooseLlmCalibration(file, { model: 'm', promptVersion: 'p' }).kind, 'applied');
  const other = chooseLlmCalibration(file, { model: 'm', promptVersion: 'p2' });
  assert.equal(other.kind, 'none');
  assert.match(other.kind === 'none' ? other.reason : '', /refused .*fitted on m\/p/);
  writeFileSync(file, '{"kind":"llm-calibration"}');
  assert.throws(() => chooseLlmCalibration(file, { model: 'm', promptVersion: 'p' }), LlmCalibrationError);
});
