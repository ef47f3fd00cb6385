import type { PastRun, PersonForm, RunnerHistory } from '../../schemas/history.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { pastRunsOf } from './past-runs.js';
import type { HkRace } from './types.js';

interface Ride {
  day: number;
  won: boolean;
  placed: boolean;
}

/** A person's rides inside a rolling window of days, with running totals. */
class RollingForm {
  private readonly rides: Ride[] = [];
  private head = 0;
  private wins = 0;
  private places = 0;

  add(ride: Ride): void {
    this.rides.push(ride);
    if (ride.won) this.wins += 1;
    if (ride.placed) this.places += 1;
  }

  evictBefore(day: number): void {
    while (this.head < this.rides.length && (this.rides[this.head] as Ride).day < day) {
      const old = this.rides[this.head] as Ride;
      if (old.won) this.wins -= 1;
      if (old.placed) this.places -= 1;
      this.head += 1;
    }
  }

  snapshot(): PersonForm {
    return { rides: this.rides.length - this.head, wins: this.wins, places: this.places };
  }
}

const EMPTY_FORM: PersonForm = { rides: 0, wins: 0, places: 0 };
const dayNumber = (isoDate: string): number => Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000);

export interface HistoryAccumulatorOptions {
  /** Jockey and trainer form covers this many days before the latest recorded race. */
  formWindowDays?: number;
  /** Past runs kept per horse, most recent first. */
  maxRunsPerHorse?: number;
}

/**
 * Builds RunnerHistory as of a race from the races recorded so far. Call `historiesFor(card)` before
 * `record(race)` for each race in chronological order: a race's own result is then never visible to
 * its own features (no leakage). A recorded race becomes visible only to races on a later date, which
 * is what the PostgreSQL store (db/history.ts, `race_date < date`) serves, so training and serving
 * see the same histories. Jockey/trainer form is a rolling window; the jockey-trainer combination
 * record is all-time because combinations are sparse.
 */
export class HistoryAccumulator {
  private readonly runs = new Map<string, PastRun[]>();
  private readonly jockeys = new Map<string, RollingForm>();
  private readonly trainers = new Map<string, RollingForm>();
  private readonly combos = new Map<string, PersonForm>();
  private pending: HkRace[] = [];
  private readonly windowDays: number;
  private readonly maxRuns: number;

  constructor(options: HistoryAccumulatorOptions = {}) {
    this.windowDays = options.formWindowDays ?? 365;
    this.maxRuns = options.maxRunsPerHorse ?? 20;
  }

  historiesFor(card: RaceCard): Map<string, RunnerHistory> {
    this.commitBefore(card.meeting.date);
    const out = new Map<string, RunnerHistory>();
    for (const r of card.runners) {
      out.set(r.horseId, {
        horseId: r.horseId,
        runs: [...(this.runs.get(r.horseId) ?? [])],
        jockey: this.jockeys.get(r.jockeyId)?.snapshot() ?? { ...EMPTY_FORM },
        trainer: this.trainers.get(r.trainerId)?.snapshot() ?? { ...EMPTY_FORM },
        jockeyTrainer: { ...(this.combos.get(`${r.jockeyId}|${r.trainerId}`) ?? EMPTY_FORM) },
      });
    }
    return out;
  }

  /** Queues a finished race; it joins the histories of races on later dates. */
  record(race: HkRace): void {
    this.pending.push(race);
  }

  private commitBefore(date: string): void {
    const ready = this.pending.filter((r) => r.card.meeting.date < date);
    if (ready.length === 0) return;
    this.pending = this.pending.filter((r) => r.card.meeting.date >= date);
    for (const race of ready) this.commit(race);
    const day = dayNumber(date);
    for (const form of [...this.jockeys.values(), ...this.trainers.values()])
      form.evictBefore(day - this.windowDays);
  }

  private commit(race: HkRace): void {
    const day = dayNumber(race.card.meeting.date);
    for (const { horseId, run: past, placed } of pastRunsOf(race)) {
      const list = this.runs.get(horseId) ?? [];
      list.unshift(past);
      if (list.length > this.maxRuns) list.length = this.maxRuns;
      this.runs.set(horseId, list);

      const ride = { day, won: past.won, placed };
      for (const [map, id] of [
        [this.jockeys, past.jockeyId],
        [this.trainers, past.trainerId],
      ] as const) {
        const form = map.get(id) ?? new RollingForm();
        form.add(ride);
        map.set(id, form);
      }
      const key = `${past.jockeyId}|${past.trainerId}`;
      const combo = this.combos.get(key) ?? { ...EMPTY_FORM };
      this.combos.set(key, {
        rides: combo.rides + 1,
        wins: combo.wins + (past.won ? 1 : 0),
        places: combo.places + (placed ? 1 : 0),
      });
    }
  }
}
