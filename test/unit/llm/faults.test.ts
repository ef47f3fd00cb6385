import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlmAnalyst } from '../../../llm/analyst.js';
import {
  LLM_ATTEMPTS_BEFORE_FALLBACK,
  LLM_NON_RETRYABLE_ERROR_TYPES,
  LlmAuthError,
  LlmInvalidAnswer,
  LlmQuotaExhausted,
  LlmRateLimited,
  LlmRequestError,
  LlmServerError,
  LlmTimeout,
  llmRetryDecision,
} from '../../../llm/errors.js';
import { startOpenAiStub, validAnswerFor } from '../../support/openai-stub.js';
import type { LlmError } from '../../../llm/errors.js';
import type { OpenAiStub, StubBehaviour } from '../../support/openai-stub.js';
import { DUMMY_KEY, card, histories, stubConfig } from './fixtures.js';

let stub: OpenAiStub;
before(async () => {
  stub = await startOpenAiStub();
});
after(async () => {
  await stub.close();
});

type ErrorClass = new (...args: never[]) => LlmError;

async function expectFailure(
  behaviour: StubBehaviour,
  expected: ErrorClass,
  env: Record<string, string> = {},
  activityStartToCloseMs?: number,
): Promise<LlmError> {
  stub.setScript([behaviour]);
  const analyst = createLlmAnalyst({ config: stubConfig(stub.baseURL, env, activityStartToCloseMs) });
  const err = await analyst.analyse(card, histories).then(
    () => assert.fail(`expected ${expected.name}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof expected, `expected ${expected.name}, got ${String(err)}`);
  assert.equal(err.type, expected.name);
  assert.equal(err.name, expected.name);
  assert.ok(!err.message.includes(DUMMY_KEY) && !String(err.stack).includes(DUMMY_KEY));
  return err;
}

void test('HTTP 429 is LlmRateLimited (retryable)', async () => {
  const err = await expectFailure(
    { kind: 'status', status: 429, message: 'Rate limit reached' },
    LlmRateLimited,
  );
  assert.equal(err.retryable, true);
  assert.equal(err.status, 429);
});

void test('429 insufficient_quota is LlmQuotaExhausted (non-retryable)', async () => {
  const err = await expectFailure(
    { kind: 'status', status: 429, code: 'insufficient_quota', message: 'You exceeded your current quota' },
    LlmQuotaExhausted,
  );
  assert.equal(err.retryable, false);
});

void test('HTTP 500 and 503 are LlmServerError (retryable)', async () => {
  for (const status of [500, 503]) {
    const err = await expectFailure({ kind: 'status', status }, LlmServerError);
    assert.equal(err.retryable, true);
    assert.equal(err.status, status);
  }
});

void test('HTTP 401 and 403 are LlmAuthError (non-retryable), with an echoed key scrubbed from the message', async () => {
  const err = await expectFailure(
    { kind: 'status', status: 401, message: `Incorrect API key provided: ${DUMMY_KEY}` },
    LlmAuthError,
  );
  assert.equal(err.retryable, false);
  assert.match(err.message, /\[redacted\]/);
  await expectFailure({ kind: 'status', status: 403 }, LlmAuthError);
});

void test('other 4xx are LlmRequestError (non-retryable)', async () => {
  const err = await expectFailure(
    { kind: 'status', status: 400, message: 'Invalid schema for response_format' },
    LlmRequestError,
  );
  assert.equal(err.retryable, false);
});

void test('invalid JSON is LlmInvalidAnswer in both structured-output modes', async () => {
  await expectFailure({ kind: 'content', content: '{"runners": [ {"horseId": "H1", ' }, LlmInvalidAnswer);
  await expectFailure({ kind: 'content', content: 'I think Alpha wins.' }, LlmInvalidAnswer, {
    LLM_MODEL: 'gpt-4-turbo',
    LLM_PRICE_INPUT_PER_MTOK: '10',
    LLM_PRICE_OUTPUT_PER_MTOK: '30',
  });
});

void test('schema violations, infinite numbers and wrong runner sets are LlmInvalidAnswer', async () => {
  const missingLr = (ids: string[]) => ({
    runners: validAnswerFor(ids).runners.map(({ lr: _lr, ...rest }) => rest),
  });
  await expectFailure({ kind: 'answer', build: missingLr }, LlmInvalidAnswer);
  const wrongType = await expectFailure(
    {
      kind: 'answer',
      build: (ids) => ({ runners: validAnswerFor(ids).runners.map((r) => ({ ...r, confidence: 'high' })) }),
    },
    LlmInvalidAnswer,
  );
  assert.match(wrongType.message, /runners\.0\.confidence: /);
  const infinite = JSON.stringify(validAnswerFor(['H1', 'H2', 'H3'])).replace(
    '"tactics":1.1',
    '"tactics":1e999',
  );
  await expectFailure({ kind: 'content', content: infinite }, LlmInvalidAnswer);
  await expectFailure({ kind: 'answer', build: (ids) => validAnswerFor(ids.slice(1)) }, LlmInvalidAnswer);
  await expectFailure(
    { kind: 'answer', build: (ids) => validAnswerFor([...ids, 'ghost']) },
    LlmInvalidAnswer,
  );
});

void test('a slow server is LlmTimeout well before its reply and within the configured budget', async () => {
  // The error type is the evidence (a 5 s reply would otherwise succeed); how long it took belongs to a bench.
  await expectFailure({ kind: 'delay', ms: 5000 }, LlmTimeout, { LLM_TIMEOUT_MS: '300' });
});

void test('retries that would outlast the activity are cut at its start-to-close timeout less a margin', async () => {
  stub.setScript([]);
  const slow: StubBehaviour = { kind: 'delay', ms: 5000 };
  // 4 attempts x 300 ms + back-off would be ~15 s; the 1.5 s activity leaves a 500 ms budget, and the
  // error names that budget (no wall-clock assertion: a loaded machine stretches any elapsed time).
  const err = await expectFailure(slow, LlmTimeout, { LLM_TIMEOUT_MS: '300', LLM_MAX_RETRIES: '3' }, 1500);
  assert.match(err.message, /500 ms LLM budget/);
});

void test('an unreachable server is LlmServerError (retryable)', async () => {
  const closed = await startOpenAiStub();
  await closed.close();
  const analyst = createLlmAnalyst({ config: stubConfig(closed.baseURL) });
  await assert.rejects(analyst.analyse(card, histories), LlmServerError);
});

void test('LangChain retries transient faults within the budget; auth faults are tried once', async () => {
  const from = stub.requests.length;
  stub.setScript([{ kind: 'status', status: 500 }, { kind: 'answer' }]);
  const retrying = createLlmAnalyst({ config: stubConfig(stub.baseURL, { LLM_MAX_RETRIES: '1' }) });
  const out = await retrying.analyse(card, histories);
  assert.equal(out.runners.length, 3);
  assert.equal(stub.requests.length - from, 2);

  stub.setScript([{ kind: 'status', status: 401 }, { kind: 'answer' }]);
  await assert.rejects(retrying.analyse(card, histories), LlmAuthError);
  assert.equal(stub.requests.length - from, 3);
});

void test('aborting the caller signal cancels the request and rethrows the signal reason', async () => {
  stub.setScript([{ kind: 'delay', ms: 5000 }]);
  const analyst = createLlmAnalyst({ config: stubConfig(stub.baseURL) });
  const controller = new AbortController();
  const reason = new Error('activity cancelled');
  setTimeout(() => controller.abort(reason), 100);
  await assert.rejects(
    analyst.analyse(card, histories, { signal: controller.signal }),
    (e: unknown) => e === reason,
  );
  await assert.rejects(
    analyst.analyse(card, histories, { signal: controller.signal }),
    (e: unknown) => e === reason,
  );
});

void test('one retry decision: transient LLM faults retry until the last LLM attempt, everything else falls back', () => {
  assert.deepEqual([...LLM_NON_RETRYABLE_ERROR_TYPES].sort(), [
    'LlmAuthError',
    'LlmConfigurationError',
    'LlmQuotaExhausted',
    'LlmRequestError',
  ]);
  const last = LLM_ATTEMPTS_BEFORE_FALLBACK;
  for (const transient of [
    new LlmInvalidAnswer('bad'),
    new LlmServerError('x', 500),
    new LlmTimeout('slow'),
  ]) {
    assert.equal(llmRetryDecision(transient, 1), 'retry', transient.type);
    assert.equal(llmRetryDecision(transient, last - 1), 'retry', transient.type);
    assert.equal(llmRetryDecision(transient, last), 'fallback', transient.type);
  }
  assert.equal(llmRetryDecision(new LlmAuthError('x', 401), 1), 'fallback');
  assert.equal(llmRetryDecision(new LlmQuotaExhausted('x', 429), 1), 'fallback');
  // A bug on our side is not retried as if the model had failed.
  assert.equal(llmRetryDecision(new TypeError('undefined is not a function'), 1), 'fallback');
});
