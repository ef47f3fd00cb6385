/**
 * The simulated past: meetings before race day at which the population races, so every runner on
 * today's cards arrives with HK-like form lines and jockeys and trainers with season records.
 */
import { fieldBehindPerKm } from '../models/features/margin-rating.js';
import type { PastRun, PersonForm } from '../schemas/history.js';
import { meetingConditions, raceConditions, winnerTime, type Venue } from './course.js';
import { formField } from './field.js';
import { marketOdds } from './market.js';
import { ratingFromAbility, type Horse, type Population } from './population.js';
import type { Rng } from './prng.js';
import { runRace, winProbabilities } from './race-model.js';

export interface Meeting {
  index: number;
  day: number;
  venue: Venue;
}

export interface SimulatedPast {
  /** Each horse's runs, oldest first. */
  runs: Map<string, PastRun[]>;
  /** Season-to-date records; places count first, second and third. */
  people: Map<string, PersonForm>;
  /** The same records per jockey-trainer pair, keyed by pairKey. */
  pairs: Map<string, PersonForm>;
}

const DAY_MS = 86_400_000;
export const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const dayNumber = (iso: string): number => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

/**
 * Meetings before `today`, oldest first. HK races twice a week (Wednesday night at Happy Valley,
 * Sunday at Sha Tin), so gaps alternate 3 and 4 days and venues alternate.
 */
export function pastMeetings(count: number, today: number, todayVenue: Venue): Meeting[] {
  const out: Meeting[] = [];
  let day = today;
  let venue = todayVenue;
  for (let k = 0; k < count; k++) {
    day -= k % 2 === 0 ? 3 : 4;
    venue = venue === 'ST' ? 'HV' : 'ST';
    out.push({ index: 0, day, venue });
  }
  return out.reverse().map((m, index) => ({ ...m, index }));
}

/** Form drifts between meetings; young horses keep improving and old ones decline. */
function ageAndForm(rng: Rng, horses: Horse[]): void {
  for (const h of horses) {
    h.form = 0.8 * h.form + rng.normal(0, 1.2);
    h.ability += h.age <= 4 ? 0.12 : h.age >= 7 ? -0.1 : 0;
  }
}

/** The handicapper's reaction to a result: winners go up, beaten horses drift down. */
function reRate(h: Horse, position: number, fieldSize: number): void {
  const change =
    position === 1 ? 6 : position === 2 ? 2 : position === 3 ? 1 : position > fieldSize / 2 ? -2 : 0;
  h.rating = ratingFromAbility(h.rating + change);
}

function addForm(people: Map<string, PersonForm>, id: string, position: number): void {
  const f = people.get(id) ?? { rides: 0, wins: 0, places: 0 };
  people.set(id, {
    rides: f.rides + 1,
    wins: f.wins + (position === 1 ? 1 : 0),
    places: f.places + (position <= 3 ? 1 : 0),
  });
}

export const pairKey = (jockeyId: string, trainerId: string): string => `${jockeyId}|${trainerId}`;

export function simulatePast(rng: Rng, pop: Population, meetings: readonly Meeting[]): SimulatedPast {
  const runs = new Map<string, PastRun[]>();
  const people = new Map<string, PersonForm>();
  const pairs = new Map<string, PersonForm>();
  for (const m of meetings) {
    ageAndForm(rng, pop.horses);
    const conditions = meetingConditions(rng, m.venue);
    const taken = new Set<string>();
    const raceCount = rng.int(8, 10);
    for (let raceNo = 1; raceNo <= raceCount; raceNo++) {
      const race = raceConditions(rng, conditions);
      const field = formField(rng, pop, race, rng.int(10, 14), {
        venue: m.venue,
        day: m.day,
        meetingIndex: m.index,
        taken,
      });
      if (field.length < 2) continue;
      const probs = winProbabilities(field.map((e) => e.points));
      const odds = marketOdds(rng, probs);
      const winnerTimeS = winnerTime(rng, race);
      const outcome = runRace(
        rng,
        field.map((e) => e.points),
        field.map((e) => e.horse.runningStyle),
        race.distanceM,
        winnerTimeS,
      );
      const date = isoDate(m.day);
      const fieldMean = fieldBehindPerKm(
        outcome.map((o) => o.lengthsBehind),
        race.distanceM,
      );
      field.forEach((e, i) => {
        const o = outcome[i];
        if (!o) return;
        const run: PastRun = {
          raceId: `${date}-${m.venue}-R${raceNo}`,
          date,
          venue: m.venue,
          distanceM: race.distanceM,
          surface: race.surface,
          going: race.going,
          raceClass: race.raceClass,
          fieldSize: field.length,
          draw: e.draw,
          position: o.position,
          won: o.position === 1,
          lengthsBehind: o.lengthsBehind,
          finishTimeS: o.finishTimeS,
          winnerTimeS,
          actualWeight: e.actualWeight,
          declaredWeight: e.declaredWeight,
          rating: e.horse.rating,
          winOdds: odds[i] ?? null,
          jockeyId: e.jockey.id,
          trainerId: e.trainer.id,
          gear: e.gear,
          positionCalls: o.positionCalls,
          fieldBehindPerKm: fieldMean,
        };
        const list = runs.get(e.horse.id) ?? [];
        list.push(run);
        runs.set(e.horse.id, list);
        addForm(people, e.jockey.id, o.position);
        addForm(people, e.trainer.id, o.position);
        addForm(pairs, pairKey(e.jockey.id, e.trainer.id), o.position);
        e.horse.lastRunDay = m.day;
        e.horse.bodyWeight = Math.min(1260, Math.max(940, e.declaredWeight));
        reRate(e.horse, o.position, field.length);
      });
    }
  }
  return { runs, people, pairs };
}
