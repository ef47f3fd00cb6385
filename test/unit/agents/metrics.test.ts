import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  betting,
  brier,
  expectedCalibrationError,
  marketProbabilities,
  ndcgAt,
  pairedDifference,
  pseudoR2,
  raceLogLoss,
  summariseMetrics,
  top1Accuracy,
} from '../../../agents/index.js';
import type { ScoredRace } from '../../../agents/index.js';

const close = (actual: number, expected: number, tol: number): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

const a: ScoredRace = { raceId: '1', probs: [0.5, 0.3, 0.2], positions: [2, 1, 3], odds: [1.8, 4, 6] };
const b: ScoredRace = { raceId: '2', probs: [0.6, 0.4], positions: [1, 2], odds: [1.5, 2.2] };
const deadHeat: ScoredRace = { raceId: '3', probs: [0.5, 0.5], positions: [1, 1] };

test('log loss, uniform log loss and Benter pseudo R^2 on single-winner races', () => {
  close(raceLogLoss(a) ?? NaN, -Math.log(0.3), 1e-12);
  assert.equal(raceLogLoss(deadHeat), null);
  // 1 - (ln(1/0.3) + ln(1/0.6)) / (ln 3 + ln 2)
  close(
    pseudoR2([a, b, deadHeat]),
    1 - (-Math.log(0.3) - Math.log(0.6)) / (Math.log(3) + Math.log(2)),
    1e-12,
  );
  const s = summariseMetrics([a, b, deadHeat]);
  assert.equal(s.racesScored, 2);
  assert.equal(s.racesExcluded, 1);
});

test('Brier, ECE with 10 bins, top-1', () => {
  // squared errors: a: 0.25, 0.49, 0.04; b: 0.16, 0.16 -> 1.1 / 5
  close(brier([a, b]), 1.1 / 5, 1e-12);
  // bins: 0.2 -> [0.2,0.3): p 0.2 y 0; 0.3 -> [0.3,0.4): 0.3 vs 1; 0.4: 0.4 vs 0; 0.5: 0.5 vs 0; 0.6: 0.6 vs 1
  close(expectedCalibrationError([a, b]), (0.2 + 0.7 + 0.4 + 0.5 + 0.4) / 5, 1e-12);
  close(top1Accuracy([a, b]), 0.5, 1e-12);
});

test('NDCG@4: perfect order scores 1, reversed order less', () => {
  const perfect: ScoredRace = { raceId: 'p', probs: [0.4, 0.3, 0.2, 0.1], positions: [1, 2, 3, 4] };
  close(ndcgAt(perfect), 1, 1e-12);
  const reversed: ScoredRace = { raceId: 'r', probs: [0.1, 0.2, 0.3, 0.4], positions: [1, 2, 3, 4] };
  // gains 15, 7, 3, 1; model order gains 1, 3, 7, 15
  const dcg = 1 / 1 + 3 / Math.log2(3) + 7 / 2 + 15 / Math.log2(5);
  const idcg = 15 + 7 / Math.log2(3) + 3 / 2 + 1 / Math.log2(5);
  close(ndcgAt(reversed), dcg / idcg, 1e-12);
});

test('betting: value bets, flat ROI, Kelly bankroll and drawdown', () => {
  // Race a: edges 0.5*1.8-1 = -0.1, 0.3*4-1 = 0.2 (bet, wins), 0.2*6-1 = 0.2 (bet, loses)
  // Race b: 0.6*1.5-1 = -0.1, 0.4*2.2-1 = -0.12 -> no bet
  const res = betting([a, b], { minEdge: 0.05, kellyFraction: 0.25, stakeCap: 0.1 });
  assert.equal(res.bets, 2);
  close(res.flatRoi, (3 - 1) / 2, 1e-12);
  // stakes: 0.25 * 0.2/3 = 0.016667 (wins 3x) and 0.25 * 0.2/5 = 0.01 (lost) -> +0.04
  close(res.kellyFinalBankroll, 1.04, 1e-12);
  assert.equal(res.maxDrawdown, 0);
});

test('paired standard error of a per-race difference', () => {
  const d = pairedDifference([2, 3, 4, 5], [1, 3, 3, 3]);
  // differences 1, 0, 1, 2: mean 1, sample variance 2/3, se sqrt(2/3/4)
  close(d.mean, 1, 1e-12);
  close(d.se, Math.sqrt(2 / 3 / 4), 1e-12);
  assert.deepEqual(marketProbabilities([2, 4, 4]), [0.5, 0.25, 0.25]);
  assert.equal(marketProbabilities([2, undefined]), null);
});
