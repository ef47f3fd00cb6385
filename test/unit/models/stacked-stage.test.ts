import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyRichBlend,
  fitStackedStage,
  mulberry32,
  type AgentRunnerInput,
  type RichBlendRace,
} from '../../../agents/index.js';
import { RichBlendSchema } from '../../../agents/artefacts.js';

const normalise = (xs: number[]): number[] => xs.map((x) => x / xs.reduce((a, b) => a + b, 0));

/**
 * Races whose winner is drawn from market^1 * lgbm^w.lgbm * tactics-LR^w.tactics; every other member and
 * evidence group varies across runners but carries no information.
 */
function simulated(n: number, w: { lgbm: number; tactics: number }, seed = 5): RichBlendRace[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const k = 9;
    const draw = (spread: number) => normalise(Array.from({ length: k }, () => Math.exp(rng() * spread)));
    const market = draw(3);
    const clogit = draw(2);
    const lgbm = draw(2);
    const lr = () => Array.from({ length: k }, () => Math.exp(rng() * 2 - 1));
    const [form, conditions, tactics, context] = [lr(), lr(), lr(), lr()];
    const truth = normalise(market.map((m, i) => m * lgbm[i]! ** w.lgbm * tactics[i]! ** w.tactics));
    let u = rng();
    let winner = 0;
    while (winner < k - 1 && u > truth[winner]!) u -= truth[winner++]!;
    const runners = market.map((_, i): AgentRunnerInput => ({
      horseId: `h${i}`,
      winProbBase: lgbm[i]!,
      winProbLower: lgbm[i]! / 2,
      winProbUpper: Math.min(1, lgbm[i]! * 1.5),
      quantConfidence: 0.8,
      lrProduct: form[i]! * conditions[i]! * tactics[i]! * context[i]!,
      chemistry: 1,
      distance: 0,
      weather: 0,
      qualConfidence: 0.7,
      lrGroups: {
        formFitness: form[i]!,
        conditions: conditions[i]!,
        tactics: tactics[i]!,
        context: context[i]!,
      },
      quantMembers: { clogit: clogit[i]!, lgbm: lgbm[i]! },
    }));
    return { runners, market, winner };
  });
}

const coefOf = (fit: ReturnType<typeof fitStackedStage>) =>
  Object.fromEntries(fit.terms.map((t) => [t.name, t]));

void test('the stacked stage chooses the member and group terms by CV and recovers their coefficients', () => {
  const fit = fitStackedStage(simulated(3000, { lgbm: 0.5, tactics: 0.4 }), { folds: 4 });
  assert.ok(fit.choice.candidate.startsWith('stack'), `chose ${fit.choice.candidate}`);
  const c = coefOf(fit);
  for (const [name, want] of [
    ['ln_market', 1],
    ['ln_lgbm', 0.5],
    ['ln_lr_tactics', 0.4],
  ] as const) {
    const t = c[name]!;
    assert.ok(Math.abs(t.coef - want) < 3 * t.se + 0.05, `${name} ${t.coef} +- ${t.se}, want ${want}`);
    assert.ok(t.se > 0 && t.se < 0.2, `${name} se ${t.se}`);
  }
  // the uninformative terms shrink to about zero, within a few standard errors
  for (const name of [
    'ln_clogit',
    'ln_lr_form',
    'ln_lr_conditions',
    'ln_lr_context',
    'ln_market_sq',
  ] as const)
    assert.ok(Math.abs(c[name]!.coef) < 3 * c[name]!.se + 0.02, `${name} ${c[name]!.coef} +- ${c[name]!.se}`);
  // the CV table shows the gain of the chosen candidate over the market alone, with its paired SE
  const best = fit.cv.table.find((r) => r.candidate === fit.choice.candidate && r.l2 === fit.choice.l2)!;
  assert.equal(fit.cv.reference, 'market');
  assert.ok(
    best.deltaVsReference < -2 * best.pairedSE,
    `CV delta ${best.deltaVsReference} SE ${best.pairedSE}`,
  );
});

void test('with nothing beyond the market, every non-market coefficient of the chosen stage is about zero', () => {
  const fit = fitStackedStage(simulated(2000, { lgbm: 0, tactics: 0 }, 9), { folds: 4 });
  for (const t of fit.terms)
    if (t.name !== 'ln_market')
      assert.ok(Math.abs(t.coef) < 0.1, `${t.name} ${t.coef} (${fit.choice.candidate})`);
  const best = fit.cv.table.find((r) => r.candidate === fit.choice.candidate && r.l2 === fit.choice.l2)!;
  assert.ok(Math.abs(best.deltaVsReference) < 3 * best.pairedSE + 1e-4, `CV delta ${best.deltaVsReference}`);
});

void test('a stacked stage stored as the rich blend parses and gives the final probabilities', () => {
  const races = simulated(400, { lgbm: 0.5, tactics: 0.4 });
  const fit = fitStackedStage(races, { folds: 3, l2: [10] });
  const blend = RichBlendSchema.parse({
    kind: 'conditional-logit',
    terms: fit.terms.map(({ name, coef }) => ({ name, coef })),
    races: fit.races,
    l2: fit.choice.l2,
    source: 'test',
    fallback: { terms: [{ name: 'ln_market', coef: 1 }], races: fit.races },
    stacked: {
      candidate: fit.choice.candidate,
      se: Object.fromEntries(fit.terms.map((t) => [t.name, t.se])),
      cv: fit.cv,
    },
  });
  const p = applyRichBlend(blend, races[0]!.runners, races[0]!.market);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

void test('the stacked stage refuses too few races instead of fitting noise', () => {
  assert.throws(() => fitStackedStage(simulated(20, { lgbm: 0, tactics: 0 }), { folds: 4 }), /at least 40/);
});
