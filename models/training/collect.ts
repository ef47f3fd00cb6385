import { activeRunners, placesPaidFor, type RaceCard } from '../../schemas/race-card.js';
import { addDrawResults, type SpeedPars } from '../features/pars.js';
import { buildQuantFeatures } from '../features/quant-features.js';
import { HistoryAccumulator } from '../hk/history-accumulator.js';
import type { HkRace } from '../hk/types.js';
import { extractEvidence, type RunnerEvidence } from '../qual/evidence.js';

/** One race as the trainers need it: features and evidence as of the race, and what happened. */
export interface TrainingRace {
  raceNumericId: number;
  raceId: string;
  surface: RaceCard['surface'];
  placesPaid: number;
  horseIds: string[];
  /** Market win odds per active runner; null where the card has none (odds of 1.0 in the data). */
  marketOdds: (number | null)[];
  features: Float32Array[];
  evidence: RunnerEvidence[];
  winners: string[];
  finishOrder: string[];
}

/**
 * One chronological pass: for each race, read the histories first, then record the result, so no
 * race's features ever see its own or a later result. The draw counts follow the same rule: they are
 * rebuilt here as of each race date (races on earlier dates only), so a training race's draw bias never
 * includes its own result; at the cut they equal the fitted counts in `pars` that serving reads.
 */
export function collectTrainingData(
  races: Iterable<HkRace>,
  pars: SpeedPars,
  onRace?: (race: TrainingRace) => void,
): { races: TrainingRace[]; featureNames: string[] } {
  const acc = new HistoryAccumulator();
  const asOf: SpeedPars = { ...pars, draw: {}, drawCourse: {} };
  let pending: HkRace[] = [];
  const out: TrainingRace[] = [];
  let featureNames: string[] = [];
  for (const race of races) {
    const histories = acc.historiesFor(race.card);
    const date = race.card.meeting.date;
    for (const done of pending.filter((r) => r.card.meeting.date < date)) addDrawResults(asOf, done);
    pending = pending.filter((r) => r.card.meeting.date >= date);
    const features = buildQuantFeatures(race.card, histories, asOf);
    featureNames = features.names;
    const active = activeRunners(race.card);
    const activeIds = new Set(active.map((r) => r.horseId));
    const item: TrainingRace = {
      raceNumericId: race.raceNumericId,
      raceId: race.card.raceId,
      surface: race.card.surface,
      placesPaid: placesPaidFor(race.card),
      horseIds: active.map((r) => r.horseId),
      marketOdds: active.map((r) => r.marketWinOdds ?? null),
      features: features.rows,
      evidence: extractEvidence(race.card, histories),
      winners: race.outcome.winners.filter((id) => activeIds.has(id)),
      finishOrder: race.outcome.finishOrder.filter((id) => activeIds.has(id)),
    };
    acc.record(race);
    pending.push(race);
    out.push(item);
    onRace?.(item);
  }
  return { races: out, featureNames };
}

/**
 * The training matrix for train_quant.py: race_id, horse_id, won, market_odds (for the market
 * baseline only, never a feature), then the features. A missing market price is written as 1.0001,
 * near the data's own 1.0 for odds-on winners, so the market baseline can still be computed.
 */
export function featureMatrixCsv(races: TrainingRace[], featureNames: string[]): string {
  const lines = [['race_id', 'horse_id', 'won', 'market_odds', ...featureNames].join(',')];
  for (const r of races) {
    r.horseIds.forEach((id, i) => {
      const row = r.features[i] as Float32Array;
      lines.push(
        [
          r.raceNumericId,
          id,
          r.winners.includes(id) ? 1 : 0,
          r.marketOdds[i] ?? 1.0001,
          ...Array.from(row, String),
        ].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
