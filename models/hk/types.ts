import type { RaceCard } from '../../schemas/race-card.js';

/** What happened to one runner: kept apart from the card so features can never read it by accident. */
export interface HkRunResult {
  horseId: string;
  position: number | null;
  won: boolean;
  /** null for the data's 999 "did not finish / unknown" code. */
  lengthsBehind: number | null;
  finishTimeS: number | null;
  /** Running positions at each sectional call, earliest first. */
  positionCalls: number[];
  /** The runner's own time per section, earliest first. */
  sectionalTimesS: number[];
}

export interface RaceOutcome {
  /** Horse ids by finishing position (ties by saddle-cloth number); unplaced runners last. */
  finishOrder: string[];
  /** One id normally; two for a dead heat. */
  winners: string[];
  results: HkRunResult[];
  /** The winner's finishing time, for speed relative to the race. */
  winnerTimeS: number | null;
}

export interface HkRace {
  raceNumericId: number;
  card: RaceCard;
  outcome: RaceOutcome;
}
