import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunnerHistorySchema } from '../../../schemas/history.js';
import { RaceCardSchema } from '../../../schemas/race-card.js';
import {
  generateRaceDay,
  InvalidRaceDayOptionsError,
  type RaceDay,
  type SyntheticRace,
} from '../../../demo/synthetic-race-day.js';

const DATE = '2024-03-10';
// 30 days of 10 races: the aggregate checks below need a few hundred races to be stable.
const days: RaceDay[] = Array.from({ length: 30 }, (_, i) =>
  generateRaceDay({ seed: 1000 + i, date: DATE, races: 10, includeTruth: true }),
);
const allRaces: SyntheticRace[] = days.flatMap((d) => d.races);

const odds = (race: SyntheticRace): number[] =>
  race.card.runners.map((r) => {
    assert.ok(r.marketWinOdds !== undefined, `${r.horseId} has no market odds`);
    return r.marketWinOdds;
  });
const trueProb = (race: SyntheticRace, horseId: string): number => {
  const p = race.truth?.winProb[horseId];
  assert.ok(p !== undefined, `no true probability for ${horseId}`);
  return p;
};

void test('the same seed gives an identical day', () => {
  const a = generateRaceDay({ seed: 42, date: DATE, includeTruth: true });
  const b = generateRaceDay({ seed: 42, date: DATE, includeTruth: true });
  assert.deepStrictEqual(a, b);
});

void test('a different seed gives a different day', () => {
  assert.notDeepStrictEqual(
    generateRaceDay({ seed: 42, date: DATE }),
    generateRaceDay({ seed: 43, date: DATE }),
  );
});

void test('asking for the truth leaves the cards and histories unchanged', () => {
  const plain = generateRaceDay({ seed: 7, date: DATE });
  const withTruth = generateRaceDay({ seed: 7, date: DATE, includeTruth: true });
  assert.deepStrictEqual(
    plain.races,
    withTruth.races.map(({ card, histories }) => ({ card, histories })),
  );
});

void test('every card passes RaceCardSchema and every history passes RunnerHistorySchema, one per runner', () => {
  for (const race of allRaces) {
    const card = RaceCardSchema.safeParse(race.card);
    assert.ok(card.success, `${race.card.raceId}: ${card.error?.message}`);
    assert.deepStrictEqual(
      race.histories.map((h) => h.horseId),
      race.card.runners.map((r) => r.horseId),
    );
    for (const h of race.histories) {
      const parsed = RunnerHistorySchema.safeParse(h);
      assert.ok(parsed.success, `${h.horseId}: ${parsed.error?.message}`);
    }
  }
});

void test('overround (sum of 1/odds) stays within [1.15, 1.30] in every race, odds in (1, 99]', () => {
  for (const race of allRaces) {
    const o = odds(race);
    assert.ok(
      o.every((x) => x > 1 && x <= 99),
      `${race.card.raceId} odds out of range`,
    );
    const book = o.reduce((s, x) => s + 1 / x, 0);
    assert.ok(book >= 1.15 && book <= 1.3, `${race.card.raceId} overround ${book}`);
  }
});

void test('the market under-bets favourites and over-bets longshots relative to the true probabilities', () => {
  assert.ok(allRaces.length >= 300);
  let favTrue = 0;
  let favMarket = 0;
  let longTrue = 0;
  let longMarket = 0;
  for (const race of allRaces) {
    const o = odds(race);
    const book = o.reduce((s, x) => s + 1 / x, 0);
    const fav = Math.min(...o);
    race.card.runners.forEach((r, i) => {
      const market = 1 / (o[i] ?? Infinity) / book;
      if (o[i] === fav) {
        favTrue += trueProb(race, r.horseId);
        favMarket += market;
      } else if (market < 0.04) {
        longTrue += trueProb(race, r.horseId);
        longMarket += market;
      }
    });
  }
  const favRatio = favTrue / favMarket;
  const longRatio = longTrue / longMarket;
  assert.ok(favRatio > 1.05, `favourites: true/market ${favRatio.toFixed(3)}`);
  assert.ok(longRatio < 0.95, `longshots: true/market ${longRatio.toFixed(3)}`);
});

void test('histories hold only earlier dates, most recent first', () => {
  for (const race of allRaces) {
    for (const h of race.histories) {
      const dates = h.runs.map((r) => r.date);
      assert.ok(
        dates.every((d) => d < race.card.meeting.date),
        `${h.horseId} has a run on or after race day`,
      );
      assert.deepStrictEqual(dates, [...dates].sort().reverse());
    }
  }
});

void test('jockey, trainer and pair records are consistent season-to-date counts', () => {
  for (const race of allRaces)
    for (const h of race.histories) {
      const pair = h.jockeyTrainer;
      assert.ok(pair, `${h.horseId} has no jockey-trainer record`);
      for (const f of [h.jockey, h.trainer, pair]) assert.ok(f.wins <= f.places && f.places <= f.rides);
      assert.ok(pair.rides <= Math.min(h.jockey.rides, h.trainer.rides));
    }
});

void test('field sizes stay within the default and requested bounds', () => {
  for (const race of allRaces) {
    const n = race.card.runners.length;
    assert.ok(n >= 10 && n <= 14, `${race.card.raceId} has ${n} runners`);
  }
  const day = generateRaceDay({ seed: 5, date: '2024-03-13', races: 11, runnersPerRace: [6, 8] });
  assert.equal(day.races.length, 11);
  for (const race of day.races) assert.ok(race.card.runners.length >= 6 && race.card.runners.length <= 8);
});

void test('cards look like a Hong Kong meeting: ids, post times 30 minutes apart, winner times by distance', () => {
  const day = generateRaceDay({ seed: 9, date: '2024-03-13' });
  assert.equal(day.meeting.venue, 'HV', 'a Wednesday defaults to Happy Valley');
  day.races.forEach((race, i) => {
    assert.equal(race.card.raceId, `2024-03-13-HV-R${i + 1}`);
    assert.match(race.card.postTime ?? '', /\+08:00$/);
    if (i > 0) {
      const prev = Date.parse(day.races[i - 1]?.card.postTime ?? '');
      assert.equal(Date.parse(race.card.postTime ?? '') - prev, 30 * 60_000);
    }
  });
  for (const race of allRaces)
    for (const h of race.histories)
      for (const run of h.runs) {
        const per200 = (run.winnerTimeS ?? 0) / (run.distanceM / 200);
        assert.ok(per200 >= 11.5 && per200 <= 12.5, `${run.raceId}: ${per200.toFixed(2)} s per 200 m`);
        assert.equal(run.positionCalls.at(-1), run.position);
      }
});

void test('bad options are rejected with a named error', () => {
  assert.throws(() => generateRaceDay({ seed: 1, date: '10/03/2024' }), InvalidRaceDayOptionsError);
  assert.throws(() => generateRaceDay({ seed: 1.5, date: DATE }), InvalidRaceDayOptionsError);
  assert.throws(
    () => generateRaceDay({ seed: 1, date: DATE, runnersPerRace: [12, 10] }),
    InvalidRaceDayOptionsError,
  );
});
