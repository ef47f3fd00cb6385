/**
 * Making up a field: who runs in a race, who rides, what they carry and what gear they wear. Shared by
 * the simulated past and today's cards so both come from the same process.
 */
import { RATING_BANDS, type RaceConditions, type Venue } from './course.js';
import { changeGear, type GearChange } from './gear.js';
import type { Horse, Person, Population } from './population.js';
import type { Rng } from './prng.js';
import { strengthPoints } from './race-model.js';

export interface Entry {
  horse: Horse;
  jockey: Person;
  trainer: Person;
  horseNo: number;
  draw: number;
  actualWeight: number;
  declaredWeight: number;
  /** HK gear codes as printed, e.g. 'TT/B1'; null when the horse wears none. */
  gear: string | null;
  gearChange: GearChange | null;
  points: number;
}

export interface RaceContext {
  venue: Venue;
  day: number;
  meetingIndex: number;
  /** Horses already running at this meeting. */
  taken: Set<string>;
}

/** HK stewards want a break between runs; two weeks is the usual minimum in the data. */
const MIN_DAYS_BETWEEN_RUNS = 11;

function eligible(h: Horse, ctx: RaceContext): boolean {
  if (h.arrivalMeeting > ctx.meetingIndex || ctx.taken.has(h.id)) return false;
  return h.lastRunDay === null || ctx.day - h.lastRunDay >= MIN_DAYS_BETWEEN_RUNS;
}

/** Trainers aim for a run every three to six weeks. */
function readiness(h: Horse, day: number): number {
  if (h.lastRunDay === null) return 1;
  const gap = day - h.lastRunDay;
  return gap >= 14 && gap <= 42 ? 3 : 1.5;
}

/** Weighted sampling without replacement (Gumbel top-k), widening the rating band when it runs short. */
function chooseHorses(rng: Rng, pop: Population, raceClass: string, size: number, ctx: RaceContext): Horse[] {
  const [lo, hi] = RATING_BANDS[raceClass] ?? [40, 120];
  const pool = pop.horses.filter((h) => eligible(h, ctx));
  let candidates: Horse[] = [];
  for (let widen = 0; widen <= 80 && candidates.length < size; widen += 4) {
    candidates = pool.filter((h) => h.rating >= lo - widen && h.rating <= hi + widen);
  }
  return candidates
    .map((h) => ({ h, key: Math.log(readiness(h, ctx.day)) + rng.gumbel() }))
    .sort((a, b) => b.key - a.key)
    .slice(0, size)
    .map((x) => x.h);
}

export function formField(
  rng: Rng,
  pop: Population,
  conditions: RaceConditions,
  size: number,
  ctx: RaceContext,
): Entry[] {
  // HK numbers the saddle cloths by weight carried, top weight first.
  const horses = chooseHorses(rng, pop, conditions.raceClass, size, ctx).sort(
    (a, b) => b.rating - a.rating || a.id.localeCompare(b.id),
  );
  for (const h of horses) ctx.taken.add(h.id);
  const topRating = horses[0]?.rating ?? 0;
  // Busy, skilled jockeys get the better rides; noise keeps the lesser ones in work.
  const jockeys = pop.jockeys
    .map((j) => ({ j, key: j.skill + 3 * rng.gumbel() }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.j);
  const rideOrder = horses
    .map((h, i) => ({ i, key: h.rating + rng.normal(0, 8) }))
    .sort((a, b) => b.key - a.key);
  const jockeyFor = new Map<number, Person>();
  rideOrder.forEach(({ i }, rank) => {
    const j = jockeys[rank];
    if (j) jockeyFor.set(i, j);
  });
  const draws = rng.shuffle(horses.map((_, i) => i + 1));
  const trainers = new Map(pop.trainers.map((t) => [t.id, t]));
  return horses.map((horse, i): Entry => {
    const jockey = jockeyFor.get(i);
    const trainer = trainers.get(horse.trainerId);
    if (!jockey || !trainer) throw new Error(`no jockey or trainer for ${horse.id}`);
    const { gear, change } = changeGear(rng, horse);
    // Handicap: the top-rated runner carries 133 lb, one pound less per rating point, 113 lb minimum.
    const actualWeight = Math.max(113, 133 - (topRating - horse.rating));
    const draw = draws[i] ?? i + 1;
    const points = strengthPoints({
      horse,
      jockey,
      trainer,
      venue: ctx.venue,
      conditions,
      draw,
      fieldSize: horses.length,
      actualWeight,
      day: ctx.day,
    });
    return {
      horse,
      jockey,
      trainer,
      horseNo: i + 1,
      draw,
      actualWeight,
      declaredWeight: Math.round(horse.bodyWeight + rng.normal(0, 8)),
      gear,
      gearChange: change,
      points,
    };
  });
}
