import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bayesUpdate,
  betaCdf,
  betaQuantile,
  bindCalibrator,
  credibleInterval,
  conformalHalfWidth,
  hardNormalise,
  harvillePlace,
  matrixAdjust,
  matrixLr,
  normaliseCapped,
  runnerConfidence,
  runStrategy,
  softmaxNormalise,
} from '../../../agents/index.js';
import type { GroupCalibration } from '../../../agents/index.js';
import { plainInput } from './fixtures.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected}, got ${actual}`);

test('SPEC worked check: base 0.18 with LR 1.6 and w = 1 becomes 0.2600 (within 1e-4)', () => {
  // o = 0.18/0.82 * 1.6 = 0.351220; q = 0.351220/1.351220 = 0.259928.
  // Exact arithmetic gives 0.259928, which is 0.2600 to within 1e-4 (strict rounding gives 0.2599).
  const q = bayesUpdate(0.18, 1.6, 1);
  close(q, 0.26, 1e-4);
  close(q, 0.259928, 1e-6);
});

test('LR 1 leaves the base unchanged, whatever the weight', () => {
  for (const b of [0.01, 0.18, 0.5, 0.93])
    for (const w of [0.8, 1, 1.2]) close(bayesUpdate(b, 1, w), b, 1e-15);
});

test('LR weight scales the log-odds shift: w = 0.8 moves 0.18 less than w = 1.2', () => {
  const lo = bayesUpdate(0.18, 1.6, 0.8);
  const hi = bayesUpdate(0.18, 1.6, 1.2);
  assert.ok(0.18 < lo && lo < 0.26 && 0.26 < hi);
  // odds ratio is exactly 1.6^0.8
  close(lo / (1 - lo) / (0.18 / 0.82), Math.pow(1.6, 0.8), 1e-12);
});

test('matrix LR clips to [0.25, 4] and says which way', () => {
  assert.deepEqual(matrixLr(10, 1, 1), { value: 4, clipped: 'high' });
  assert.deepEqual(matrixLr(0.1, 1, 1), { value: 0.25, clipped: 'low' });
  const a = matrixLr(2, 1.1, 0.8);
  close(a.value, 2 * Math.pow(1.1, 0.8), 1e-15);
  assert.equal(a.clipped, null);
});

test('matrix adjustment multiplies by 1 + m(distance + weather) and clips without a 0.01 floor', () => {
  close(matrixAdjust(0.2, 1.2, 0.05, -0.02).value, 0.2 * (1 + 1.2 * 0.03), 1e-15);
  assert.equal(matrixAdjust(0.004, 1, 0, 0).value, 0.004);
  assert.deepEqual(matrixAdjust(1e-7, 1, 0, 0), { value: 1e-6, clipped: true });
});

test('softmax with T = 1 equals hard normalisation; T > 1 flattens', () => {
  const q = [0.3, 0.12, 0.05, 0.002];
  const hard = hardNormalise(q);
  softmaxNormalise(q, 1).forEach((p, i) => close(p, hard[i] ?? 0, 1e-15));
  const flat = softmaxNormalise(q, 1.5);
  assert.ok((flat[0] ?? 0) < (hard[0] ?? 0) && (flat[3] ?? 0) > (hard[3] ?? 0));
});

test('Harville, 4 runners, 2 places, plain (lambda 1): hand-computed', () => {
  // p = (0.4, 0.3, 0.2, 0.1). P(i in top 2) = p_i + sum_{j != i} p_j * p_i / (1 - p_j)
  // A: 0.4 + 0.3*0.4/0.7 + 0.2*0.4/0.8 + 0.1*0.4/0.9 = 0.4 + 0.171429 + 0.1 + 0.044444 = 0.715873
  // B: 0.3 + 0.4*0.3/0.6 + 0.2*0.3/0.8 + 0.1*0.3/0.9 = 0.3 + 0.2 + 0.075 + 0.033333      = 0.608333
  // C: 0.2 + 0.4*0.2/0.6 + 0.3*0.2/0.7 + 0.1*0.2/0.9 = 0.2 + 0.133333 + 0.085714 + 0.022222 = 0.441270
  // D: 0.1 + 0.4*0.1/0.6 + 0.3*0.1/0.7 + 0.2*0.1/0.8 = 0.1 + 0.066667 + 0.042857 + 0.025   = 0.234524
  const place = harvillePlace([0.4, 0.3, 0.2, 0.1], 2, { lambda2: 1, lambda3: 1 });
  [0.715873, 0.608333, 0.44127, 0.234524].forEach((v, i) => close(place[i] ?? 0, v, 1e-6, `runner ${i}`));
});

