import { AgentInputSchema, type AgentInput } from '../../schemas/agent.js';
import type { QualRunner } from '../../schemas/qual.js';
import type { QuantRunner } from '../../schemas/quant.js';
import { joinAgentRunners } from '../../schemas/agent-run.js';
import { calibrationGroupFor } from '../quant/calibration-group.js';
import type { TrainingRace } from './collect.js';

/** One line of data/train/calibration-races.jsonl: what the calibration fitter replays. */
export interface CalibrationRace {
  input: AgentInput;
  winnerHorseId: string;
  finishOrder: string[];
  /** Decimal win odds by horse id; null where the data has no usable price. */
  marketOdds: Record<string, number | null>;
}

/** Joins the quant and qual outputs of one training race into the fusion agents' input. */
export function calibrationRace(
  race: TrainingRace,
  quant: QuantRunner[],
  qual: QualRunner[],
): CalibrationRace {
  const winner = race.winners[0];
  if (race.winners.length !== 1 || winner === undefined)
    throw new Error(`race ${race.raceId} has ${race.winners.length} winners`);
  const input = AgentInputSchema.parse({
    raceId: race.raceId,
    placesPaid: race.placesPaid,
    calibrationGroup: calibrationGroupFor(race),
    runners: joinAgentRunners(quant, qual),
  });
  return {
    input,
    winnerHorseId: winner,
    finishOrder: race.finishOrder,
    marketOdds: Object.fromEntries(race.horseIds.map((id, i) => [id, race.marketOdds[i] ?? null])),
  };
}
