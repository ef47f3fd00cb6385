import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { DEFAULT_LLM_MODEL, costUsd, isLlmConfigured, loadLlmConfig } from '../../../llm/config.js';
import { LlmConfigurationError } from '../../../llm/errors.js';
import { ERROR_TYPES } from '../../../schemas/index.js';
import { DUMMY_KEY } from './fixtures.js';

const fits = { activityStartToClose: 300_000 };

void test('isLlmConfigured needs a key or a base URL, ignoring blanks', () => {
  assert.equal(isLlmConfigured({}), false);
  assert.equal(isLlmConfigured({ OPENAI_API_KEY: '  ' }), false);
  assert.equal(isLlmConfigured({ OPENAI_API_KEY: DUMMY_KEY }), true);
  assert.equal(isLlmConfigured({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1' }), true);
});

void test('defaults: gpt-4o-mini, 60 s timeout, one LangChain retry, priced per million tokens', () => {
  const c = loadLlmConfig({ OPENAI_API_KEY: DUMMY_KEY }, fits);
  assert.equal(c.model, DEFAULT_LLM_MODEL);
  assert.equal(c.timeoutMs, 60_000);
  assert.equal(c.maxRetries, 1);
  assert.equal(c.temperature, 0);
  assert.equal(c.baseURL, undefined);
  assert.deepEqual([c.priceInputPerMTok, c.priceOutputPerMTok], [0.15, 0.6]);
  assert.equal(c.budgetMs, 60_000 * 2 + 2000);
  assert.ok(Math.abs(costUsd(c, 1_000_000, 1_000_000) - 0.75) < 1e-12);
});

void test('a local server needs no key; an unpriced model needs explicit prices', () => {
  const local = { LLM_BASE_URL: 'http://127.0.0.1:8080/v1', LLM_MODEL: 'llama-3.1-8b' };
  assert.throws(
    () => loadLlmConfig(local, fits),
    (e: unknown) => e instanceof LlmConfigurationError && /LLM_PRICE_INPUT_PER_MTOK/.test(e.message),
  );
  const c = loadLlmConfig({ ...local, LLM_PRICE_INPUT_PER_MTOK: '0', LLM_PRICE_OUTPUT_PER_MTOK: '0' }, fits);
  assert.equal(c.hasApiKey, false);
  assert.equal(c.priceInputPerMTok, 0);
});

void test('missing settings and bad values are LlmConfigurationError with the setting named', () => {
  assert.throws(() => loadLlmConfig({}, fits), LlmConfigurationError);
  for (const [key, value] of [
    ['LLM_TIMEOUT_MS', 'soon'],
    ['LLM_MAX_RETRIES', '-1'],
    ['LLM_BASE_URL', 'not a url'],
    ['LLM_PRICE_OUTPUT_PER_MTOK', '-3'],
  ]) {
    assert.throws(
      () => loadLlmConfig({ OPENAI_API_KEY: DUMMY_KEY, [key as string]: value }, fits),
      (e: unknown) =>
        e instanceof LlmConfigurationError &&
        e.message.includes(key as string) &&
        e.type === ERROR_TYPES.llmConfiguration,
    );
  }
});

void test('LLM_TIMEOUT_MS must stay below the activity start-to-close timeout, which also caps the budget', () => {
  const env = { OPENAI_API_KEY: DUMMY_KEY };
  // Defaults against the qual activity's 90 s: one 60 s attempt fits; a retry gets what is left.
  assert.equal(loadLlmConfig(env, { activityStartToClose: '90s' }).budgetMs, 89_000);
  assert.equal(
    loadLlmConfig({ ...env, LLM_TIMEOUT_MS: '89000' }, { activityStartToClose: '90s' }).timeoutMs,
    89_000,
  );
  assert.throws(
    () => loadLlmConfig({ ...env, LLM_TIMEOUT_MS: '89001' }, { activityStartToClose: '90s' }),
    /start-to-close/,
  );
  assert.throws(
    () => loadLlmConfig({ ...env, LLM_TIMEOUT_MS: '120000' }, { activityStartToClose: 90_000 }),
    LlmConfigurationError,
  );
  for (const bad of [Number.NaN, 0, 'soon'])
    assert.throws(() => loadLlmConfig(env, { activityStartToClose: bad as number }), LlmConfigurationError);
});

void test('the API key never appears in JSON, inspect, spread or keys of the config', () => {
  const c = loadLlmConfig({ OPENAI_API_KEY: DUMMY_KEY, LLM_BASE_URL: 'http://127.0.0.1:1/v1' }, fits);
  assert.equal(c.revealApiKey(), DUMMY_KEY);
  for (const text of [
    JSON.stringify(c),
    inspect(c, { showHidden: true, depth: 5 }),
    JSON.stringify({ ...c }),
    Object.keys(c).join(),
    String(c),
  ])
    assert.ok(!text.includes(DUMMY_KEY), text);
  assert.equal(JSON.parse(JSON.stringify(c)).apiKey, '[redacted]');
  assert.ok(Object.isFrozen(c));
});
