import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../config/env.js';
import { seasonWithBadRaces } from '../support/bad-season.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { countRows } from '../support/reliability.js';

describe('import of a Kaggle-format season with invalid races', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => stack?.stop());

  const runImport = (dir: string, extra: string[] = []) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/import-hk.ts', dir, ...extra],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.databaseUrl },
          timeout: 300_000,
          maxBuffer: 1 << 24,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  test('--strict imports nothing and names every invalid race; without it the valid races are imported and the rest reported', async () => {
    const dir = seasonWithBadRaces();
    const strict = await runImport(dir, ['--strict']);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /InvalidRacesError: 3 invalid races/);
    assert.equal(await countRows(stack.db, 'SELECT count(*) AS n FROM hk_races'), 0);

    const run = await runImport(dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /skipped race 4 \(races\.csv:5\): runners\.1\.actualWeight: weight carried 300 lb/,
    );
    assert.match(run.stdout, /skipped race 11 \(runs\.csv:64\): malformed row \(win_odds: not a number\)/);
    assert.match(run.stdout, /skipped race 12 \(races\.csv:13\): runners\.\d\.horseNo: duplicate horseNo 4/);
    assert.match(run.stdout, /imported 11 races \(3 skipped\)/);
    assert.equal(await countRows(stack.db, 'SELECT count(*) AS n FROM hk_races'), 11);
    assert.equal(
      await countRows(stack.db, 'SELECT count(*) AS n FROM hk_races WHERE race_id IN (4, 11, 12)'),
      0,
    );
  });
});
