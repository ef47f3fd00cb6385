import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { goldenOutput, roundedSha256, type GoldenFile } from '../../support/fusion-golden.js';

/**
 * The fifteen strategies and synthesis reproduce the outputs captured before the library was
 * optimised (scripts/capture-fusion-golden.ts): the stored cases number by number within 1e-12 and
 * strings and flags exactly, the hashed cases to 10 significant digits (their digests were recomputed
 * by the pre-optimisation code, commit 054e964, which also reproduced the original bit-exact digests).
 */
const golden = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'golden', 'fusion.json'), 'utf8'),
) as GoldenFile;

function assertClose(actual: unknown, expected: unknown, at: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const ok = actual === expected || Math.abs(actual - expected) <= 1e-12;
    assert.ok(ok, `${at}: ${actual} differs from ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: expected an array`);
    assert.equal(actual.length, expected.length, `${at}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${at}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${at}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${at}: keys`);
    for (const [k, e] of Object.entries(expected))
      assertClose((actual as Record<string, unknown>)[k], e, `${at}.${k}`);
    return;
  }
  assert.equal(actual, expected, at);
}

test('the stored golden cases cover every path the goldens are for', () => {
  const cases = [...golden.full.map((f) => f.case), ...golden.hashed.map((h) => h.case)];
  for (const kind of ['fitted', 'rich', 'none'] as const) assert.ok(cases.some((c) => c.artefacts === kind));
  assert.ok(cases.some((c) => c.input.runners.length === 14));
  assert.ok(cases.some((c) => c.input.calibrationGroup === 'other'));
  assert.ok(cases.some((c) => c.options?.quorum === 16));
  assert.ok(new Set(cases.map((c) => c.input.placesPaid)).size === 3);
});

test('fifteen strategies and synthesis reproduce the stored outputs to 1e-12', () => {
  for (const { case: c, expected } of golden.full) {
    // Round-trip through JSON as the stored side was, so undefined fields compare alike.
    const actual = JSON.parse(JSON.stringify(goldenOutput(c, golden.artefacts))) as unknown;
    assertClose(actual, expected, c.name);
  }
});

test('fifteen strategies and synthesis reproduce the hashed outputs to 10 significant digits', () => {
  const mismatched = golden.hashed
    .filter((h) => roundedSha256(goldenOutput(h.case, golden.artefacts)) !== h.roundedSha256)
    .map((h) => h.case.name);
  assert.deepEqual(mismatched, []);
});
