import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  defaultSandboxKind,
  EnvSchema,
  llmSettings,
  loadEnv,
  PROJECT_ROOT,
  raceDefaults,
  runtimeLogLevel,
  type Env,
} from '../../config/env.js';
import { temporalConnection } from '../../config/temporal-connection.js';
import { loadLlmConfig } from '../../llm/config.js';

/** The keys .env.example lists, with their example values. */
function exampleSettings(): Map<string, string> {
  const text = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
  const entries = text
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const);
  return new Map(entries);
}

/** PEM-shaped files for the TLS settings, which are read when the connection is built. */
const pemDir = mkdtempSync(path.join(tmpdir(), 'env-example-pem-'));
after(() => rmSync(pemDir, { recursive: true, force: true }));
const pemFile = (name: string, label: string) => {
  const file = path.join(pemDir, name);
  writeFileSync(file, `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`);
  return file;
};
const TLS_FILES = {
  cert: pemFile('client.pem', 'CERTIFICATE'),
  key: pemFile('client.key', 'PRIVATE KEY'),
  ca: pemFile('ca.pem', 'CERTIFICATE'),
};

/** A valid value for every key that differs from its default; a new key without one fails the test below. */
const SAMPLES: Record<keyof Env, string> = {
  TEMPORAL_ADDRESS: '127.0.0.1:7999',
  TEMPORAL_NAMESPACE: 'elsewhere',
  TEMPORAL_TASK_QUEUE: 'other-queue',
  TEMPORAL_UI_PORT: '8999',
  TEMPORAL_CLI_PATH: '/opt/temporal',
  TEMPORAL_TEST_SERVER_PATH: '/opt/temporal-test-server',
  TEMPORAL_TLS: 'true',
  TEMPORAL_TLS_CERT_PATH: TLS_FILES.cert,
  TEMPORAL_TLS_KEY_PATH: TLS_FILES.key,
  TEMPORAL_TLS_CA_PATH: TLS_FILES.ca,
  TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  TEMPORAL_API_KEY: 'tmprl-dummy',
  EMBEDDED_STACK: 'false',
  DATA_DIR: '/tmp/race-engine-data',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  TEST_DATABASE_URL: 'postgres://u@127.0.0.1:5432/postgres',
  EMBEDDED_PG_PORT: '55999',
  MODELS_DIR: '/tmp/race-engine-models',
  HK_DATA_DIR: '/tmp/hk',
  SANDBOX: 'inline',
  E2B_API_KEY: 'e2b_dummy',
  E2B_TEMPLATE: 'custom',
  QUORUM: '7',
  KELLY_FRACTION: '0.5',
  MIN_EDGE: '0.1',
  BOOK_POLICY: 'flat-value',
  WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
  OPENAI_API_KEY: 'sk-dummy',
  LLM_BASE_URL: 'http://127.0.0.1:9/v1',
  LLM_MODEL: 'local-model',
  LLM_TIMEOUT_MS: '1234',
  LLM_MAX_RETRIES: '3',
  LLM_TEMPERATURE: '0.7',
  LLM_PRICE_INPUT_PER_MTOK: '1.5',
  LLM_PRICE_OUTPUT_PER_MTOK: '2.5',
  LLM_STRUCTURED_OUTPUT: 'json-mode',
  LLM_RUNNERS_PER_CALL: '2',
  LLM_LOCAL: 'true',
  LLM_LOCAL_PORT: '8081',
  ALERT_WEBHOOK_URL: 'https://alerts.example/hook',
  METRICS_PORT: '9464',
  TEMPORAL_METRICS_PORT: '9465',
  METRICS_HOST: '0.0.0.0',
  WEB_PORT: '3999',
  WEB_HOST: '0.0.0.0',
  API_KEYS: 'a'.repeat(64),
  WEB_RATE_LIMIT: '10',
  LOG_LEVEL: 'debug',
};

/**
 * Keys whose only reader outside config/env.ts is a helper there: the helper's answer must change with the
 * key, and the helper must be called by the engine.
 */
