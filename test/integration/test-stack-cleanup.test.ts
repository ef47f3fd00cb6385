import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { startTestStack } from '../support/integration-stack.js';

/** Dev servers this process started that are still running. */
function devServers(): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'server start-dev'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test('a test stack whose database cannot start says why and leaves no Temporal server behind', async () => {
  const saved = process.env.TEST_DATABASE_URL;
  // Port 1 refuses connections: the stack's Temporal server is up by then, the database step fails.
  process.env.TEST_DATABASE_URL = 'postgres://nobody@127.0.0.1:1/postgres';
  try {
    await assert.rejects(startTestStack(), /test stack did not start .*(ECONNREFUSED|connect)/s);
  } finally {
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  }
  assert.deepEqual(devServers(), []);
});
