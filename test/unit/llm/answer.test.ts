import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretAnswer, parseAnswer } from '../../../llm/answer.js';
import { LlmInvalidAnswer } from '../../../llm/errors.js';
import { QualRunnerSchema } from '../../../schemas/index.js';
import { validAnswerFor } from '../../support/openai-stub.js';
import { activeIds, card } from './fixtures.js';

const answer = () => validAnswerFor(activeIds);

void test('an in-range answer passes through unflagged, in card order, with lrProduct the product', () => {
  const a = answer();
  a.runners.reverse();
  const out = interpretAnswer(card, parseAnswer(a));
  assert.deepEqual(
    out.runners.map((r) => r.horseId),
    activeIds,
  );
  assert.deepEqual(out.flags, []);
  for (const r of out.runners) {
    QualRunnerSchema.parse(r);
    assert.deepEqual(r.flags, []);
    assert.ok(
      Math.abs(r.lrProduct - r.lr.formFitness * r.lr.conditions * r.lr.tactics * r.lr.context) < 1e-12,
    );
  }
});

void test('out-of-range LRs, matrix values and confidence are clipped and flagged per runner', () => {
  const a = answer();
  const r0 = a.runners[0]!;
  r0.lr.tactics = 25;
  r0.lr.context = 0.01;
  r0.matrix.weather = -0.5;
  r0.matrix.chemistry = 1.3;
  r0.confidence = 1.4;
  const out = interpretAnswer(card, parseAnswer(a));
  const first = out.runners[0]!;
  assert.equal(first.lr.tactics, 10);
  assert.equal(first.lr.context, 0.1);
  assert.equal(first.matrix.weather, -0.12);
  assert.equal(first.matrix.chemistry, 1.15);
  assert.equal(first.confidence, 1);
  assert.deepEqual(first.flags.sort(), [
    'confidence-clipped',
    'lr-clipped:context',
    'lr-clipped:tactics',
    'matrix-clipped:chemistry',
    'matrix-clipped:weather',
  ]);
  QualRunnerSchema.parse(first);
  assert.deepEqual(out.runners[1]!.flags, []);
  assert.deepEqual(out.flags, []);
});

void test('lrProduct is clipped to [0.01, 100] and flagged even when every LR is in range', () => {
  const a = answer();
  a.runners[0]!.lr = { formFitness: 5, conditions: 5, tactics: 5, context: 5 };
  a.runners[1]!.lr = { formFitness: 0.2, conditions: 0.2, tactics: 0.2, context: 0.2 };
  const out = interpretAnswer(card, parseAnswer(a));
  assert.equal(out.runners[0]!.lrProduct, 100);
  assert.equal(out.runners[1]!.lrProduct, 0.01);
  assert.deepEqual(out.runners[0]!.flags, ['lr-product-clipped']);
  assert.deepEqual(out.runners[1]!.flags, ['lr-product-clipped']);
});

void test('absurd answers are flagged llm-absurd at the race level and on every runner', () => {
  const atBounds = answer();
  atBounds.runners.forEach(
    (r, i) =>
      (r.lr =
        i % 2
          ? { formFitness: 10, conditions: 0.1, tactics: 10, context: 0.1 }
          : { formFitness: 0.1, conditions: 10, tactics: 0.1, context: 10 }),
  );
  const everyoneFavoured = answer();
  everyoneFavoured.runners.forEach((r) => (r.lr = { formFitness: 3, conditions: 3, tactics: 3, context: 4 }));
  for (const a of [atBounds, everyoneFavoured]) {
    const out = interpretAnswer(card, parseAnswer(a));
    assert.deepEqual(out.flags, ['llm-absurd']);
    assert.ok(out.absurdReasons.length > 0);
    for (const r of out.runners) assert.ok(r.flags.includes('llm-absurd'));
  }
});

void test('lists and narrative longer than QualRunner allows are truncated and flagged', () => {
  const a = answer();
  a.runners[0]!.keyStrengths = ['a', 'b', 'c', 'd', 'e', 'f', ''];
  a.runners[0]!.keyConcerns = ['x'.repeat(250)];
  a.runners[0]!.narrative = 'n'.repeat(400);
  const first = interpretAnswer(card, parseAnswer(a)).runners[0]!;
  assert.equal(first.keyStrengths.length, 5);
  assert.equal(first.keyConcerns[0]!.length, 200);
  assert.equal(first.narrative.length, 300);
  assert.deepEqual(first.flags.sort(), ['concerns-truncated', 'narrative-truncated', 'strengths-truncated']);
  QualRunnerSchema.parse(first);
});

void test('missing, unknown, scratched or duplicated runners are LlmInvalidAnswer', () => {
  const cases = [
    validAnswerFor(['H1', 'H2']),
    validAnswerFor([...activeIds, 'H9']),
    validAnswerFor([...activeIds, 'H4']),
    validAnswerFor(['H1', 'H2', 'H3', 'H3']),
  ];
  for (const a of cases) assert.throws(() => interpretAnswer(card, parseAnswer(a)), LlmInvalidAnswer);
});

void test('non-finite or mistyped numbers are LlmInvalidAnswer', () => {
  for (const bad of [Number.NaN, Infinity, '2']) {
    const a = answer() as unknown as { runners: { lr: Record<string, unknown> }[] };
    a.runners[0]!.lr.tactics = bad;
    assert.throws(() => interpretAnswer(card, parseAnswer(a)), LlmInvalidAnswer);
  }
});