test('Harville, 4 runners, 3 places: the outsider places unless A, B, C fill the frame', () => {
  // P(D in top 3) = 1 - P(first three are A, B, C in some order); summing the six orders
  // p_a * p_b/(1-p_a) * p_c/(1-p_a-p_b) gives 0.551190, so P(D places) = 0.448810.
  const place = harvillePlace([0.4, 0.3, 0.2, 0.1], 3, { lambda2: 1, lambda3: 1 });
  close(place[3] ?? 0, 0.44881, 1e-6);
  close(
    place.reduce((a, b) => a + b, 0),
    3,
    1e-12,
  );
});

test('Harville discount lambda_2 = 0.5, 3 runners, 2 places: hand-computed', () => {
  // w = sqrt(p) = (0.707107, 0.547723, 0.447214).
  // A: 0.5 + 0.3 * 0.707107/(0.707107+0.447214) + 0.2 * 0.707107/(0.707107+0.547723) = 0.796474
  const place = harvillePlace([0.5, 0.3, 0.2], 2, { lambda2: 0.5, lambda3: 0.65 });
  close(place[0] ?? 0, 0.796474, 1e-6);
  close(place[1] ?? 0, 0.662553, 1e-6);
  close(place[2] ?? 0, 0.540973, 1e-6);
});

test('Beta quantile matches closed forms', () => {
  // Arcsine Beta(1/2, 1/2): F^-1(q) = sin^2(pi q / 2)
  close(betaQuantile(0.25, 0.5, 0.5), Math.sin(Math.PI / 8) ** 2, 1e-10);
  close(betaQuantile(0.9, 0.5, 0.5), Math.sin(0.45 * Math.PI) ** 2, 1e-10);
  // Beta(a, 1): F = x^a; Beta(1, b): F = 1 - (1 - x)^b
  close(betaQuantile(0.3, 3, 1), Math.pow(0.3, 1 / 3), 1e-10);
  close(betaQuantile(0.95, 1, 20), 1 - Math.pow(0.05, 1 / 20), 1e-10);
  // Beta(2, 2): F = 3x^2 - 2x^3, 5% point 0.135350 (solved by bisection by hand)
  close(betaQuantile(0.05, 2, 2), 0.1353503622, 1e-9);
  // Jeffreys posterior for 3 winners in 40 runners: CDF at its own quantile round-trips
  const x = betaQuantile(0.05, 3.5, 37.5);
  close(betaCdf(x, 3.5, 37.5), 0.05, 1e-12);
  assert.ok(x > 0.02 && x < 0.08);
});

test('confidence formula: worked example and bounds', () => {
  // evidence 0.25 + 0.75 * 0.7 = 0.775; agreement 1 - 0.5 * ln2/ln4 = 0.75; precision 1 - 0.5 * 0.1/0.2 = 0.75
  close(
    runnerConfidence({ qualConfidence: 0.6, quantConfidence: 0.8, matrixLr: 2, lower: 0.1, upper: 0.2 }),
    0.4359375,
    1e-12,
  );
  assert.equal(
    runnerConfidence({ qualConfidence: 1, quantConfidence: 1, matrixLr: 1, lower: 0.3, upper: 0.3 }),
    1,
  );
  const floor = runnerConfidence({
    qualConfidence: 0,
    quantConfidence: 0,
    matrixLr: 4,
    lower: 0,
    upper: 0.5,
  });
  close(floor, 0.0625, 1e-12);
  // LR 1/2 is as much disagreement as LR 2
  close(
    runnerConfidence({ qualConfidence: 0.5, quantConfidence: 0.5, matrixLr: 0.5, lower: 0.1, upper: 0.2 }),
    runnerConfidence({ qualConfidence: 0.5, quantConfidence: 0.5, matrixLr: 2, lower: 0.1, upper: 0.2 }),
    1e-12,
  );
});

