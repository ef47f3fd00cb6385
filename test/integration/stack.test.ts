import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { loadEnv } from '../../config/env.js';
import { ensureSearchAttributes, ensureStack, StackUnavailable } from '../../stack/index.js';
import { canConnect, freePort } from '../../stack/net.js';
import { startTemporalDevServer, type RunningTemporal } from '../../stack/temporal-dev-server.js';

describe('the embedded stack', () => {
  let server: RunningTemporal;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stack-test-'));
    server = await startTemporalDevServer({
      port: await freePort(),
      headless: true,
      logFile: path.join(dir, 'temporal.log'),
    });
  });
  after(async () => server?.stop());

  test('a search attribute missing on the server (an older state file, an external cluster) is registered', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      await connection.operatorService.removeSearchAttributes({
        namespace: 'default',
        searchAttributes: ['CalibrationVersion'],
      });
      const before = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      assert.ok(!('CalibrationVersion' in (before.customAttributes ?? {})));
      assert.deepEqual(await ensureSearchAttributes({ address: server.address }, 'default'), [
        'CalibrationVersion',
      ]);
      const after = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      assert.ok('CalibrationVersion' in (after.customAttributes ?? {}));
      assert.deepEqual(
        await ensureSearchAttributes({ address: server.address }, 'default'),
        [],
        'nothing to do the second time',
      );
    } finally {
      await connection.close();
    }
  });

  test('a TLS or API-key address with nothing listening is never replaced by a dev server, even a local one', async () => {
    const port = await freePort();
    for (const security of [{ TEMPORAL_TLS: 'true' }, { TEMPORAL_API_KEY: 'tmprl-DUMMY-key' }]) {
      const env = loadEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, EMBEDDED_STACK: 'true', ...security });
      await assert.rejects(
        ensureStack(env),
        (err: unknown) =>
          err instanceof StackUnavailable &&
          /no dev server is started/.test(err.message) &&
          !err.message.includes('tmprl-DUMMY-key'),
      );
      assert.equal(await canConnect('127.0.0.1', port), false, 'nothing was started on the port');
    }
  });

  test('with the embedded stack switched off and nothing listening, the error says what to start', async () => {
    const env = loadEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, EMBEDDED_STACK: 'false' });
    await assert.rejects(
      ensureStack(env),
      (err: unknown) => err instanceof StackUnavailable && /temporal server start-dev/.test(err.message),
    );
  });
});
