import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';

const DUMMY_KEY = 'sk-test-DUMMY-SECRET-7f3a9c';

describe('the LLM analyst inside the race workflow (local OpenAI-compatible stub)', () => {
  let stack: TestStack;
  let stub: OpenAiStub;
  let cards: RaceCard[];
  const llmEnv = () => ({
    OPENAI_API_KEY: DUMMY_KEY,
    LLM_BASE_URL: `${stub.baseURL}`,
    LLM_MAX_RETRIES: '0',
    LLM_TIMEOUT_MS: '5000',
  });

  before(async () => {
    stack = await startTestStack();
    stub = await startOpenAiStub();
    cards = await seedRaceDay(stack.db, 11, 3);
  });
  after(async () => {
    await stub?.close();
    await stack?.stop();
  });

  test('a valid answer is used, its tokens and cost recorded, and the key appears nowhere in history', async () => {
    stub.setScript([{ kind: 'answer' }]);
    const w = await stack.startWorker({ llmEnv: llmEnv() });
    try {
      const card = cards[0]!;
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline', qual: 'llm' });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.provenance.qualSource, 'llm:gpt-4o-mini');
      assert.equal(result.provenance.qualFallbackReason, undefined);
      assert.ok(result.usage.inputTokens > 0 && result.usage.costUsd > 0);
      assert.equal(stub.requests.at(-1)?.headers.authorization, `Bearer ${DUMMY_KEY}`);
      const history = JSON.stringify(
        await w.client.temporal.workflow.getHandle(workflowId, runId).fetchHistory(),
      );
      assert.ok(history.length > 1000);
      assert.ok(!history.includes(DUMMY_KEY), 'the API key never enters workflow history');
      const stored = JSON.stringify(
        (await stack.db.query('SELECT result FROM predictions WHERE run_id = $1', [runId])).rows,
      );
      assert.ok(!stored.includes(DUMMY_KEY));
    } finally {
      await w.stop();
    }
  });

  test('HTTP 500 on every attempt is retried by Temporal, then the evidence model answers and the result says why', async () => {
    stub.setScript(Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const w = await stack.startWorker({ llmEnv: llmEnv() });
    try {
      const card = cards[1]!;
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline' });
      const result = await w.client.result(workflowId, runId);
      assert.match(result.provenance.qualFallbackReason ?? '', /^LlmServerError on attempt 3/);
      assert.equal(result.provenance.qualSource, 'evidence-model');
      const qual = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) => a.activityType === 'qualAnalysis',
      );
      assert.deepEqual(qual?.attempts, [3]);
    } finally {
      await w.stop();
    }
  });

  test('an authentication failure is not retried: the evidence model answers at once', async () => {
    stub.setScript([{ kind: 'status', status: 401, message: 'bad key' }]);
    const w = await stack.startWorker({ llmEnv: llmEnv() });
    try {
      const card = cards[2]!;
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline' });
      const result = await w.client.result(workflowId, runId);
      assert.match(result.provenance.qualFallbackReason ?? '', /^LlmAuthError on attempt 1/);
      assert.ok(!(result.provenance.qualFallbackReason ?? '').includes(DUMMY_KEY));
      const qual = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) => a.activityType === 'qualAnalysis',
      );
      assert.deepEqual(qual?.attempts, [1]);
    } finally {
      await w.stop();
    }
  });
});
