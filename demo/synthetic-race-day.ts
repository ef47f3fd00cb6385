/**
 * A deterministic synthetic Hong Kong race day: cards that pass RaceCardSchema, each runner's
 * RunnerHistory from a simulated past, and market odds with a takeout and a favourite-longshot bias.
 * Everything follows from the seed, so a demo or a test can replay the same day.
 */
import type { RunnerHistory } from '../schemas/history.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import { meetingConditions, raceConditions, winnerTime, type Venue } from './course.js';
import { formField, type Entry } from './field.js';
import { dayNumber, pairKey, pastMeetings, simulatePast, type SimulatedPast } from './history.js';
import { marketOdds } from './market.js';
import { runnerNotes } from './notes.js';
import { createPopulation } from './population.js';
import { createRng, deriveSeed } from './prng.js';
import { runRace, winProbabilities } from './race-model.js';

export type { Venue } from './course.js';

export interface RaceDayOptions {
  seed: number;
  /** ISO date YYYY-MM-DD of the meeting. */
  date: string;
  /** Defaults to Happy Valley on a Wednesday and Sha Tin otherwise, as in HK. */
  venue?: Venue;
  races?: number;
  /** Inclusive bounds on the field size; HK fields hold at most 14. */
  runnersPerRace?: readonly [number, number];
  /** Also return the generator's hidden truth per race (for tests and calibration demos). */
  includeTruth?: boolean;
}

export interface RaceTruth {
  /** Exact win probability per horseId under the simulation model; sums to 1. */
  winProb: Record<string, number>;
  /** One draw of the result from the same model, horseIds first to last. */
  finishOrder: string[];
}

export interface SyntheticRace {
  card: RaceCard;
  histories: RunnerHistory[];
  truth?: RaceTruth;
}

export interface RaceDay {
  meeting: RaceCard['meeting'];
  races: SyntheticRace[];
}

export class InvalidRaceDayOptionsError extends Error {
  override readonly name = 'InvalidRaceDayOptions';
}

const RACE_SPACING_MIN = 30;

function validate(o: RaceDayOptions): { races: number; min: number; max: number } {
  const races = o.races ?? 8;
  const [min, max] = o.runnersPerRace ?? [10, 14];
  if (!Number.isSafeInteger(o.seed))
    throw new InvalidRaceDayOptionsError(`seed must be an integer, got ${o.seed}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.date) || Number.isNaN(Date.parse(`${o.date}T00:00:00Z`)))
    throw new InvalidRaceDayOptionsError(`date must be an ISO date YYYY-MM-DD, got ${o.date}`);
  if (!Number.isInteger(races) || races < 1 || races > 20)
    throw new InvalidRaceDayOptionsError(`races must be 1-20, got ${races}`);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 2 || max > 14 || min > max)
    throw new InvalidRaceDayOptionsError(
      `runnersPerRace must be integers with 2 <= min <= max <= 14, got [${min}, ${max}]`,
    );
  return { races, min, max };
}

/** Post time `raceNo` at +08:00: Sha Tin runs afternoons, Happy Valley Wednesday nights. */
function postTime(date: string, venue: Venue, raceNo: number): string {
  const first = Date.parse(`${date}T${venue === 'HV' ? '19:15' : '12:30'}:00+08:00`);
  const hk = new Date(first + (raceNo - 1) * RACE_SPACING_MIN * 60_000 + 8 * 3_600_000);
  return `${hk.toISOString().slice(0, 19)}+08:00`;
}

/** Leaves the key out instead of writing `undefined`, so cards compare and serialise cleanly. */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

function history(e: Entry, past: SimulatedPast): RunnerHistory {
  const none = { rides: 0, wins: 0, places: 0 };
  return {
    horseId: e.horse.id,
    runs: [...(past.runs.get(e.horse.id) ?? [])].reverse(),
    jockey: past.people.get(e.jockey.id) ?? none,
    trainer: past.people.get(e.trainer.id) ?? none,
    jockeyTrainer: past.pairs.get(pairKey(e.jockey.id, e.trainer.id)) ?? none,
  };
}

export function generateRaceDay(options: RaceDayOptions): RaceDay {
  const { races, min, max } = validate(options);
  const { seed, date } = options;
  const today = dayNumber(date);
  const venue = options.venue ?? (new Date(`${date}T00:00:00Z`).getUTCDay() === 3 ? 'HV' : 'ST');
  // Separate streams, so asking for the truth leaves the cards unchanged.
  const popRng = createRng(deriveSeed(seed, 'population'));
  const todayRng = createRng(deriveSeed(seed, 'today'));
  const resultRng = createRng(deriveSeed(seed, 'result'));

  const meetingCount = popRng.int(30, 60);
  // Enough horses that every field fills even with the two-week break between runs.
  const pop = createPopulation(popRng, Math.max(700, races * max * 5), meetingCount);
  const past = simulatePast(
    createRng(deriveSeed(seed, 'past')),
    pop,
    pastMeetings(meetingCount, today, venue),
  );

  const conditions = meetingConditions(todayRng, venue);
  const meeting = { venue, date, trackGroup: conditions.trackGroup };
  const taken = new Set<string>();
  const out: SyntheticRace[] = [];
  for (let raceNo = 1; raceNo <= races; raceNo++) {
    const race = raceConditions(todayRng, conditions);
    const field = formField(todayRng, pop, race, todayRng.int(min, max), {
      venue,
      day: today,
      meetingIndex: meetingCount,
      taken,
    });
    if (field.length < min)
      throw new Error(`race ${raceNo}: only ${field.length} horses available, population too small`);
    const probs = winProbabilities(field.map((e) => e.points));
    const odds = marketOdds(todayRng, probs);
    const card = RaceCardSchema.parse({
      raceId: `${date}-${venue}-R${raceNo}`,
      meeting,
      raceNo,
      postTime: postTime(date, venue, raceNo),
      ...race,
      runners: field.map((e, i) => ({
        horseId: e.horse.id,
        horseName: e.horse.name,
        horseNo: e.horseNo,
        draw: e.draw,
        actualWeight: e.actualWeight,
        declaredWeight: e.declaredWeight,
        rating: e.horse.rating,
        age: e.horse.age,
        jockeyId: e.jockey.id,
        trainerId: e.trainer.id,
        ...optional('gear', e.gear ?? undefined),
        scratched: false,
        marketWinOdds: odds[i],
        ...optional('notes', runnerNotes(todayRng, e)),
      })),
    });
    const entry: SyntheticRace = { card, histories: field.map((e) => history(e, past)) };
    if (options.includeTruth) {
      const outcome = runRace(
        resultRng,
        field.map((e) => e.points),
        field.map((e) => e.horse.runningStyle),
        race.distanceM,
        winnerTime(resultRng, race),
      );
      entry.truth = {
        winProb: Object.fromEntries(field.map((e, i) => [e.horse.id, probs[i] ?? 0])),
        finishOrder: field
          .map((e, i) => ({ id: e.horse.id, pos: outcome[i]?.position ?? 0 }))
          .sort((a, b) => a.pos - b.pos)
          .map((x) => x.id),
      };
    }
    out.push(entry);
  }
  return { meeting, races: out };
}
