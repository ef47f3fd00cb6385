import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSandboxKind, loadEnv } from '../../config/env.js';

test('defaults need no settings at all', () => {
  const env = loadEnv({});
  assert.equal(env.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(env.EMBEDDED_STACK, true);
  assert.equal(defaultSandboxKind(env), 'process');
});

test('an E2B key makes E2B the default sandbox unless SANDBOX says otherwise', () => {
  assert.equal(defaultSandboxKind(loadEnv({ E2B_API_KEY: 'e2b_dummy' })), 'e2b');
  assert.equal(defaultSandboxKind(loadEnv({ E2B_API_KEY: 'e2b_dummy', SANDBOX: 'inline' })), 'inline');
});

test('empty strings count as unset and bad values are named', () => {
  assert.equal(loadEnv({ DATABASE_URL: '' }).DATABASE_URL, undefined);
  assert.throws(() => loadEnv({ SANDBOX: 'docker' }), /SANDBOX/);
  assert.throws(() => loadEnv({ EMBEDDED_STACK: 'maybe' }), /EMBEDDED_STACK/);
});

test('the HK data folder, the alert webhook and the metrics ports are validated with the rest', () => {
  const env = loadEnv({ METRICS_PORT: '9464', ALERT_WEBHOOK_URL: 'https://alerts.example/hook' });
  assert.equal(env.METRICS_PORT, 9464);
  assert.equal(env.METRICS_HOST, '127.0.0.1');
  assert.match(env.HK_DATA_DIR, /shared[/\\]data[/\\]hkracing$/);
  assert.throws(() => loadEnv({ METRICS_PORT: 'lots' }), /METRICS_PORT/);
  assert.throws(() => loadEnv({ ALERT_WEBHOOK_URL: 'not a url' }), /ALERT_WEBHOOK_URL/);
});
