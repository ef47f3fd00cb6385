import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CalibrationArtefactsSchema,
  compareRaceIds,
  fitCalibrationArtefacts,
  fitHarvilleLambdas,
  fitIsotonic,
  fitMarketBlend,
  fitPlatt,
  fitTemperature,
  mulberry32,
  normal,
  sigmoid,
  simulateRace,
  drawFinishOrder,
} from '../../../agents/index.js';

const within = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} +/- ${tol}, got ${actual}`);

test('PAV pools adjacent violators into weighted block means', () => {
  const iso = fitIsotonic([
    { x: 0.1, y: 0 },
    { x: 0.3, y: 0 },
    { x: 0.2, y: 1 },
    { x: 0.4, y: 1 },
  ]);
  // sorted y = 0, 1, 0, 1 -> the middle pair pools to 0.5 at x = 0.25
  assert.deepEqual(iso, { x: [0.1, 0.25, 0.4], y: [0, 0.5, 1] });
  const weighted = fitIsotonic(
    [
      { x: 0.2, y: 1 },
      { x: 0.3, y: 0 },
    ],
    [3, 1],
  );
  assert.equal(weighted.x.length, 1);
  within(weighted.x[0] ?? 0, 0.225, 1e-12, 'weighted x');
  within(weighted.y[0] ?? 0, 0.75, 1e-12, 'weighted y');
});

test('temperature: recovers tau = 1.3 from 3000 simulated races (tolerance 0.1, seed 11)', () => {
  const rng = mulberry32(11);
  const races = Array.from({ length: 3000 }, (_, i) => simulateRace(rng, String(i), { temperature: 1.3 }));
  const tau = fitTemperature(
    races.map((r) => ({
      probs: r.input.runners.map((x) => x.winProbBase),
      winner: r.input.runners.findIndex((x) => x.horseId === r.winnerHorseId),
    })),
  );
  within(tau, 1.3, 0.1, 'tau');
});

test('Platt: recovers a = 0.8, b = -0.3 from 20000 runners (tolerance 0.08 / 0.12, seed 12)', () => {
  const rng = mulberry32(12);
  const points = Array.from({ length: 20000 }, () => {
    const x = 0.01 + 0.6 * rng();
    const y = rng() < sigmoid(0.8 * Math.log(x / (1 - x)) - 0.3) ? 1 : 0;
    return { x, y };
  });
  const { a, b } = fitPlatt(points);
  within(a, 0.8, 0.08, 'a');
  within(b, -0.3, 0.12, 'b');
});

test('market blend: recovers alpha = 0.6, beta = 0.5 from 4000 races (tolerance 0.12, seed 13)', () => {
  const rng = mulberry32(13);
  const norm = (w: number[]): number[] => w.map((v) => v / w.reduce((s, u) => s + u, 0));
  const races = Array.from({ length: 4000 }, () => {
    const s = Array.from({ length: 12 }, () => normal(rng));
    const model = norm(s.map((v) => Math.exp(v + 0.6 * normal(rng))));
    const market = norm(s.map((v) => Math.exp(v + 0.6 * normal(rng))));
    const truth = norm(model.map((p, i) => Math.pow(p, 0.6) * Math.pow(market[i] ?? 0, 0.5)));
    let u = rng();
    let winner = truth.length - 1;
    for (let i = 0; i < truth.length; i++) {
      u -= truth[i] ?? 0;
      if (u <= 0) {
        winner = i;
        break;
      }
    }
    return { model, market, winner };
  });
  const { alpha, beta } = fitMarketBlend(races);
  within(alpha, 0.6, 0.12, 'alpha');
  within(beta, 0.5, 0.12, 'beta');
});

test('Harville discounts: recovers lambda_2 = 0.8, lambda_3 = 0.6 from 3000 orders (tolerance 0.07, seed 14)', () => {
  const rng = mulberry32(14);
  const races = Array.from({ length: 3000 }, (_, i) => {
    const r = simulateRace(rng, String(i));
    return {
      probs: r.trueWin,
      order: drawFinishOrder(rng, r.trueWin, { lambda2: 0.8, lambda3: 0.6 }).slice(0, 3),
    };
  });
  const fitted = fitHarvilleLambdas(races);
  within(fitted.lambda2, 0.8, 0.07, 'lambda2');
  within(fitted.lambda3, 0.6, 0.07, 'lambda3');
});

test('fitCalibrationArtefacts: schema-valid, per-group with default fallback, deterministic, recovers tau', () => {
  const rng = mulberry32(15);
  const races = Array.from({ length: 600 }, (_, i) => {
    const r = simulateRace(rng, String(i + 1), {
      temperature: 1.3,
      calibrationGroup: i % 4 === 0 ? 'small' : 'big',
    });
    return {
      input: r.input,
      winnerHorseId: r.winnerHorseId,
      finishOrder: r.finishOrder,
      marketOdds: r.marketOdds,
    };
  });
  const opts = { version: 'v-test', untilRaceId: '601', bootstrapResamples: 30, minGroupRaces: 200 };
  const art = fitCalibrationArtefacts(races, opts);
  CalibrationArtefactsSchema.parse(art);
  const iso = art.strategies['CalibrationAgent_Isotonic'];
  assert.deepEqual(Object.keys(iso ?? {}).sort(), ['big', 'default']);
  assert.equal(art.fittedOn.races, 600);
  assert.equal(art.fittedOn.fromRaceId, '1');
  assert.ok(art.strategies['UncertaintyQuant_Bootstrapped']?.default?.bootstrap);
  assert.ok(art.strategies['UncertaintyQuant_Conformal']?.default?.conformal);
  assert.ok(art.strategies['UncertaintyQuant_BayesianCredible']?.default?.bins);
  within(art.strategies['CalibrationAgent_Temperature']?.default?.temperature.tau ?? 0, 1.3, 0.2, 'tau');
  assert.ok(art.marketBlend !== null && art.harville.fitted);
  assert.deepEqual(fitCalibrationArtefacts([...races].reverse(), opts), art);
});

test('race ids compare numerically when numeric', () => {
  assert.ok(compareRaceIds('999', '1000') < 0);
  assert.ok(compareRaceIds('b', 'a') > 0);
});
