import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  harvillePlace,
  mulberry32,
  runStrategy,
  simulateRace,
  STRATEGY_NAMES,
  synthesise,
} from '../../../agents/index.js';
import { testArtefacts } from './fixtures.js';

test('after the market blend, place probabilities follow the final win probabilities (never below them)', () => {
  const rng = mulberry32(99);
  const artefacts = testArtefacts();
  assert.ok(artefacts.marketBlend, 'a market blend was fitted');
  // A market that strongly disagrees with the model, so final and model win probabilities differ a lot.
  const race = simulateRace(rng, 'x', { minRunners: 12, maxRunners: 12, marketNoise: 1.5 });
  const outputs = STRATEGY_NAMES.map((n) => runStrategy(n, race.input, artefacts));
  const result = synthesise({
    input: race.input,
    agentOutputs: outputs,
    failures: [],
    marketOdds: race.marketOdds,
    artefacts,
  });
  const finalWin = result.runners.map((r) => r.winProbFinal);
  assert.ok(
    result.runners.some((r) => Math.abs(r.winProbFinal - r.winProbModel) > 0.01),
    'the blend moved the probabilities',
  );
  const expected = harvillePlace(finalWin, race.input.placesPaid, artefacts.harville);
  result.runners.forEach((r, i) => {
    assert.ok(
      r.placeProb >= r.winProbFinal - 1e-12,
      `runner ${r.horseId}: place ${r.placeProb} < win ${r.winProbFinal}`,
    );
    assert.ok(Math.abs(r.placeProb - expected[i]!) < 1e-12);
  });
  const placeSum = result.runners.reduce((s, r) => s + r.placeProb, 0);
  assert.ok(Math.abs(placeSum - race.input.placesPaid) < 1e-9);
});
