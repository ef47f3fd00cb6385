import type { Db } from './pool.js';
import { pastRunsOf } from '../models/hk/past-runs.js';
import type { HkRace } from '../models/hk/types.js';
import { upsertPastRuns } from './history.js';

/**
 * Writes HK races into the hk_* tables and the horse_runs history store. Every write is an upsert keyed
 * by the data's own ids, so importing the same files twice changes nothing.
 */
export async function upsertHkRaces(db: Db, races: HkRace[]): Promise<void> {
  if (races.length === 0) return;
  const cards = races.map((r) => r.card);
  await db.query(
    `INSERT INTO hk_races (race_id, race_date, venue, race_no, track_config, surface, distance_m, going, race_class, prize, winner_time_s)
     SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::float8[], $11::float8[])
     ON CONFLICT (race_id) DO UPDATE SET race_date = EXCLUDED.race_date, venue = EXCLUDED.venue, race_no = EXCLUDED.race_no,
       track_config = EXCLUDED.track_config, surface = EXCLUDED.surface, distance_m = EXCLUDED.distance_m, going = EXCLUDED.going,
       race_class = EXCLUDED.race_class, prize = EXCLUDED.prize, winner_time_s = EXCLUDED.winner_time_s`,
    [
      races.map((r) => r.raceNumericId),
      cards.map((c) => c.meeting.date),
      cards.map((c) => c.meeting.venue),
      cards.map((c) => c.raceNo),
      cards.map((c) => c.meeting.trackGroup ?? null),
      cards.map((c) => c.surface),
      cards.map((c) => c.distanceM),
      cards.map((c) => c.going),
      cards.map((c) => c.raceClass),
      cards.map((c) => c.prize ?? null),
      races.map((r) => r.outcome.winnerTimeS),
    ],
  );
  const runners = races.flatMap((race) => {
    const results = new Map(race.outcome.results.map((r) => [r.horseId, r]));
    return race.card.runners.map((runner) => ({ race, runner, result: results.get(runner.horseId) }));
  });
  const col = <T>(f: (x: (typeof runners)[number]) => T): T[] => runners.map(f);
  await db.query(
    `INSERT INTO hk_runners (race_id, horse_id, horse_no, draw, actual_weight, declared_weight, rating, age, horse_country, horse_type,
                             gear, jockey_id, trainer_id)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::int[], $9::text[], $10::text[],
                          $11::text[], $12::text[], $13::text[])
     ON CONFLICT (race_id, horse_id) DO UPDATE SET horse_no = EXCLUDED.horse_no, draw = EXCLUDED.draw, actual_weight = EXCLUDED.actual_weight,
       declared_weight = EXCLUDED.declared_weight, rating = EXCLUDED.rating, age = EXCLUDED.age, horse_country = EXCLUDED.horse_country,
       horse_type = EXCLUDED.horse_type, gear = EXCLUDED.gear, jockey_id = EXCLUDED.jockey_id, trainer_id = EXCLUDED.trainer_id`,
    [
      col((x) => x.race.raceNumericId),
      col((x) => x.runner.horseId),
      col((x) => x.runner.horseNo),
      col((x) => x.runner.draw),
      col((x) => x.runner.actualWeight),
      col((x) => x.runner.declaredWeight ?? null),
      col((x) => x.runner.rating ?? null),
      col((x) => x.runner.age ?? null),
      col((x) => x.runner.horseCountry ?? null),
      col((x) => x.runner.horseType ?? null),
      col((x) => x.runner.gear ?? null),
      col((x) => x.runner.jockeyId),
      col((x) => x.runner.trainerId),
    ],
  );
  await db.query(
    `INSERT INTO hk_results (race_id, horse_id, position, won, lengths_behind, finish_time_s)
     SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::bool[], $5::float8[], $6::float8[])
     ON CONFLICT (race_id, horse_id) DO UPDATE SET position = EXCLUDED.position, won = EXCLUDED.won,
       lengths_behind = EXCLUDED.lengths_behind, finish_time_s = EXCLUDED.finish_time_s`,
    [
      col((x) => x.race.raceNumericId),
      col((x) => x.runner.horseId),
      col((x) => x.result?.position ?? null),
      col((x) => x.result?.won ?? false),
      col((x) => x.result?.lengthsBehind ?? null),
      col((x) => x.result?.finishTimeS ?? null),
    ],
  );
  await db.query(
    `INSERT INTO hk_market_odds (race_id, horse_id, win_odds, place_odds)
     SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[])
     ON CONFLICT (race_id, horse_id) DO UPDATE SET win_odds = EXCLUDED.win_odds, place_odds = EXCLUDED.place_odds`,
    [
      col((x) => x.race.raceNumericId),
      col((x) => x.runner.horseId),
      col((x) => x.runner.marketWinOdds ?? null),
      col((x) => x.runner.marketPlaceOdds ?? null),
    ],
  );
  await db.query(
    `INSERT INTO hk_sectionals (race_id, horse_id, position_calls, section_times_s)
     SELECT race_id, horse_id, position_calls::float8[], section_times_s::float8[]
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS t(race_id, horse_id, position_calls, section_times_s)
     ON CONFLICT (race_id, horse_id) DO UPDATE SET position_calls = EXCLUDED.position_calls, section_times_s = EXCLUDED.section_times_s`,
    [
      col((x) => x.race.raceNumericId),
      col((x) => x.runner.horseId),
      col((x) => `{${(x.result?.positionCalls ?? []).join(',')}}`),
      col((x) => `{${(x.result?.sectionalTimesS ?? []).join(',')}}`),
    ],
  );
  await upsertPastRuns(
    db,
    races.flatMap((race) => pastRunsOf(race).map(({ horseId, run }) => ({ horseId, run }))),
  );
}

export async function countHkRows(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM hk_races) AS hk_races, (SELECT count(*) FROM hk_runners) AS hk_runners,
            (SELECT count(*) FROM hk_results) AS hk_results, (SELECT count(*) FROM hk_market_odds) AS hk_market_odds,
            (SELECT count(*) FROM hk_sectionals) AS hk_sectionals, (SELECT count(*) FROM horse_runs) AS horse_runs`,
  );
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}
