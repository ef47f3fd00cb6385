import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalibrationArtefactsSchema,
  RICH_BLEND_TERMS,
  STRATEGY_NAMES,
  applyRichBlend,
  fitRichBlend,
  mulberry32,
  runStrategy,
  synthesise,
  type AgentInput,
  type AgentRunnerInput,
  type RichBlendRace,
  type RichBlendTerm,
} from '../../../agents/index.js';
import { RichBlendSchema } from '../../../agents/artefacts.js';
import { AgentRunnerInputSchema } from '../../../schemas/agent.js';

const runner = (i: number, p: number, lr = 1): AgentRunnerInput => ({
  horseId: `h${i}`,
  winProbBase: p,
  winProbLower: p / 2,
  winProbUpper: Math.min(1, p * 1.5),
  quantConfidence: 0.8,
  lrProduct: lr,
  chemistry: 1,
  distance: 0,
  weather: 0,
  qualConfidence: 0.7,
});

const normalise = (xs: number[]): number[] => xs.map((x) => x / xs.reduce((a, b) => a + b, 0));

/** Races where the truth mixes the market with a quant signal: the fit must find a positive ln_quant weight. */
function simulated(n: number): RichBlendRace[] {
  const rng = mulberry32(11);
  return Array.from({ length: n }, () => {
    const k = 8;
    const market = normalise(Array.from({ length: k }, () => Math.exp(rng() * 3)));
    const quant = normalise(Array.from({ length: k }, () => Math.exp(rng() * 2)));
    const truth = normalise(market.map((m, i) => m * (quant[i] as number) ** 0.5));
    let u = rng();
    let winner = 0;
    while (winner < k - 1 && u > (truth[winner] as number)) u -= truth[winner++] as number;
    return { runners: quant.map((q, i) => runner(i, q)), market, winner };
  });
}

void test('the one-stage blend recovers the market and quant weights of simulated races', () => {
  const fit = fitRichBlend(simulated(3000), 0.1);
  const coef = Object.fromEntries(fit.terms.map((t) => [t.name, t.coef]));
  assert.deepEqual(Object.keys(coef), [...RICH_BLEND_TERMS]);
  assert.ok(Math.abs((coef.ln_market as number) - 1) < 0.3, `ln_market ${coef.ln_market}`);
  assert.ok(Math.abs((coef.ln_quant as number) - 0.5) < 0.2, `ln_quant ${coef.ln_quant}`);
});

void test('applyRichBlend with only ln_market = 1 returns the market, and probabilities sum to 1', () => {
  const blend = {
    kind: 'conditional-logit' as const,
    terms: [{ name: 'ln_market' as const, coef: 1 }],
    races: 1,
    l2: 0,
    source: 'test',
  };
  const market = [0.5, 0.3, 0.2];
  const p = applyRichBlend(blend, [runner(0, 0.2), runner(1, 0.3), runner(2, 0.5)], market);
  p.forEach((v, i) => assert.ok(Math.abs(v - (market[i] as number)) < 1e-12));
});

void test('synthesis applies the shipped one-stage blend when every runner has odds, and says so', () => {
  const artefacts = CalibrationArtefactsSchema.parse(
    JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          '../../../models/artefacts',
          (
            JSON.parse(
              readFileSync(join(import.meta.dirname, '../../../models/artefacts/current.json'), 'utf8'),
            ) as { file: string }
          ).file,
        ),
        'utf8',
      ),
    ),
  );
  assert.ok(artefacts.richBlend, 'the shipped artefact carries a one-stage blend');
  const input: AgentInput = {
    raceId: 'r1',
    placesPaid: 3,
    calibrationGroup: 'turf',
    runners: [0.3, 0.25, 0.2, 0.15, 0.1].map((p, i) => runner(i, p, 1 + i * 0.1)),
  };
  const agentOutputs = STRATEGY_NAMES.map((s) => runStrategy(s, input, artefacts));
  const odds = { h0: 3, h1: 4, h2: 6, h3: 8, h4: 12 };
  const withOdds = synthesise({ input, agentOutputs, failures: [], marketOdds: odds, artefacts });
  const market = normalise(Object.values(odds).map((o) => 1 / o));
  const expected = applyRichBlend(artefacts.richBlend, input.runners, market);
  withOdds.runners.forEach((r, i) => assert.ok(Math.abs(r.winProbFinal - (expected[i] as number)) < 1e-12));
  assert.ok(withOdds.summary.richBlend);
  assert.equal(withOdds.summary.marketBlend, null);
  assert.match(withOdds.explanation.marketBlend, /one-stage/);
  const missing = synthesise({
    input,
    agentOutputs,
    failures: [],
    marketOdds: { ...odds, h4: undefined },
    artefacts,
  });
  missing.runners.forEach((r) => assert.equal(r.winProbFinal, r.winProbModel));
});

