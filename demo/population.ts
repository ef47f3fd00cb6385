/**
 * The simulated horse, jockey and trainer population. Latent fields (ability, skill, form) drive the
 * results; the engine only ever sees what a race card or a past run would show.
 */
import { horseNames } from './names.js';
import type { Rng } from './prng.js';

export interface Person {
  id: string;
  /** Effect on a run, in rating points. */
  skill: number;
}

export interface Horse {
  id: string;
  name: string;
  age: number;
  trainerId: string;
  /** True merit in rating points; the published rating only estimates it. */
  ability: number;
  rating: number;
  preferredDistanceM: number;
  /** Preferred ground on the goingSoftness axis. */
  goingPreference: number;
  /** 0 = always leads, 1 = always comes from the back; shapes positionCalls. */
  runningStyle: number;
  bodyWeight: number;
  /** Gear codes worn now, e.g. ['TT', 'B']; empty means none. */
  gear: string[];
  /** Short-term fitness in rating points, an AR(1) process stepped each meeting. */
  form: number;
  /** Index of the first meeting the horse may run at; later arrivals keep debutants on the cards. */
  arrivalMeeting: number;
  lastRunDay: number | null;
}

export interface Population {
  horses: Horse[];
  jockeys: Person[];
  trainers: Person[];
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const STARTING_GEAR: readonly (readonly [readonly string[], number])[] = [
  [[], 55],
  [['B'], 9],
  [['TT'], 8],
  [['TT', 'B'], 7],
  [['H'], 5],
  [['CP'], 3],
  [['XB'], 3],
  [['V'], 2],
  [['SR'], 2],
  [['P'], 2],
];

export function ratingFromAbility(ability: number): number {
  return Math.round(clamp(ability, 40, 120));
}

export function createPopulation(rng: Rng, horseCount: number, meetings: number): Population {
  const trainers = Array.from({ length: 22 }, (_, i) => ({
    id: `T${pad(i + 1, 2)}`,
    skill: rng.normal(0, 2),
  }));
  // At least 14 jockeys are needed to fill a full field; HK has about two dozen riding each meeting.
  const jockeys = Array.from({ length: 26 }, (_, i) => ({
    id: `J${pad(i + 1, 2)}`,
    skill: rng.normal(0, 3),
  }));
  const names = horseNames(rng, horseCount);
  const horses = names.map((name, i): Horse => {
    const ability = rng.normal(64, 15);
    return {
      id: `H${pad(i + 1, 4)}`,
      name,
      age: rng.weighted([
        [3, 45],
        [4, 25],
        [5, 15],
        [6, 9],
        [7, 4],
        [8, 2],
      ]),
      trainerId: rng.pick(trainers).id,
      ability,
      // The handicapper's first assessment misses the truth by several points.
      rating: ratingFromAbility(ability + rng.normal(0, 7)),
      preferredDistanceM: Math.round(clamp(rng.normal(1450, 330), 1000, 2400) / 50) * 50,
      goingPreference: rng.normal(0, 0.8),
      runningStyle: rng.uniform(),
      bodyWeight: Math.round(clamp(rng.normal(1095, 50), 960, 1240)),
      gear: [...rng.weighted(STARTING_GEAR)],
      form: rng.normal(0, 2),
      arrivalMeeting: rng.chance(0.8) ? 0 : rng.int(1, meetings),
      lastRunDay: null,
    };
  });
  return { horses, jockeys, trainers };
}
