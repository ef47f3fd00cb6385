import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HkDataError, readHkRaces } from '../../../import/hk-reader.js';
import { formatSkipped, InvalidRacesError, type SkippedRace } from '../../../schemas/validate-races.js';

const RACES = `race_id,date,venue,race_no,config,surface,distance,going,horse_ratings,prize,race_class
0,1997-06-02,ST,1,A,0,1400,GOOD TO FIRM,40-15,485000.0,5
1,1997-06-02,ST,2,A,1,1200,GOOD,40-15,,4
`;
const RUNS_HEADER =
  'race_id,horse_no,horse_id,result,won,lengths_behind,horse_age,horse_rating,horse_gear,declared_weight,actual_weight,draw,position_sec1,position_sec2,position_sec3,position_sec4,position_sec5,position_sec6,finish_time,win_odds,place_odds,trainer_id,jockey_id';
const run = (race: number, no: number, horse: number, result: number, odds: string): string =>
  `${race},${no},${horse},${result},${result === 1 ? '1.0' : '0.0'},${result === 1 ? 0 : 2.5},3,60,--,1020.0,120,${no},2,1,,,,,${70 + result},${odds},,${10 + no},${20 + no}`;

function dataDir(runs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hk-'));
  writeFileSync(join(dir, 'races.csv'), RACES);
  writeFileSync(join(dir, 'runs.csv'), [RUNS_HEADER, ...runs].join('\n'));
  return dir;
}

void test('reads races in race_id order as cards with outcomes; odds of 1.0 become no price', () => {
  const dir = dataDir([
    run(1, 1, 7, 2, '3.0'),
    run(1, 2, 8, 1, '2.0'),
    run(0, 1, 7, 1, '1.0'),
    run(0, 2, 9, 2, '5.0'),
  ]);
  const races = [...readHkRaces(dir)];
  assert.deepEqual(
    races.map((r) => r.card.raceId),
    ['0', '1'],
  );
  const [first, second] = races;
  assert.equal(first?.card.surface, 'turf');
  assert.equal(second?.card.surface, 'dirt');
  assert.equal(first?.card.runners[0]?.marketWinOdds, undefined);
  assert.deepEqual(second?.outcome.winners, ['8']);
  assert.deepEqual(second?.outcome.finishOrder, ['8', '7']);
  assert.equal(second?.outcome.winnerTimeS, 71);
});

void test('a missing file is named in the error', () => {
  assert.throws(
    () => [...readHkRaces(join(tmpdir(), 'no-such-hk-dir'))],
    (e: Error) => e instanceof HkDataError && e.message.includes('races.csv'),
  );
});

void test('a malformed row skips its race, reported with file and line; --strict fails instead', () => {
  const dir = dataDir([
    run(0, 1, 7, 1, '2.0'),
    run(0, 2, 9, 2, 'abc'),
    run(1, 1, 7, 2, '3.0'),
    run(1, 2, 8, 1, '2.0'),
  ]);
  const summary = { races: 0, skipped: [] as SkippedRace[] };
  assert.deepEqual(
    [...readHkRaces(dir, summary)].map((r) => r.card.raceId),
    ['1'],
  );
  assert.equal(summary.skipped.length, 1);
  assert.equal(
    formatSkipped(summary.skipped[0]!),
    'skipped race 0 (runs.csv:3): malformed row (win_odds: not a number)',
  );
  assert.throws(
    () => [...readHkRaces(dir, undefined, { strict: true })],
    (e: Error) => e instanceof InvalidRacesError && /runs\.csv:3\): malformed row \(win_odds/.test(e.message),
  );
});
