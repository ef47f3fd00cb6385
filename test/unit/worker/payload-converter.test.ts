import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { payloadConverter } from '../../../worker/payload-converter.js';

// Histories written by workers on the SDK's default converter must replay on ours and the reverse, so
// the bytes have to be the same, not only the decoded values.
const VALUES: unknown[] = [
  { raceId: 'ST-2026-01-10-1', runners: [{ horseId: 'H1', winProb: 0.1234567890123456, flags: [] }] },
  { name: 'Élan Vital 駿馬 🐎', reasoning: 'base 17.8% x LR 2.30^0.8 -> fused 22.3%' },
  'a lone surrogate \ud800 and its pair \ud83d\udc0e',
  [1, -0, 1e-300, Number.MAX_SAFE_INTEGER, null, true],
  null,
];

describe('the native-codec payload converter', () => {
  for (const value of VALUES) {
    it(`writes the default converter's bytes for ${JSON.stringify(value).slice(0, 40)}`, () => {
      const ours = payloadConverter.toPayload(value);
      const theirs = defaultPayloadConverter.toPayload(value);
      assert.deepEqual(ours.metadata, theirs.metadata);
      assert.deepEqual(Buffer.from(ours.data!), Buffer.from(theirs.data!));
      assert.deepEqual(payloadConverter.fromPayload(theirs), defaultPayloadConverter.fromPayload(ours));
    });
  }

  it('keeps undefined and binary values on their own encodings', () => {
    assert.deepEqual(payloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(undefined));
    const bytes = new Uint8Array([0, 255, 7]);
    assert.deepEqual(payloadConverter.toPayload(bytes), defaultPayloadConverter.toPayload(bytes));
    assert.deepEqual(payloadConverter.fromPayload(payloadConverter.toPayload(bytes)), bytes);
  });
});