/** Races whose truth mixes the market, one quant member and the tactics group LR with known weights. */
function simulatedExtended(n: number): RichBlendRace[] {
  const rng = mulberry32(23);
  return Array.from({ length: n }, () => {
    const k = 10;
    const market = normalise(Array.from({ length: k }, () => Math.exp(rng() * 3)));
    const clogit = normalise(Array.from({ length: k }, () => Math.exp(rng() * 2)));
    const lgbm = normalise(Array.from({ length: k }, () => Math.exp(rng() * 2)));
    const tactics = Array.from({ length: k }, () => Math.exp(rng() * 2 - 1));
    const other = Array.from({ length: k }, () => Math.exp(rng() * 2 - 1));
    const truth = normalise(
      market.map((m, i) => m * (lgbm[i] as number) ** 0.4 * (tactics[i] as number) ** 0.3),
    );
    let u = rng();
    let winner = 0;
    while (winner < k - 1 && u > (truth[winner] as number)) u -= truth[winner++] as number;
    const runners = market.map((_, i) => ({
      ...runner(i, normalise(clogit.map((c, j) => c * (lgbm[j] as number)))[i] as number),
      lrGroups: {
        formFitness: other[i] as number,
        conditions: 1,
        tactics: tactics[i] as number,
        context: 1 / (other[i] as number),
      },
      quantMembers: { clogit: clogit[i] as number, lgbm: lgbm[i] as number },
    }));
    return { runners, market, winner };
  });
}

const EXTENDED: RichBlendTerm[] = [
  'ln_market',
  'ln_lr_form',
  'ln_lr_conditions',
  'ln_lr_tactics',
  'ln_lr_context',
  'ln_clogit',
  'ln_lgbm',
];

void test('the extended blend recovers the member and group-LR weights of simulated races', () => {
  const fit = fitRichBlend(simulatedExtended(4000), 0.1, EXTENDED);
  const coef = Object.fromEntries(fit.terms.map((t) => [t.name, t.coef]));
  assert.deepEqual(Object.keys(coef), EXTENDED);
  assert.equal(fit.races, 4000);
  assert.ok(Math.abs((coef.ln_market as number) - 1) < 0.15, `ln_market ${coef.ln_market}`);
  assert.ok(Math.abs((coef.ln_lgbm as number) - 0.4) < 0.15, `ln_lgbm ${coef.ln_lgbm}`);
  assert.ok(Math.abs((coef.ln_lr_tactics as number) - 0.3) < 0.1, `ln_lr_tactics ${coef.ln_lr_tactics}`);
  for (const t of ['ln_clogit', 'ln_lr_form', 'ln_lr_context'] as const)
    assert.ok(Math.abs(coef[t] as number) < 0.12, `${t} ${coef[t]}`);
  // conditions is constant within every race, so it carries no information and the ridge keeps it at 0
  assert.ok(Math.abs(coef.ln_lr_conditions as number) < 1e-6);
});

void test('an extended blend falls back to its base terms when a runner lacks the extras', () => {
  const races = simulatedExtended(50);
  const blend = {
    kind: 'conditional-logit' as const,
    terms: [
      { name: 'ln_market' as const, coef: 0.9 },
      { name: 'ln_lr_tactics' as const, coef: 0.3 },
      { name: 'ln_lgbm' as const, coef: 0.2 },
    ],
    races: 50,
    l2: 1,
    source: 'test',
    fallback: {
      terms: [
        { name: 'ln_market' as const, coef: 0.95 },
        { name: 'ln_quant' as const, coef: 0.1 },
      ],
      races: 50,
    },
  };
  const race = races[0]!;
  const full = applyRichBlend(blend, race.runners, race.market);
  assert.ok(Math.abs(full.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const expectedFull = normalise(
    race.market.map(
      (m, i) =>
        m ** 0.9 * (race.runners[i]!.lrGroups!.tactics ** 0.3 * race.runners[i]!.quantMembers!.lgbm! ** 0.2),
    ),
  );
  full.forEach((p, i) => assert.ok(Math.abs(p - (expectedFull[i] as number)) < 1e-12));
  // one runner recorded before the extras existed: the whole race uses the fallback
  const old = race.runners.map((r, i) => (i === 0 ? runner(0, r.winProbBase, r.lrProduct) : r));
  const fb = applyRichBlend(blend, old, race.market);
  const expectedFb = normalise(race.market.map((m, i) => m ** 0.95 * old[i]!.winProbBase ** 0.1));
  fb.forEach((p, i) => assert.ok(Math.abs(p - (expectedFb[i] as number)) < 1e-12));
  assert.ok(Math.abs(fb.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

void test('without the extras the default fit and its terms are the base ones, and base inputs still parse', () => {
  const base = simulated(300);
  assert.equal(
    base.every((r) => r.runners.every((u) => u.lrGroups === undefined && u.quantMembers === undefined)),
    true,
  );
  const a = fitRichBlend(base, 1);
  const b = fitRichBlend(base, 1, RICH_BLEND_TERMS);
  assert.deepEqual(a.terms, b.terms);
  assert.deepEqual(
    a.terms.map((t) => t.name),
    [...RICH_BLEND_TERMS],
  );
  // an extended fit skips races without the extras rather than guessing them
  assert.equal(fitRichBlend(base, 1, EXTENDED).races, 0);
  assert.ok(AgentRunnerInputSchema.safeParse(runner(0, 0.2)).success);
  // an artefact with extended terms must carry a base-term fallback
  const extended = {
    kind: 'conditional-logit',
    terms: [{ name: 'ln_lgbm', coef: 0.1 }],
    races: 1,
    l2: 1,
    source: 't',
  };
  assert.equal(RichBlendSchema.safeParse(extended).success, false);
  assert.equal(
    RichBlendSchema.safeParse({
      ...extended,
      fallback: { terms: [{ name: 'ln_market', coef: 1 }], races: 1 },
    }).success,
    true,
  );
});
