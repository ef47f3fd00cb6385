import type { PastRun } from '../../schemas/history.js';
import { fieldBehindPerKm } from '../features/margin-rating.js';
import type { HkRace } from './types.js';

export interface HkPastRun {
  horseId: string;
  run: PastRun;
  /** Placed by the field-size rule for places paid (SPEC 2): 3 places from 7 runners, 2 from 4, else 1. */
  placed: boolean;
}

/**
 * One past-run record per runner that finished the race: what the history store (in memory or in
 * PostgreSQL) keeps for later races to read.
 */
export function pastRunsOf({ card, outcome }: HkRace): HkPastRun[] {
  const fieldSize = card.runners.filter((r) => !r.scratched).length;
  const placedCutoff = fieldSize >= 7 ? 3 : fieldSize >= 4 ? 2 : 1;
  const resultById = new Map(outcome.results.map((r) => [r.horseId, r]));
  const finishers = card.runners.flatMap((runner) => {
    const res = resultById.get(runner.horseId);
    return runner.scratched || !res ? [] : [res.lengthsBehind];
  });
  const field = finishers.length > 0 ? fieldBehindPerKm(finishers, card.distanceM) : undefined;
  return card.runners.flatMap((runner) => {
    const res = resultById.get(runner.horseId);
    if (runner.scratched || !res) return [];
    const run: PastRun = {
      raceId: card.raceId,
      date: card.meeting.date,
      venue: card.meeting.venue,
      distanceM: card.distanceM,
      surface: card.surface,
      going: card.going,
      raceClass: card.raceClass,
      fieldSize,
      draw: runner.draw,
      position: res.position,
      won: res.won,
      lengthsBehind: res.lengthsBehind,
      finishTimeS: res.finishTimeS,
      winnerTimeS: outcome.winnerTimeS,
      actualWeight: runner.actualWeight,
      declaredWeight: runner.declaredWeight ?? null,
      rating: runner.rating ?? null,
      winOdds: runner.marketWinOdds ?? null,
      jockeyId: runner.jockeyId,
      trainerId: runner.trainerId,
      gear: runner.gear ?? null,
      positionCalls: res.positionCalls,
      sectionalTimesS: res.sectionalTimesS,
      ...(field !== undefined ? { fieldBehindPerKm: field } : {}),
    };
    return [{ horseId: runner.horseId, run, placed: res.position !== null && res.position <= placedCutoff }];
  });
}
