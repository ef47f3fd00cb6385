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
  synthesize,
  type AgentInput,
  type AgentRunnerInput,
  type RichBlendRace,
} from '../../../agents/index.js';

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
  const withOdds = synthesize({ input, agentOutputs, failures: [], marketOdds: odds, artefacts });
  const market = normalise(Object.values(odds).map((o) => 1 / o));
  const expected = applyRichBlend(artefacts.richBlend, input.runners, market);
  withOdds.runners.forEach((r, i) => assert.ok(Math.abs(r.winProbFinal - (expected[i] as number)) < 1e-12));
  assert.ok(withOdds.summary.richBlend);
  assert.equal(withOdds.summary.marketBlend, null);
  assert.match(withOdds.explanation.marketBlend, /one-stage/);
  const missing = synthesize({
    input,
    agentOutputs,
    failures: [],
    marketOdds: { ...odds, h4: undefined },
    artefacts,
  });
  missing.runners.forEach((r) => assert.equal(r.winProbFinal, r.winProbModel));
});