test('capped normalisation reaches the target without passing 1', () => {
  const out = normaliseCapped([0.99, 0.9, 0.5, 0.1], 3);
  close(
    out.reduce((a, b) => a + b, 0),
    3,
    1e-12,
  );
  assert.ok(out.every((v) => v <= 1));
  assert.equal(out[0], 1);
});

const cal: GroupCalibration = {
  races: 100,
  runners: 1000,
  isotonic: { x: [0.05, 0.2, 0.5], y: [0.02, 0.25, 0.6] },
  temperature: { tau: 2 },
  platt: { a: 0.5, b: -0.2 },
};

test('calibrators: isotonic interpolates between knots, temperature flattens, identity without artefact', () => {
  const fused = [0.5, 0.3, 0.2];
  const iso = bindCalibrator({ kind: 'isotonic' }, cal, fused);
  // raw: 0.6, 0.25 + 0.35 * (0.1/0.3) = 0.366667, 0.25 -> normalised by 1.216667
  close(iso.points[1] ?? 0, 0.366667 / 1.216667, 1e-6);
  const temp = bindCalibrator({ kind: 'temperature' }, cal, fused);
  const s = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
  close(temp.points[0] ?? 0, Math.sqrt(0.5) / s, 1e-12);
  const ens = bindCalibrator({ kind: 'ensemble', isotonicWeight: 0.6, temperatureWeight: 0.4 }, cal, fused);
  close(ens.points[2] ?? 0, 0.6 * (iso.points[2] ?? 0) + 0.4 * (temp.points[2] ?? 0), 1e-12);
  const id = bindCalibrator({ kind: 'isotonic' }, null, fused);
  assert.equal(id.identity, true);
  assert.deepEqual(id.points, fused);
});

test('interval helpers: conformal rank uses the finite-sample correction; credible contains p', () => {
  const scores = Array.from({ length: 19 }, (_, i) => (i + 1) / 10);
  // ceil(20 * 0.9) = 18th smallest = 1.8
  assert.equal(conformalHalfWidth({ groupSize: 50, scores }, 0.9), 1.8);
  assert.equal(conformalHalfWidth({ groupSize: 50, scores: [0.1] }, 0.9), Infinity);
  const ci = credibleInterval({ edges: [0, 0.1, 1], n: [400, 100], k: [20, 30] }, 0.05, 0.05, 0.9);
  assert.ok(ci.lower < 0.05 && ci.upper > 0.05 && ci.upper - ci.lower < 0.05);
});

test('with no artefact the agent says it is uncalibrated; with LR 1 it returns the base', () => {
  const out = runStrategy('CalibrationAgent_Isotonic', plainInput([0.5, 0.3, 0.2]), null);
  assert.match(out.calibratorVersion, /identity/);
  out.runners.forEach((r, i) => {
    assert.ok(r.flags.includes('calibration-identity'));
    close(r.winProbCalibrated, [0.5, 0.3, 0.2][i] ?? 0, 1e-12);
    assert.ok(r.reasoning.length > 0 && r.reasoning.length <= 300);
  });
});

test('a strong LR is clipped and flagged as conflict', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  input.runners[2]!.lrProduct = 9;
  const out = runStrategy('BayesianUpdater_Balanced', input, null);
  assert.deepEqual(
    out.runners[2]?.flags.filter((f) => f !== 'calibration-identity'),
    ['lr-clipped-high', 'conflict'],
  );
});
