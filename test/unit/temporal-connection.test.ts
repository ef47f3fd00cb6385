import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, test } from 'node:test';
import { loadEnv } from '../../config/env.js';
import { temporalConnection, TemporalSettingsError } from '../../config/temporal-connection.js';

const dir = mkdtempSync(path.join(tmpdir(), 'temporal-connection-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  return full;
};
const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDUMMYkeybody';
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`);
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n');
const API_KEY = 'tmprl-DUMMY-unit-key';

const connectionOf = (settings: Record<string, string>) => temporalConnection(loadEnv(settings));
const settingsError = (pattern: RegExp) => (err: unknown) =>
  err instanceof TemporalSettingsError && pattern.test(err.message);

test('no TLS setting: a plain connection to the address, nothing secured', () => {
  const connection = connectionOf({ TEMPORAL_ADDRESS: '127.0.0.1:7999' });
  assert.deepEqual(connection.connectOptions(), { address: '127.0.0.1:7999' });
  assert.equal(connection.secured, false);
});

test('mTLS settings become the SDK options, file contents read once', () => {
  const connection = connectionOf({
    TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
    TEMPORAL_TLS_CERT_PATH: CERT,
    TEMPORAL_TLS_KEY_PATH: KEY,
    TEMPORAL_TLS_CA_PATH: CA,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  // Rewritten after start-up: the connection keeps what it read then.
  const keyFile = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
  writeFileSync(KEY, 'rotated');
  try {
    const { address, tls, apiKey } = connection.connectOptions();
    assert.equal(address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(apiKey, undefined);
    assert.equal(tls?.serverNameOverride, 'temporal.internal');
    assert.match(tls?.serverRootCACertificate?.toString() ?? '', /MIIBca/);
    assert.match(tls?.clientCertPair?.crt.toString() ?? '', /MIIBcert/);
    assert.equal(tls?.clientCertPair?.key.toString(), keyFile);
    assert.equal(connection.secured, true);
  } finally {
    writeFileSync(KEY, keyFile);
  }
});

test('an API key turns TLS on (with the system CAs) unless TEMPORAL_TLS=false says otherwise', () => {
  assert.deepEqual(connectionOf({ TEMPORAL_API_KEY: API_KEY }).connectOptions().tls, {});
  const plain = connectionOf({ TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS: 'false' }).connectOptions();
  assert.equal(plain.tls, undefined);
  assert.equal(plain.apiKey, API_KEY);
  assert.deepEqual(connectionOf({ TEMPORAL_TLS: 'true' }).connectOptions().tls, {});
});

test('the key and the key file never show in its JSON or util.inspect view', () => {
  const connection = connectionOf({
    TEMPORAL_TLS_CERT_PATH: CERT,
    TEMPORAL_TLS_KEY_PATH: KEY,
    TEMPORAL_API_KEY: API_KEY,
  });
  for (const view of [JSON.stringify(connection), inspect(connection, { depth: 10 }), String(connection)]) {
    assert.ok(!view.includes(API_KEY) && !view.includes(KEY_BODY), view);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(connection)), {
    address: '127.0.0.1:7233',
    tls: { clientCertFile: CERT, clientKeyFile: KEY },
    apiKey: '[redacted]',
  });
});

test('wrong settings are refused with the setting named', () => {
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS_CERT_PATH: CERT }),
    settingsError(/TEMPORAL_TLS_CERT_PATH is set without TEMPORAL_TLS_KEY_PATH/),
  );
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS_KEY_PATH: KEY }),
    settingsError(/TEMPORAL_TLS_KEY_PATH is set without TEMPORAL_TLS_CERT_PATH/),
  );
  const missing = path.join(dir, 'missing.pem');
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS_CA_PATH: missing }),
    settingsError(new RegExp(`TEMPORAL_TLS_CA_PATH=${missing} cannot be read`)),
  );
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS_CERT_PATH: KEY, TEMPORAL_TLS_KEY_PATH: KEY }),
    settingsError(/TEMPORAL_TLS_CERT_PATH=.* does not hold a PEM certificate/),
  );
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS_CERT_PATH: CERT, TEMPORAL_TLS_KEY_PATH: CERT }),
    settingsError(/TEMPORAL_TLS_KEY_PATH=.* does not hold a PEM private key/),
  );
  assert.throws(
    () => connectionOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_PATH: CA }),
    settingsError(/TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CA_PATH/),
  );
});