const LLM_BASE = {
  LLM_BASE_URL: 'http://127.0.0.1:8/v1',
  LLM_PRICE_INPUT_PER_MTOK: '1',
  LLM_PRICE_OUTPUT_PER_MTOK: '1',
};
/** The analyst's configuration as the worker builds it; the key itself, since the config's view redacts it. */
const llmConfigOf = (env: Env) => {
  const config = loadLlmConfig(llmSettings(env), { activityStartToClose: '300 seconds' });
  return { ...config.toJSON(), apiKey: config.revealApiKey() };
};
/** The connection's redacted view, or the configuration error (a certificate without its key is one). */
const temporalConnectionOf = (env: Env) => {
  try {
    return temporalConnection(env).toJSON();
  } catch (err) {
    return (err as Error).message;
  }
};
const viaTemporalConnection = (base: object = {}) => ({
  helper: 'temporalConnection',
  probe: temporalConnectionOf,
  base,
});
const THROUGH_HELPER: Partial<
  Record<keyof Env, { helper: string; probe: (env: Env) => unknown; base?: object }>
> = {
  QUORUM: { helper: 'raceDefaults', probe: raceDefaults },
  KELLY_FRACTION: { helper: 'raceDefaults', probe: raceDefaults },
  MIN_EDGE: { helper: 'raceDefaults', probe: raceDefaults },
  LOG_LEVEL: { helper: 'runtimeLogLevel', probe: runtimeLogLevel },
  SANDBOX: { helper: 'defaultSandboxKind', probe: defaultSandboxKind },
  TEMPORAL_TLS: viaTemporalConnection(),
  TEMPORAL_TLS_CERT_PATH: viaTemporalConnection({ TEMPORAL_TLS_KEY_PATH: TLS_FILES.key }),
  TEMPORAL_TLS_KEY_PATH: viaTemporalConnection({ TEMPORAL_TLS_CERT_PATH: TLS_FILES.cert }),
  TEMPORAL_TLS_CA_PATH: viaTemporalConnection(),
  TEMPORAL_TLS_SERVER_NAME: viaTemporalConnection(),
  TEMPORAL_API_KEY: viaTemporalConnection(),
  // The analyst's settings (the local server's own two excepted): each must reach its configuration.
  ...Object.fromEntries(
    [...exampleSettings().keys()]
      .filter((k) => k === 'OPENAI_API_KEY' || (k.startsWith('LLM_') && !k.startsWith('LLM_LOCAL')))
      .map((k) => [k, { helper: 'llmSettings', probe: llmConfigOf, base: LLM_BASE }]),
  ),
};

/** The engine's own code (and the test stack, which reads TEST_DATABASE_URL), comments removed. */
function engineSource(): Map<string, string> {
  const skip = new Set(['node_modules', 'data', 'dist', '.git', '.tools', 'fixtures']);
  const testSupport = path.join('test', 'support');
  const testOnly = (rel: string) => rel.startsWith('test') && rel !== 'test' && !rel.startsWith(testSupport);
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const rel = path.relative(PROJECT_ROOT, full);
      if (skip.has(name) || testOnly(rel)) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !rel.startsWith('config')) {
        const code = readFileSync(full, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/(^|[^:])\/\/.*$/gm, '$1');
        files.set(rel, code);
      }
    }
  };
  walk(PROJECT_ROOT);
  return files;
}

test('.env.example lists exactly the settings config/env.ts validates, and its values load', () => {
  const example = exampleSettings();
  assert.deepEqual([...example.keys()].sort(), Object.keys(EnvSchema.shape).sort());
  assert.doesNotThrow(() => loadEnv(Object.fromEntries(example)));
});

test('every setting in .env.example is read: a value other than the default changes what loadEnv returns', () => {
  const defaults = loadEnv({});
  for (const key of exampleSettings().keys()) {
    const sample = SAMPLES[key as keyof Env];
    assert.ok(sample !== undefined, `${key} has no sample value in this test`);
    const loaded = loadEnv({ [key]: sample });
    assert.notDeepEqual(loaded[key as keyof Env], defaults[key as keyof Env], `${key} is not read`);
  }
});

test('every setting in .env.example has an effect: the engine reads it, or a helper it calls answers differently', () => {
  const source = engineSource();
  const anyMatch = (pattern: RegExp) => [...source.values()].some((code) => pattern.test(code));
  for (const key of exampleSettings().keys()) {
    const via = THROUGH_HELPER[key as keyof Env];
    if (via) {
      const base = { ...via.base };
      const before = via.probe(loadEnv(base));
      const after = via.probe(loadEnv({ ...base, [key]: SAMPLES[key as keyof Env] }));
      assert.notDeepEqual(after, before, `${key} does not change ${via.helper}`);
      assert.ok(anyMatch(new RegExp(`\\b${via.helper}\\(`)), `${via.helper} (for ${key}) is called nowhere`);
    } else {
      assert.ok(
        anyMatch(new RegExp(`\\b${key}\\b`)),
        `${key} is validated but nothing outside config/ reads it`,
      );
    }
  }
});
