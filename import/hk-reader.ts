import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { RaceCardSchema, type RaceCard, type RaceCardInput } from '../schemas/race-card.js';
import { RaceRowSchema, RunRowSchema, type RaceRow, type RunRow } from './hk-csv-rows.js';
import type { HkRace, HkRunResult, RaceOutcome } from '../models/hk/types.js';

export class HkDataError extends Error {
  override name = 'HkDataError';
}

function readRows<S extends z.ZodType>(file: string, schema: S): z.infer<S>[] {
  if (!existsSync(file)) throw new HkDataError(`HK data file not found: ${file}`);
  const records = parse(readFileSync(file, 'utf8'), {
    columns: true,
    info: true,
    skip_empty_lines: true,
  }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return records.map(({ record, info }) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HkDataError(
        `${file}:${info.lines}: malformed row (${issue?.path.join('.')}: ${issue?.message})`,
      );
    }
    return parsed.data;
  });
}

const positionCallsOf = (r: RunRow): number[] =>
  [
    r.position_sec1,
    r.position_sec2,
    r.position_sec3,
    r.position_sec4,
    r.position_sec5,
    r.position_sec6,
  ].filter((p): p is number => p !== null);

/** The data caps odds at 99 and has two winners at 1.0; the card only accepts odds above 1. */
const oddsOrUndefined = (o: number | null): number | undefined =>
  o !== null && o > 1 ? Math.min(o, 1000) : undefined;

function toCard(race: RaceRow, runs: RunRow[]): RaceCard {
  const input: RaceCardInput = {
    raceId: String(race.race_id),
    meeting: { venue: race.venue, date: race.date, ...(race.config ? { trackGroup: race.config } : {}) },
    raceNo: race.race_no,
    distanceM: race.distance,
    surface: race.surface === '0' ? 'turf' : 'dirt',
    going: race.going,
    raceClass: race.race_class,
    ...(race.prize !== null ? { prize: race.prize } : {}),
    runners: runs.map((r) => ({
      horseId: String(r.horse_id),
      horseNo: r.horse_no,
      draw: r.draw,
      actualWeight: r.actual_weight,
      ...(r.declared_weight !== null ? { declaredWeight: r.declared_weight } : {}),
      ...(r.horse_rating !== null ? { rating: r.horse_rating } : {}),
      ...(r.horse_age !== null ? { age: r.horse_age } : {}),
      ...(r.horse_country ? { horseCountry: r.horse_country } : {}),
      ...(r.horse_type ? { horseType: r.horse_type } : {}),
      jockeyId: String(r.jockey_id),
      trainerId: String(r.trainer_id),
      ...(r.horse_gear && r.horse_gear !== '--' ? { gear: r.horse_gear } : {}),
      marketWinOdds: oddsOrUndefined(r.win_odds),
      marketPlaceOdds: oddsOrUndefined(r.place_odds),
    })),
  };
  return RaceCardSchema.parse(input);
}

function toOutcome(runs: RunRow[]): RaceOutcome {
  const results: HkRunResult[] = runs.map((r) => ({
    horseId: String(r.horse_id),
    position: r.result,
    won: r.won === 1,
    lengthsBehind:
      r.lengths_behind === null || r.lengths_behind >= 999 ? null : Math.max(0, r.lengths_behind),
    finishTimeS: r.finish_time,
    positionCalls: positionCallsOf(r),
    sectionalTimesS: [r.time1, r.time2, r.time3, r.time4, r.time5, r.time6].filter(
      (t): t is number => t !== null && t > 0,
    ),
  }));
  const order = runs
    .map((r) => ({ id: String(r.horse_id), pos: r.result ?? Number.POSITIVE_INFINITY, no: r.horse_no }))
    .sort((a, b) => a.pos - b.pos || a.no - b.no);
  const winnerTimes = results
    .filter((r) => r.won && r.finishTimeS !== null)
    .map((r) => r.finishTimeS as number);
  return {
    finishOrder: order.map((o) => o.id),
    winners: results.filter((r) => r.won).map((r) => r.horseId),
    results,
    winnerTimeS: winnerTimes.length > 0 ? Math.min(...winnerTimes) : null,
  };
}

export interface HkReadSummary {
  races: number;
  skipped: { raceId: number; reason: string }[];
}

/**
 * Yields every race of the Kaggle HK data in race_id (chronological) order, each as a validated
 * RaceCard plus its outcome. Races that cannot form a card (race 6108 has no runs) are skipped and
 * listed in `summary.skipped`, never silently.
 */
export function* readHkRaces(dataDir: string, summary?: HkReadSummary): Generator<HkRace> {
  const races = readRows(join(dataDir, 'races.csv'), RaceRowSchema).sort((a, b) => a.race_id - b.race_id);
  const runsByRace = new Map<number, RunRow[]>();
  for (const run of readRows(join(dataDir, 'runs.csv'), RunRowSchema)) {
    const list = runsByRace.get(run.race_id) ?? [];
    list.push(run);
    runsByRace.set(run.race_id, list);
  }
  for (const race of races) {
    const runs = (runsByRace.get(race.race_id) ?? []).sort((a, b) => a.horse_no - b.horse_no);
    if (runs.length < 2) {
      summary?.skipped.push({ raceId: race.race_id, reason: `${runs.length} runs in runs.csv` });
      continue;
    }
    if (summary) summary.races += 1;
    yield { raceNumericId: race.race_id, card: toCard(race, runs), outcome: toOutcome(runs) };
  }
}
