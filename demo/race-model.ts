/**
 * How a race is decided. Each runner gets a strength in rating points; a Plackett-Luce draw (strength
 * / TAU plus Gumbel noise, sorted) gives the finishing order, so the exact win probabilities are the
 * softmax of strength / TAU and the test can compare the market with the truth.
 */
import { goingSoftness, sectionCount, type RaceConditions, type Venue } from './course.js';
import type { Horse, Person } from './population.js';
import type { Rng } from './prng.js';

/** Rating points per unit of log-strength; sets how often favourites win (about 30% in HK). */
const TAU = 6;
/** Points a pound of weight costs: under 1, so top weights still win a little more than handicapping intends. */
const POINTS_PER_LB = 0.8;
const LENGTHS_PER_UNIT = 2.2;
const SECONDS_PER_LENGTH = 0.17;

export interface StrengthInput {
  horse: Horse;
  jockey: Person;
  trainer: Person;
  venue: Venue;
  conditions: RaceConditions;
  draw: number;
  fieldSize: number;
  actualWeight: number;
  day: number;
}

/** Inside draws help most at Happy Valley's tight turns and over short trips. */
function drawEffect(venue: Venue, distanceM: number, draw: number, fieldSize: number): number {
  const bias = (venue === 'HV' ? 4 : 2) * (distanceM <= 1400 ? 1.2 : 0.7);
  return -bias * ((draw - 1) / Math.max(1, fieldSize - 1));
}

export function strengthPoints(s: StrengthInput): number {
  const { horse, conditions } = s;
  const tripMiss = Math.abs(conditions.distanceM - horse.preferredDistanceM) / 400;
  const groundMiss = Math.abs(goingSoftness(conditions.going) - horse.goingPreference);
  const daysOff = horse.lastRunDay === null ? null : s.day - horse.lastRunDay;
  const freshness = daysOff === null ? -1 : daysOff > 60 ? -2.5 : 0;
  return (
    horse.ability +
    s.jockey.skill +
    s.trainer.skill +
    horse.form +
    freshness -
    Math.min(8, 3 * tripMiss * tripMiss) -
    1.5 * groundMiss +
    drawEffect(s.venue, conditions.distanceM, s.draw, s.fieldSize) -
    POINTS_PER_LB * (s.actualWeight - 113)
  );
}

export function winProbabilities(points: readonly number[]): number[] {
  const top = Math.max(...points);
  const w = points.map((p) => Math.exp((p - top) / TAU));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

export interface RunOutcome {
  position: number;
  lengthsBehind: number;
  finishTimeS: number;
  positionCalls: number[];
}

/** Ranks (1 = first) of scores, higher score ranked first. */
function ranks(scores: readonly number[]): number[] {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const out = new Array<number>(scores.length).fill(0);
  order.forEach(([, i], r) => (out[i] = r + 1));
  return out;
}

/**
 * Draws a result. Running positions blend each horse's early pace (its running style) into its
 * finishing performance, so leaders show early and closers make ground late, as in the HK calls.
 */
export function runRace(
  rng: Rng,
  points: readonly number[],
  styles: readonly number[],
  distanceM: number,
  winnerTimeS: number,
): RunOutcome[] {
  const perf = points.map((p) => p / TAU + rng.gumbel());
  const best = Math.max(...perf);
  const finish = ranks(perf);
  const early = styles.map((style) => (1 - style) * 3 + rng.normal(0, 0.7));
  const calls = sectionCount(distanceM);
  const callRanks: number[][] = [];
  for (let k = 0; k < calls - 1; k++) {
    const t = k / (calls - 1);
    callRanks.push(ranks(perf.map((p, i) => (1 - t) * (early[i] ?? 0) + t * p + rng.normal(0, 0.3))));
  }
  return perf.map((p, i) => {
    const position = finish[i] ?? 0;
    // A beaten horse is at least a short head (0.1 length) behind; lengths are quoted in quarters.
    const raw = (best - p) * LENGTHS_PER_UNIT;
    const lengthsBehind = position === 1 ? 0 : Math.max(0.1, Math.round(raw * 4) / 4);
    return {
      position,
      lengthsBehind,
      finishTimeS: Math.round((winnerTimeS + lengthsBehind * SECONDS_PER_LENGTH) * 100) / 100,
      positionCalls: [...callRanks.map((r) => r[i] ?? 0), position],
    };
  });
}
