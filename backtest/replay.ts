import type { CalibrationArtefacts } from '../agents/index.js';
import type { EvidenceAnalyst, QuantModel } from '../activities/ports.js';
import { HistoryAccumulator } from '../models/hk/history-accumulator.js';
import type { HkRace } from '../models/hk/types.js';
import { runRacePipeline, type RacePipelineDeps } from '../pipeline/fusion.js';
import { activeRunners } from '../schemas/race-card.js';

const LR_GROUPS = ['formFitness', 'conditions', 'tactics', 'context'] as const;

/** One scored test race: every probability the backtest measures, per active runner in card order. */
export interface ReplayedRace {
  raceNumericId: number;
  raceId: string;
  horseIds: string[];
  /** Finishing position (1 = winner; dead heats share 1); null when not recorded. */
  positions: (number | null)[];
  /** Decimal win odds; undefined where the card has none. */
  odds: (number | undefined)[];
  quant: number[];
  fused: number[];
  final: number[];
  /** For the book: race day, places paid, qualitative LR products, final place probabilities, place odds. */
  date: string;
  placesPaid: number;
  qualLr: number[];
  place: number[];
  placeOdds: (number | undefined)[];
  /** For the error map: each strategy's calibrated probabilities and each evidence group's LRs. */
  strategies: Record<string, number[]>;
  groupLr: Record<string, number[]>;
  degraded: boolean;
  ms: number;
}

export interface ReplayDeps {
  quantModel: QuantModel;
  evidenceAnalyst: EvidenceAnalyst;
  artefacts: CalibrationArtefacts | null;
  /** Another qualitative analyst in place of the evidence model (the --qual llm side-by-side). */
  analyseQual?: RacePipelineDeps['analyseQual'];
}

/**
 * Replays races in race_id order through the workflow's own steps, in process: histories as of the race
 * (earlier dates only, like the PostgreSQL store), the quant scorer, the evidence analyst, the agents'
 * input (joinAgentInput), all fifteen strategies and the synthesis. Races before testFrom only feed
 * the histories; every race from testFrom is scored, then its result joins the histories of later
 * dates (the models stay as shipped: nothing is refitted).
 */
export async function replayInProcess(
  races: Iterable<HkRace>,
  testFrom: number,
  deps: ReplayDeps,
  onRace?: (race: ReplayedRace | null) => void,
): Promise<ReplayedRace[]> {
  const acc = new HistoryAccumulator();
  const out: ReplayedRace[] = [];
  for (const race of races) {
    if (race.raceNumericId >= testFrom) {
      const t0 = performance.now();
      const card = race.card;
      const histories = acc.historiesFor(card);
      const { quant, qual, agentOutputs, synthesis } = await runRacePipeline(card, histories, {
        quantModel: deps.quantModel,
        analyseQual: deps.analyseQual ?? ((c, h) => deps.evidenceAnalyst.analyse(c, h)),
        artefacts: deps.artefacts,
      });
      const runners = activeRunners(card);
      const resultById = new Map(race.outcome.results.map((r) => [r.horseId, r]));
      const replayed: ReplayedRace = {
        raceNumericId: race.raceNumericId,
        raceId: card.raceId,
        horseIds: runners.map((r) => r.horseId),
        positions: runners.map((r) => {
          const res = resultById.get(r.horseId);
          return res?.won ? 1 : (res?.position ?? null);
        }),
        odds: runners.map((r) => r.marketWinOdds),
        quant: quant.runners.map((r) => r.winProbBase),
        fused: synthesis.runners.map((r) => r.winProbModel),
        final: synthesis.runners.map((r) => r.winProbFinal),
        date: card.meeting.date,
        placesPaid: synthesis.placesPaid,
        qualLr: qual.runners.map((r) => r.lrProduct),
        place: synthesis.runners.map((r) => r.placeProb),
        placeOdds: runners.map((r) => r.marketPlaceOdds),
        strategies: Object.fromEntries(
          agentOutputs.map((a) => [a.strategy, a.runners.map((x) => x.winProbCalibrated)]),
        ),
        groupLr: Object.fromEntries(LR_GROUPS.map((g) => [g, qual.runners.map((x) => x.lr[g])])),
        degraded: synthesis.degraded,
        ms: performance.now() - t0,
      };
      out.push(replayed);
      onRace?.(replayed);
    } else {
      onRace?.(null);
    }
    acc.record(race);
  }
  return out;
}
