import {
  SYNTHESIS_DEFAULTS,
  betting,
  marketProbabilities,
  pairedDifference,
  raceLogLoss,
  summariseMetrics,
  winnerIndex,
  type BettingResult,
  type ScoredRace,
} from '../agents/index.js';
import type { ReplayedRace } from './replay.js';

export const PROBABILITY_SETS = ['market', 'quant', 'fused', 'final'] as const;
export type ProbabilitySet = (typeof PROBABILITY_SETS)[number];

export interface SetMetrics {
  races: number;
  logLoss: number;
  uniformLogLoss: number;
  pseudoR2: number;
  brier: number;
  ece: number;
  top1: number;
  ndcg4: number;
  betting: BettingResult & { minEdge: number; kellyFraction: number; stakeCap: number };
}

export interface BacktestMetrics {
  testFromRaceId: number;
  racesReplayed: number;
  excluded: { noSingleWinner: number; incompleteMarketOdds: number };
  /** Which races each block covers. */
  note: string;
  market: SetMetrics;
  quant: SetMetrics;
  fused: SetMetrics;
  final: SetMetrics & {
    vsMarket: { races: number; deltaLogLoss: number; pairedSE: number; pseudoR2Gain: number };
  };
  quantAllRaces: SetMetrics;
}

export const BETTING_OPTIONS = {
  minEdge: SYNTHESIS_DEFAULTS.minEdge,
  kellyFraction: SYNTHESIS_DEFAULTS.kellyFraction,
  stakeCap: SYNTHESIS_DEFAULTS.stakeCap,
};

export function scoredRaces(races: readonly ReplayedRace[], set: ProbabilitySet): ScoredRace[] {
  return races.map((r) => ({
    raceId: r.raceId,
    probs: set === 'market' ? (marketProbabilities(r.odds) ?? []) : r[set],
    positions: r.positions,
    odds: r.odds,
  }));
}

function setMetrics(races: ScoredRace[]): SetMetrics {
  const s = summariseMetrics(races);
  return {
    races: s.racesScored,
    logLoss: s.meanLogLoss,
    uniformLogLoss: s.meanUniformLogLoss,
    pseudoR2: s.pseudoR2,
    brier: s.brier,
    ece: s.ece,
    top1: s.top1,
    ndcg4: s.ndcg4,
    betting: { ...betting(races, BETTING_OPTIONS), ...BETTING_OPTIONS },
  };
}

/**
 * SPEC 7 metrics for the four probability sets on the same races: single-winner races with complete
 * market odds (the market needs every price). `quantAllRaces` adds the races without complete odds.
 */
export function backtestMetrics(races: readonly ReplayedRace[], testFrom: number): BacktestMetrics {
  const single = races.filter(
    (r) => winnerIndex({ raceId: r.raceId, probs: r.final, positions: r.positions }) !== null,
  );
  const withMarket = single.filter((r) => marketProbabilities(r.odds) !== null);
  const final = scoredRaces(withMarket, 'final');
  const market = scoredRaces(withMarket, 'market');
  const diff = pairedDifference(
    final.map((r) => raceLogLoss(r) ?? 0),
    market.map((r) => raceLogLoss(r) ?? 0),
  );
  const uniform = withMarket.reduce((s, r) => s + Math.log(r.horseIds.length), 0) / withMarket.length;
  return {
    testFromRaceId: testFrom,
    racesReplayed: races.length,
    excluded: {
      noSingleWinner: races.length - single.length,
      incompleteMarketOdds: single.length - withMarket.length,
    },
    note:
      'market, quant, fused and final cover the same races: single-winner races with market odds for every runner. ' +
      'Betting: value bets where p * odds - 1 >= minEdge at the final pre-race odds; flat ROI per unit staked; Kelly bankroll from 1.',
    market: setMetrics(market),
    quant: setMetrics(scoredRaces(withMarket, 'quant')),
    fused: setMetrics(scoredRaces(withMarket, 'fused')),
    final: {
      ...setMetrics(final),
      vsMarket: {
        races: diff.n,
        deltaLogLoss: diff.mean,
        pairedSE: diff.se,
        pseudoR2Gain: -diff.mean / uniform,
      },
    },
    quantAllRaces: setMetrics(scoredRaces(single, 'quant')),
  };
}
