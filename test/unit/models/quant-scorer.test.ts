import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { harvillePlaceProbs } from '../../../models/quant/place.js';
import { QuantScorer, defaultQuantMetadataPath } from '../../../models/quant/scorer.js';
import { QuantOutputSchema } from '../../../schemas/quant.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const ParityFixtureSchema = z.object({
  modelVersion: z.string(),
  featureNames: z.array(z.string()),
  rows: z.array(z.array(z.number())),
  memberScores: z.record(z.string(), z.array(z.number())),
  pooledScores: z.array(z.number()),
});
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

void test('onnxruntime-node reproduces every member score and the pooled score Python computed for the parity fixture', async () => {
  const metaPath = defaultQuantMetadataPath();
  const scorer = await QuantScorer.load(metaPath);
  try {
    const fixture = ParityFixtureSchema.parse(
      JSON.parse(readFileSync(join(dirname(metaPath), `parity-fixture-${scorer.modelVersion}.json`), 'utf8')),
    );
    assert.deepEqual(fixture.featureNames, scorer.meta.featureNames);
    const got = await scorer.scoreRows(fixture.rows.map((r) => Float32Array.from(r)));
    assert.deepEqual(Object.keys(got.members).sort(), Object.keys(fixture.memberScores).sort());
    assert.ok(Object.keys(got.members).length >= 2, 'the ensemble has at least two members');
    for (const [name, want] of Object.entries(fixture.memberScores)) {
      want.forEach((w, i) =>
        assert.ok(
          Math.abs((got.members[name]?.[i] as number) - w) < 1e-4,
          `${name} row ${i}: ${got.members[name]?.[i]} vs ${w}`,
        ),
      );
    }
    fixture.pooledScores.forEach((w, i) =>
      assert.ok(Math.abs((got.pooled[i] as number) - w) < 1e-4, `pooled row ${i}: ${got.pooled[i]} vs ${w}`),
    );
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
        for (const name of ['clogit', 'lgbm', out.modelVersion])
          assert.ok((r.modelScores[name] ?? -1) >= 0, `modelScores.${name}`);
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

void test('the scorer refuses a model trained on another feature version', async () => {
  const metaPath = defaultQuantMetadataPath();
  const dir = mkdtempSync(join(tmpdir(), 'quant-version-'));
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
    const copy = join(dir, 'meta.json');
    writeFileSync(copy, JSON.stringify({ ...meta, featureVersion: 'qf1' }));
    await assert.rejects(
      QuantScorer.load(copy),
      (err: Error) => err.name === 'QuantModelError' && /trained on features qf1/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
