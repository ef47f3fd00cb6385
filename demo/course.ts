/**
 * Hong Kong racing conditions the synthetic cards imitate. Frequencies are rounded from the
 * hkracing races.csv (1997-2005): shares of distances per venue, goings, classes and prizes.
 */
import type { Rng } from './prng.js';

export type Venue = 'ST' | 'HV';
export type Surface = 'turf' | 'dirt';

export interface RaceConditions {
  distanceM: number;
  surface: Surface;
  going: string;
  raceClass: string;
  prize: number;
}

export interface MeetingConditions {
  venue: Venue;
  trackGroup: string;
  turfGoing: string;
  dirtGoing: string;
  /** Prize money drifts between meetings in the data; one factor per meeting keeps a card coherent. */
  prizeLevel: number;
}

const DISTANCES: Record<Venue, readonly (readonly [number, number])[]> = {
  ST: [
    [1000, 9],
    [1200, 30],
    [1400, 27],
    [1600, 16],
    [1650, 6],
    [1800, 8],
    [2000, 3],
    [2200, 0.5],
    [2400, 0.5],
  ],
  HV: [
    [1000, 14],
    [1200, 35],
    [1650, 37],
    [1800, 11],
    [2200, 3],
  ],
};
// Sha Tin's all-weather track (dirt) hosts a tenth of its races, over a few trips only.
const DIRT_DISTANCES = [1200, 1650, 1800] as const;
const TURF_GOING = [
  ['GOOD', 65],
  ['GOOD TO FIRM', 25],
  ['GOOD TO YIELDING', 5],
  ['YIELDING', 2],
  ['YIELDING TO SOFT', 1],
  ['SOFT', 1],
] as const;
const DIRT_GOING = [
  ['GOOD', 50],
  ['FAST', 25],
  ['WET FAST', 12],
  ['WET SLOW', 9],
  ['SLOW', 4],
] as const;
const TRACK_GROUPS = ['A', 'A+3', 'B', 'B+2', 'C', 'C+3'] as const;

/** Class 5 is the lowest; HK cards are mostly classes 3 to 5. */
export const CLASS_WEIGHTS = [
  ['5', 22],
  ['4', 36],
  ['3', 28],
  ['2', 10],
  ['1', 4],
] as const;
/** Rating band of each class; neighbouring bands overlap as the HK bands do. */
export const RATING_BANDS: Record<string, readonly [number, number]> = {
  '5': [40, 58],
  '4': [54, 74],
  '3': [70, 90],
  '2': [86, 104],
  '1': [100, 120],
};
const BASE_PRIZE: Record<string, number> = {
  '5': 520_000,
  '4': 700_000,
  '3': 980_000,
  '2': 1_300_000,
  '1': 2_100_000,
};

export function meetingConditions(rng: Rng, venue: Venue): MeetingConditions {
  return {
    venue,
    trackGroup: rng.pick(TRACK_GROUPS),
    turfGoing: rng.weighted(TURF_GOING),
    dirtGoing: rng.weighted(DIRT_GOING),
    prizeLevel: rng.uniform() * 0.3 + 0.85,
  };
}

export function raceConditions(rng: Rng, meeting: MeetingConditions): RaceConditions {
  const dirt = meeting.venue === 'ST' && rng.chance(0.1);
  const raceClass = rng.weighted(CLASS_WEIGHTS);
  const prizeRaw = (BASE_PRIZE[raceClass] ?? 700_000) * meeting.prizeLevel;
  return {
    distanceM: dirt ? rng.pick(DIRT_DISTANCES) : rng.weighted(DISTANCES[meeting.venue]),
    surface: dirt ? 'dirt' : 'turf',
    going: dirt ? meeting.dirtGoing : meeting.turfGoing,
    raceClass,
    prize: Math.round(prizeRaw / 5000) * 5000,
  };
}

/** How soft the ground is, -1 (firm/fast) to +2 (soft/slow); horses have a preference on this axis. */
export function goingSoftness(going: string): number {
  const table: Record<string, number> = {
    'GOOD TO FIRM': -1,
    FAST: -1,
    GOOD: 0,
    'WET FAST': 0.5,
    'GOOD TO YIELDING': 0.5,
    YIELDING: 1,
    'WET SLOW': 1,
    SLOW: 1.5,
    'YIELDING TO SOFT': 1.5,
    SOFT: 2,
  };
  return table[going] ?? 0;
}

/**
 * Winner's time in seconds. Longer trips, better classes and softer ground change the pace, keeping
 * every race within about 11.5-12.5 s per 200 m as in the data.
 */
export function winnerTime(rng: Rng, c: RaceConditions): number {
  const classPace = (Number(c.raceClass) - 3) * 0.05;
  const tripPace = ((c.distanceM - 1000) / 1400) * 0.45;
  const groundPace = goingSoftness(c.going) * 0.12 + (c.surface === 'dirt' ? 0.05 : 0);
  const per200 = Math.min(
    12.5,
    Math.max(11.5, 11.65 + classPace + tripPace + groundPace + rng.normal(0, 0.06)),
  );
  return Math.round((c.distanceM / 200) * per200 * 100) / 100;
}

/** HK publishes a running position at each section: three calls at sprint trips, up to six at 2400 m. */
export function sectionCount(distanceM: number): number {
  if (distanceM <= 1200) return 3;
  if (distanceM <= 1650) return 4;
  if (distanceM <= 2000) return 5;
  return 6;
}
