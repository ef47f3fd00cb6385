import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import type { RaceCard, RaceCardInput } from '../schemas/race-card.js';
import {
  InvalidRacesError,
  validateRaces,
  type RaceCandidate,
  type SkippedRace,
} from '../schemas/validate-races.js';
import { RaceRowSchema, RunRowSchema, type RaceRow, type RunRow } from './hk-csv-rows.js';
import type { HkRace, HkRunResult, RaceOutcome } from '../models/hk/types.js';

export class HkDataError extends Error {
  override name = 'HkDataError';
}

interface RowError {
  /** The row's race_id cell as written (the race it spoils), or '?' when even that is unreadable. */
  raceId: string;
  file: string;
  line: number;
  reason: string;
}

/** Every row that parses, and every row that does not with its line: one bad row spoils one race, not the file. */
function readRows<S extends z.ZodType>(
  file: string,
  schema: S,
): { rows: { row: z.infer<S>; line: number }[]; errors: RowError[] } {
  if (!existsSync(file)) throw new HkDataError(`HK data file not found: ${file}`);
  const records = parse(readFileSync(file, 'utf8'), {
    columns: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const rows: { row: z.infer<S>; line: number }[] = [];
  const errors: RowError[] = [];
  for (const { record, info } of records) {
    const parsed = schema.safeParse(record);
    if (parsed.success) rows.push({ row: parsed.data, line: info.lines });
    else {
      const issue = parsed.error.issues[0];
      errors.push({
        raceId: /^\d+$/.test(record.race_id?.trim() ?? '') ? String(Number(record.race_id)) : '?',
        file: basename(file),
        line: info.lines,
        reason: `malformed row (${issue?.path.join('.')}: ${issue?.message})`,
      });
    }
  }
  return { rows, errors };
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

export const METRES_PER_FURLONG = 201.168;

export interface HkReadOptions {
  /** Unit of the races.csv distance column (the Kaggle HK data: metres). */
  distanceUnit?: 'm' | 'furlongs';
}

const surfaceOf = (code: RaceRow['surface']): RaceCard['surface'] =>
  code === '0' ? 'turf' : code === '1' ? 'dirt' : code;

/** Saddle-cloth order: by the leading number, then the letter ("1", "1A", "2", "10"). */
export const programOrder = (a: string, b: string): number =>
  parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b);

function toCardInput(race: RaceRow, runs: RunRow[], options: HkReadOptions): RaceCardInput {
  const input: RaceCardInput = {
    raceId: String(race.race_id),
    meeting: { venue: race.venue, date: race.date, ...(race.config ? { trackGroup: race.config } : {}) },
    raceNo: race.race_no,
    distanceM:
      options.distanceUnit === 'furlongs' ? Math.round(race.distance * METRES_PER_FURLONG) : race.distance,
    surface: surfaceOf(race.surface),
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
  return input;
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
    .sort((a, b) => a.pos - b.pos || programOrder(a.no, b.no));
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
  /** Races left out, each with its reason in words and the file and line it came from. */
  skipped: SkippedRace[];
}

/**
 * Yields every race of Kaggle-format data in race_id (chronological) order, each as a validated
 * RaceCard plus its outcome. A race that cannot form a card (race 6108 has no runs), has a malformed
 * row, or fails card validation is skipped and listed in `summary.skipped`, never silently; with
 * `strict`, any malformed or invalid race throws InvalidRacesError (naming every one) before a race is
 * yielded.
 */
export function* readHkRaces(
  dataDir: string,
  summary?: HkReadSummary,
  options: HkReadOptions & { strict?: boolean } = {},
): Generator<HkRace> {
  const racesFile = readRows(join(dataDir, 'races.csv'), RaceRowSchema);
  const runsFile = readRows(join(dataDir, 'runs.csv'), RunRowSchema);
  const races = racesFile.rows.sort((a, b) => a.row.race_id - b.row.race_id);
  const runsByRace = new Map<number, RunRow[]>();
  for (const { row } of runsFile.rows) {
    const list = runsByRace.get(row.race_id) ?? [];
    list.push(row);
    runsByRace.set(row.race_id, list);
  }
  const rowErrors = [...racesFile.errors, ...runsFile.errors];
  const spoiled = new Map(rowErrors.map((e) => [e.raceId, e]));
  const noRuns: SkippedRace[] = [];
  const candidates: RaceCandidate<{ id: number; runs: RunRow[] }>[] = [];
  for (const { row: race, line } of races) {
    const runs = (runsByRace.get(race.race_id) ?? []).sort((a, b) => programOrder(a.horse_no, b.horse_no));
    if (spoiled.has(String(race.race_id))) continue;
    if (runs.length < 2) {
      noRuns.push({ raceId: String(race.race_id), reason: `${runs.length} runs in runs.csv` });
      continue;
    }
    candidates.push({
      raceId: String(race.race_id),
      card: toCardInput(race, runs, options),
      file: 'races.csv',
      line,
      extra: { id: race.race_id, runs },
    });
  }
  const { valid, skipped } = validateRaces(candidates);
  const invalid = [
    ...rowErrors.map(({ raceId, reason, file, line }) => ({ raceId, reason, file, line })),
    ...skipped,
  ];
  if (options.strict && invalid.length > 0) throw new InvalidRacesError(invalid);
  summary?.skipped.push(...noRuns, ...invalid);
  if (summary) summary.races += valid.length;
  for (const { card, extra } of valid)
    yield { raceNumericId: extra.id, card, outcome: toOutcome(extra.runs) };
}
