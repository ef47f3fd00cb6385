import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readHkRaces } from '../../../import/hk-reader.js';
import { isAnonymousHorse, RaceCardSchema, type RaceCardInput } from '../../../schemas/race-card.js';
import { describeIssues } from '../../../schemas/workflow-input.js';

const runner = (horseNo: number, extra: object = {}) => ({
  horseId: `h${horseNo}`,
  horseNo,
  draw: horseNo,
  actualWeight: 150,
  jockeyId: `j${horseNo}`,
  trainerId: 't',
  ...extra,
});
const card = (extra: object, runners = [runner(1), runner(2)]): RaceCardInput =>
  ({
    raceId: 'gb-1',
    meeting: { venue: 'Cheltenham', date: '2026-11-22' },
    raceNo: 1,
    distanceM: 3200,
    surface: 'hurdle',
    going: 'GOOD TO SOFT',
    raceClass: 'Class 2',
    runners,
    ...extra,
  }) as RaceCardInput;
const errorOf = (input: unknown): string => {
  const r = RaceCardSchema.safeParse(input);
  assert.equal(r.success, false, 'the card should be refused');
  return describeIssues(r.error!);
};

describe('units and ranges for flat and jumps racing', () => {
  test('a jumps weight of 158 lb (11st 4lb) is accepted; 190 lb is refused in words naming lb', () => {
    assert.equal(
      RaceCardSchema.parse(card({}, [runner(1, { actualWeight: 158 }), runner(2)])).runners[0]!.actualWeight,
      158,
    );
    assert.match(
      errorOf(card({}, [runner(1, { actualWeight: 190 }), runner(2)])),
      /runners\.0\.actualWeight: weight carried 190 lb is outside 95-180 lb/,
    );
  });

  test('a kg card is bounded in kg and converted to pounds once, so re-validation changes nothing', () => {
    const parsed = RaceCardSchema.parse(
      card({ weightUnit: 'kg' }, [
        runner(1, { actualWeight: 58, declaredWeight: 480 }),
        runner(2, { actualWeight: 54.5 }),
      ]),
    );
    assert.equal(parsed.weightUnit, 'lb');
    assert.equal(parsed.runners[0]!.actualWeight, 127.9);
    assert.equal(parsed.runners[0]!.declaredWeight, 1058.2);
    assert.equal(parsed.runners[1]!.actualWeight, 120.2);
    assert.deepEqual(RaceCardSchema.parse(parsed), parsed);
    // 150 is a fine weight in lb but absurd in kg.
    assert.match(errorOf(card({ weightUnit: 'kg' })), /weight carried 150 kg is outside 43-82 kg/);
    assert.match(errorOf(card({ weightUnit: 'stone' })), /weightUnit/);
  });

  test('surfaces: turf, dirt, synthetic, hurdle, chase; jumps distances up to 7,200 m', () => {
    for (const surface of ['turf', 'dirt', 'synthetic', 'hurdle', 'chase'])
      assert.equal(RaceCardSchema.parse(card({ surface })).surface, surface);
    assert.equal(RaceCardSchema.parse(card({ surface: 'chase', distanceM: 6907 })).distanceM, 6907);
    assert.match(errorOf(card({ surface: 'steeplechase' })), /surface/);
    assert.match(errorOf(card({ distanceM: 8000 })), /distanceM/);
  });

  test('a runner without a horse id gets a race-unique id with no history, and re-validates', () => {
    const { horseId: _drop, ...noId } = runner(2);
    void _drop;
    const parsed = RaceCardSchema.parse(card({}, [runner(1), noId as ReturnType<typeof runner>]));
    const anon = parsed.runners[1]!.horseId;
    assert.equal(anon, '_anon:gb-1:2');
    assert.ok(isAnonymousHorse(anon));
    assert.ok(!isAnonymousHorse(parsed.runners[0]!.horseId));
    assert.deepEqual(RaceCardSchema.parse(parsed), parsed);
  });
});

describe('Kaggle-format import of other jurisdictions', () => {
  const RACES = `race_id,date,venue,race_no,config,surface,distance,going,horse_ratings,prize,race_class
1,2026-06-02,AQU,1,,1,8.5,FAST,,,ALW
2,2026-06-02,CHL,2,,chase,16,GOOD,,,2
`;
  const HEADER =
    'race_id,horse_no,horse_id,result,won,lengths_behind,horse_age,horse_rating,horse_gear,declared_weight,actual_weight,draw,position_sec1,position_sec2,position_sec3,position_sec4,position_sec5,position_sec6,finish_time,win_odds,place_odds,trainer_id,jockey_id';
  const run = (race: number, no: string, horse: number, result: number, weight = 120) =>
    `${race},${no},${horse},${result},${result === 1 ? 1 : 0},0,4,,--,,${weight},${parseInt(no, 10)},,,,,,,,3.0,,1,${horse}`;

  test('furlongs become metres, surfaces by name, "1A" program numbers sort after "1"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jur-'));
    writeFileSync(join(dir, 'races.csv'), RACES);
    writeFileSync(
      join(dir, 'runs.csv'),
      [
        HEADER,
        run(1, '2', 3, 1),
        run(1, '1A', 2, 2),
        run(1, '1', 1, 3),
        run(2, '1', 4, 1, 166),
        run(2, '2', 5, 2, 150),
      ].join('\n'),
    );
    const races = [...readHkRaces(dir, undefined, { distanceUnit: 'furlongs' })];
    assert.equal(races[0]!.card.distanceM, 1710);
    assert.equal(races[1]!.card.distanceM, 3219);
    assert.equal(races[1]!.card.surface, 'chase');
    assert.deepEqual(
      races[0]!.card.runners.map((r) => r.horseNo),
      ['1', '1A', '2'],
    );
    assert.equal(races[1]!.card.runners[0]!.actualWeight, 166);
  });
});
