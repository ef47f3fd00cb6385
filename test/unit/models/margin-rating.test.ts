import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES } from '../../../models/features/definitions.js';
import { marginColumns, marginRating } from '../../../models/features/margin-rating.js';
import { fitSpeedPars } from '../../../models/features/pars.js';
import { buildQuantFeatures } from '../../../models/features/quant-features.js';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { pastRunsOf } from '../../../models/hk/past-runs.js';
import type { HkRace } from '../../../models/hk/types.js';
import { PastRunSchema } from '../../../schemas/history.js';
import { RaceCardSchema } from '../../../schemas/race-card.js';

interface FixtureRunner {
  horseId: string;
  lengthsBehind: number | null;
  mu: number;
  sd: number;
  z: number;
  gap: number;
  top: number;
}
interface FixtureRace {
  raceId: string;
  date: string;
  distanceM: number;
  runners: FixtureRunner[];
}

/** Written by `models/training/rating_cv.py --write-fixture`: its margin0w (m20) values per runner. */
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'margin-rating.json'), 'utf8'),
) as { races: FixtureRace[] };

function hkRace(r: FixtureRace, i: number): HkRace {
  const card = RaceCardSchema.parse({
    raceId: r.raceId,
    meeting: { venue: 'ST', date: r.date },
    raceNo: 1,
    distanceM: r.distanceM,
    surface: 'turf',
    going: 'GOOD',
    raceClass: '4',
    runners: r.runners.map((x, k) => ({
      horseId: x.horseId,
      horseNo: k + 1,
      draw: k + 1,
      actualWeight: 120,
      jockeyId: 'j',
      trainerId: 't',
    })),
  });
  const order = r.runners.map((x) => x.horseId);
  return {
    raceNumericId: i,
    card,
    outcome: {
      finishOrder: order,
      winners: [order[0] as string],
      winnerTimeS: 70,
      results: r.runners.map((x, k) => ({
        horseId: x.horseId,
        position: k + 1,
        won: k === 0,
        lengthsBehind: x.lengthsBehind === null ? null : Math.max(0, x.lengthsBehind),
        finishTimeS: 70,
        positionCalls: [],
        sectionalTimesS: [],
      })),
    },
  };
}

void test("the TypeScript margin rating reproduces rating_cv.py's margin0w values through the history accumulator", () => {
  const acc = new HistoryAccumulator();
  const pars = fitSpeedPars([], 0, 'test');
  let compared = 0;
  let windowed = 0;
  fixture.races.forEach((r, i) => {
    const race = hkRace(r, i);
    const histories = acc.historiesFor(race.card);
    const runs = race.card.runners.map((x) => histories.get(x.horseId)?.runs ?? []);
    const cols = marginColumns(runs, r.date);
    r.runners.forEach((x, k) => {
      for (const key of ['mu', 'sd', 'z', 'gap', 'top'] as const) {
        const got = cols[key][k] as number;
        assert.ok(Math.abs(got - x[key]) < 1e-9, `race ${r.raceId} ${x.horseId} ${key}: ${got} vs ${x[key]}`);
      }
      compared += 1;
      if ((runs[k]?.length ?? 0) === 20) windowed += 1;
    });
    // The shipped columns are the same values, as float32.
    const rows = buildQuantFeatures(race.card, histories, pars).rows;
    r.runners.forEach((x, k) => {
      const row = rows[k] as Float32Array;
      for (const [name, want] of [
        ['margin_rating_z', x.z],
        ['margin_rating_gap', x.gap],
        ['margin_rating_top', x.top],
        ['margin_rating_sd', x.sd],
      ] as const)
        assert.ok(Math.abs((row[FEATURE_NAMES.indexOf(name)] as number) - want) < 1e-5, name);
    });
    acc.record(race);
  });
  assert.ok(compared > 250 && windowed > 50, `compared ${compared}, at the 20-run window ${windowed}`);
});

void test('past runs carry the field mean of clipped lengths per km; rows stored without it parse and are skipped', () => {
  const race = hkRace(
    {
      raceId: 'x',
      date: '2020-01-01',
      distanceM: 1000,
      runners: [
        { horseId: 'a', lengthsBehind: 0, mu: 0, sd: 0, z: 0, gap: 0, top: 0 },
        { horseId: 'b', lengthsBehind: 4, mu: 0, sd: 0, z: 0, gap: 0, top: 0 },
        { horseId: 'c', lengthsBehind: null, mu: 0, sd: 0, z: 0, gap: 0, top: 0 },
        { horseId: 'd', lengthsBehind: 30, mu: 0, sd: 0, z: 0, gap: 0, top: 0 },
      ],
    },
    0,
  );
  const runs = pastRunsOf(race);
  // (0 + 4 + 10 + min(30, 10)) / 4: a missing margin and a long one both count as 10 lengths per km.
  for (const { run } of runs) assert.equal(run.fieldBehindPerKm, 6);
  const a = runs[0]?.run;
  assert.ok(a);
  // The winner beat the field's mean by 6 lengths per km: one observation moves mu by 4 / (4 + 4) of it.
  assert.ok(Math.abs(marginRating([a], '2020-01-01').mu - 3) < 1e-12);
  const old: Record<string, unknown> = { ...a };
  delete old.fieldBehindPerKm;
  const parsed = PastRunSchema.parse(old);
  assert.deepEqual(marginRating([parsed], '2020-06-01'), { mu: 0, variance: 4 });
});
