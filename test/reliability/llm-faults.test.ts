import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import {
  startOpenAiStub,
  validAnswerFor,
  type OpenAiStub,
  type StubBehaviour,
} from '../support/openai-stub.js';

/**
 * LLM faults through the race workflow. Already covered in test/integration/llm-analyst.test.ts: a valid
 * answer, HTTP 500 on every attempt (fallback), HTTP 401 (no retry). Here: the rest of the list.
 */
describe('LLM faults inside the race workflow (local OpenAI-compatible stub)', () => {
  let stack: TestStack;
  let stub: OpenAiStub;
  let cards: RaceCard[];
  const llmEnv = (timeoutMs = 5000) => ({
    OPENAI_API_KEY: 'sk-test-dummy',
    LLM_BASE_URL: stub.baseURL,
    LLM_MAX_RETRIES: '0',
    LLM_TIMEOUT_MS: String(timeoutMs),
  });

  before(async () => {
    stack = await startTestStack();
    stub = await startOpenAiStub();
    cards = await seedRaceDay(stack.db, 53, 6);
  });
  after(async () => {
    await stub?.close();
    await stack?.stop();
  });

  async function run(i: number, script: StubBehaviour[], timeoutMs?: number) {
    stub.setScript(script);
    const w = await stack.startWorker({ llmEnv: llmEnv(timeoutMs) });
    try {
      const card = cards[i]!;
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline' });
      const result = await w.client.result(workflowId, runId);
      const qual = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) => a.activityType === 'qualAnalysis',
      );
      return { result, qualAttempts: qual?.attempts };
    } finally {
      await w.stop();
    }
  }

  test('HTTP 429 once is retried by Temporal and the LLM answers on the second attempt', async () => {
    const { result, qualAttempts } = await run(0, [
      { kind: 'status', status: 429, message: 'slow down' },
      { kind: 'answer' },
    ]);
    assert.equal(result.provenance.qualSource, 'llm:gpt-4o-mini');
    assert.equal(result.provenance.qualFallbackReason, undefined);
    assert.deepEqual(qualAttempts, [2]);
  });

  test('an LLM that never answers in time is timed out on each attempt, then the evidence model answers', async () => {
    const slow: StubBehaviour = { kind: 'delay', ms: 4_000 };
    const { result, qualAttempts } = await run(1, [slow, slow, slow], 500);
    assert.match(result.provenance.qualFallbackReason ?? '', /^LlmTimeout on attempt 3/);
    assert.equal(result.provenance.qualSource, 'evidence-model');
    assert.deepEqual(qualAttempts, [3]);
  });

  test('invalid JSON once is retried and the second, valid answer is used', async () => {
    const { result, qualAttempts } = await run(2, [
      { kind: 'content', content: '{"runners": [ {"horseId": ' },
      { kind: 'answer' },
    ]);
    assert.equal(result.provenance.qualSource, 'llm:gpt-4o-mini');
    assert.deepEqual(qualAttempts, [2]);
  });

  test('answers that break the schema on every attempt end in the evidence model, with the reason recorded', async () => {
    const broken: StubBehaviour = {
      kind: 'answer',
      build: (ids) => ({ runners: ids.map((horseId) => ({ horseId, lr: { formFitness: 'high' } })) }),
    };
    const { result, qualAttempts } = await run(3, [broken, broken, broken]);
    assert.match(result.provenance.qualFallbackReason ?? '', /^LlmInvalidAnswer on attempt \d/);
    assert.equal(result.provenance.qualSource, 'evidence-model');
    assert.ok(qualAttempts && qualAttempts[0]! >= 2, 'retried before falling back');
  });

  test('absurd numbers are clipped into range and flagged, and the race still completes on the LLM answer', async () => {
    const absurd: StubBehaviour = {
      kind: 'answer',
      build: (ids) => ({
        runners: validAnswerFor(ids).runners.map((r) => ({
          ...r,
          lr: { formFitness: 1e6, conditions: 5e4, tactics: 900, context: 1e9 },
          confidence: 7,
        })),
      }),
    };
    const { result } = await run(4, [absurd]);
    assert.equal(result.provenance.qualSource, 'llm:gpt-4o-mini');
    const sum = result.runners.reduce((s, r) => s + r.winProbFinal, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
    for (const r of result.runners) {
      assert.ok(r.flags.includes('llm-absurd'), `${r.horseId} carries llm-absurd: ${r.flags.join(',')}`);
      assert.ok(
        r.flags.some((f) => f.startsWith('lr-clipped')),
        `${r.horseId} records the clipping`,
      );
    }
  });
});
