import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contributions } from '../../../backtest/contributions.js';
import type { ReplayedRace } from '../../../backtest/replay.js';
import { mulberry32 } from '../../../agents/index.js';

const normalise = (xs: number[]): number[] => xs.map((x) => x / xs.reduce((a, b) => a + b, 0));

/**
 * Races where the tactics LR points at the winner and the form LR is noise; final = market * LR^coef
 * as the stage would give it. Agent "good" puts weight on the winner, agent "bad" on a loser.
 */
function races(n: number): ReplayedRace[] {
  const rng = mulberry32(11);
  return Array.from({ length: n }, (_, j) => {
    const k = 6;
    const winner = Math.floor(rng() * k);
    const market = normalise(Array.from({ length: k }, () => 0.5 + rng()));
    const tactics = market.map((_, i) => (i === winner ? 2 : 1) * (0.8 + 0.4 * rng()));
    const form = market.map(() => 0.5 + rng());
    const final = normalise(market.map((m, i) => m * tactics[i]! ** 0.8 * form[i]! ** 0.3));
    const loser = (winner + 1) % k;
    const flat = market.map(() => 1 / k);
    return {
      raceNumericId: j,
      raceId: `r${j}`,
      horseIds: market.map((_, i) => `h${i}`),
      positions: market.map((_, i) => (i === winner ? 1 : i + 2)),
      odds: market.map((p) => 1 / p),
      quant: market,
      fused: flat,
      final,
      date: '2020-01-01',
      placesPaid: 3,
      qualLr: tactics.map((t, i) => t * form[i]!),
      place: flat,
      placeOdds: market.map(() => undefined),
      strategies: {
        good: normalise(flat.map((p, i) => (i === winner ? 3 * p : p))),
        bad: normalise(flat.map((p, i) => (i === loser ? 3 * p : p))),
        neutral: flat,
      },
      groupLr: { formFitness: form, conditions: flat.map(() => 1), tactics, context: flat.map(() => 1) },
      degraded: false,
      ms: 1,
    };
  });
}

const stage = {
  candidate: 'stack',
  terms: [
    { name: 'ln_market', coef: 1, se: 0.01 },
    { name: 'ln_lr_tactics', coef: 0.8, se: 0.1 },
    { name: 'ln_lr_form', coef: 0.3, se: 0.2 },
  ],
  cv: [
    { candidate: 'market', l2: 1, logLoss: 1.5, deltaVsReference: 0, pairedSE: 0 },
    { candidate: 'stack', l2: 1, logLoss: 1.49, deltaVsReference: -0.01, pairedSE: 0.004 },
    { candidate: 'stack', l2: 10, logLoss: 1.48, deltaVsReference: -0.02, pairedSE: 0.005 },
  ],
};

test('dropping an informative group raises the log loss, dropping a noise group lowers it', () => {
  const rs = races(400);
  const c = contributions([
    { firstRaceId: 0, lastRaceId: 199, races: rs.slice(0, 200), stage },
    { firstRaceId: 200, lastRaceId: 399, races: rs.slice(200) },
  ]);
  const tactics = c.groups.find((g) => g.name.startsWith('tactics'))!;
  const form = c.groups.find((g) => g.name.startsWith('formFitness'))!;
  assert.ok(tactics.deltaLogLoss > 2 * tactics.pairedSE, JSON.stringify(tactics));
  assert.ok(form.deltaLogLoss < 0, JSON.stringify(form));
  // The second block has no stage: its races count, unchanged by the drop.
  assert.equal(tactics.races, 400);
  assert.deepEqual(c.coefficients.find((t) => t.term === 'ln_lr_tactics')!.perBlock, [
    { coef: 0.8, se: 0.1 },
    null,
  ]);
  // The CV row of a candidate is the one at its best penalty.
  assert.deepEqual(c.cv.find((r) => r.candidate === 'stack')!.perBlock, [
    { deltaVsReference: -0.02, pairedSE: 0.005 },
    null,
  ]);
  assert.deepEqual(
    c.blocks.map((b) => b.candidate),
    ['stack', null],
  );
});

test('an agent that points at winners helps the consensus, one that points at losers hurts it', () => {
  const c = contributions([{ firstRaceId: 0, lastRaceId: 299, races: races(300) }]);
  const by = Object.fromEntries(c.agents.map((a) => [a.name, a]));
  assert.ok(by.good!.deltaLogLoss > 0);
  assert.ok(by.bad!.deltaLogLoss < 0);
  assert.ok(by.good!.ownLogLoss < by.neutral!.ownLogLoss && by.neutral!.ownLogLoss < by.bad!.ownLogLoss);
  // No stage in any block: no term to drop.
  assert.deepEqual(c.groups, []);
});
