import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../../config/env.js';
import { dropInvalidRaces, validateRaces } from '../../../schemas/validate-races.js';
import { seasonWithBadRaces as season } from '../../support/bad-season.js';

const GOOD = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'good-card.json'), 'utf8')) as {
  raceId: string;
  meeting: { venue: string; date: string };
  postTime?: string;
  runners: Record<string, unknown>[];
};
const withId = (raceId: string, edit: (c: typeof GOOD) => void = () => {}) => {
  const c = structuredClone(GOOD);
  c.raceId = raceId;
  edit(c);
  return c;
};

describe('validateRaces: one bad race is skipped and reported in words, the rest go on', () => {
  test('valid cards pass through; an invalid one is named with its reason and where it came from', () => {
    const { valid, skipped } = validateRaces([
      { raceId: 'a', card: withId('a'), extra: 1 },
      {
        raceId: 'b',
        card: withId('b', (c) => (c.runners[0]!.actualWeight = 999)),
        file: 'season.csv',
        line: 12,
        extra: 2,
      },
    ]);
    assert.deepEqual(
      valid.map((v) => v.extra),
      [1],
    );
    assert.equal(skipped.length, 1);
    assert.deepEqual(
      { ...skipped[0], reason: undefined },
      { raceId: 'b', file: 'season.csv', line: 12, reason: undefined },
    );
    assert.match(
      skipped[0]!.reason,
      /^runners\.0\.actualWeight: weight carried 999 lb is outside 95-180 lb$/,
    );
    assert.doesNotMatch(skipped[0]!.reason, /ZodError|"code"/);
  });

  test('a race-day file loses only its bad races (bad card, missing post time) and says which', () => {
    const day = {
      meeting: GOOD.meeting,
      races: [
        withId('r1'),
        withId('r2', (c) => (c.runners[1]!.horseNo = 'ONE')),
        withId('r3', (c) => delete c.postTime),
      ],
    };
    const { day: kept, skipped } = dropInvalidRaces(day, 'day.json');
    assert.deepEqual(
      (kept as typeof day).races.map((r) => r.raceId),
      ['r1'],
    );
    assert.deepEqual(
      skipped.map((s) => [s.raceId, s.file]),
      [
        ['r2', 'day.json races[1]'],
        ['r3', 'day.json races[2]'],
      ],
    );
    assert.match(skipped[0]!.reason, /runners\.1\.horseNo/);
    assert.equal(skipped[1]!.reason, 'a scheduled race needs a postTime');
  });
});

const backtest = (data: string, out: string, extra: string[] = []) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/backtest.ts',
        '--data',
        data,
        '--test-from-race-id',
        '9',
        '--out',
        out,
        ...extra,
      ],
      { cwd: PROJECT_ROOT, timeout: 300_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('a backtest over a history with invalid races', () => {
  test('completes, scores the valid races and lists every skipped race in metrics.json; --strict fails', async () => {
    const data = season();
    const out = mkdtempSync(join(tmpdir(), 'bt-out-'));
    const run = await backtest(data, out);
    assert.equal(run.code, 0, run.stderr);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      skipped: { raceId: string; reason: string; file?: string; line?: number }[];
      final: { races: number };
    };
    assert.deepEqual(metrics.skipped.map((s) => s.raceId).sort(), ['11', '12', '4']);
    const byId = new Map(metrics.skipped.map((s) => [s.raceId, s]));
    assert.match(byId.get('4')!.reason, /actualWeight: weight carried 300 lb is outside/);
    assert.deepEqual([byId.get('11')!.file, byId.get('11')!.line], ['runs.csv', 64]);
    assert.match(byId.get('11')!.reason, /malformed row \(win_odds: not a number\)/);
    assert.match(byId.get('12')!.reason, /duplicate horseNo 4/);
    assert.equal(metrics.final.races, 4, 'races 9, 10, 13, 14 are scored');
    assert.match(run.stdout, /skipped race 11 \(runs\.csv:64\): malformed row/);
    assert.match(run.stdout, /3 races skipped/);

    const strict = await backtest(data, mkdtempSync(join(tmpdir(), 'bt-strict-')), ['--strict']);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /InvalidRacesError: 3 invalid races \(--strict\)/);
  });
});
