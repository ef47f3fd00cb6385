import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { harvillePlaceProbs } from '../../../models/quant/place.js';
import { QuantScorer, defaultQuantMetadataPath } from '../../../models/quant/scorer.js';
import { QuantOutputSchema } from '../../../schemas/quant.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const ParityFixtureSchema = z.object({ modelVersion: z.string(), featureNames: z.array(z.string()), rows: z.array(z.array(z.number())), scores: z.array(z.number()) });
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

void test('onnxruntime-node reproduces the scores Python computed for the parity fixture (within 1e-5)', async () => {
  const metaPath = defaultQuantMetadataPath();
  const scorer = await QuantScorer.load(metaPath);
  try {
    const fixture = ParityFixtureSchema.parse(
      JSON.parse(readFileSync(join(dirname(metaPath), `parity-fixture-${scorer.modelVersion}.json`), 'utf8')),
    );
    assert.deepEqual(fixture.featureNames, scorer.meta.featureNames);
    const got = await scorer.scoreRows(fixture.rows.map((r) => Float32Array.from(r)));
    fixture.scores.forEach((want, i) => assert.ok(Math.abs((got[i] as number) - want) < 1e-5, `row ${i}: ${got[i]} vs ${want}`));
  } finally {
    await scorer.release();
  }
});

void test('the scorer gives win probs summing to 1 and place probs summing to placesPaid', async () => {
  const scorer = await QuantScorer.load();
  try {
    const acc = new HistoryAccumulator();
    for (let i = 0; i < 15; i++) acc.record(syntheticRace(i));
    for (const card of [syntheticCard(15), syntheticCard(16, [1, 2, 3, 4]), syntheticCard(17, [5, 6])]) {
      const out = QuantOutputSchema.parse(await scorer.score(card, acc.historiesFor(card)));
      assert.equal(out.runners.length, card.runners.length);
      assert.ok(Math.abs(sum(out.runners.map((r) => r.winProbBase)) - 1) < 1e-9);
      assert.ok(Math.abs(sum(out.runners.map((r) => r.placeProbBase)) - out.placesPaid) < 1e-9);
      for (const r of out.runners) {
        assert.ok(r.winProbLower <= r.winProbBase && r.winProbBase <= r.winProbUpper);
        assert.ok(r.placeProbLower <= r.placeProbBase && r.placeProbBase <= r.placeProbUpper);
        assert.ok(r.topFeatures.length === 10);
      }
    }
  } finally {
    await scorer.release();
  }
});

void test('discounted Harville: two runners with one place equals the win probs; three places sum to 3', () => {
  assert.deepEqual(harvillePlaceProbs([0.7, 0.3], 1), [0.7, 0.3]);
  const p = harvillePlaceProbs([0.4, 0.3, 0.15, 0.1, 0.05], 3);
  assert.ok(Math.abs(sum(p) - 3) < 1e-12);
  assert.ok(p.every((x, i) => i === 0 || x <= (p[i - 1] as number)));
});
