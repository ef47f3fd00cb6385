/**
 * The plain per-race data the book works on, live and in the backtest: every probability the policies
 * read, the market's prices and (once known) the finishing positions. No I/O here.
 */
export interface BookRunner {
  horseId: string;
  horseNo?: string;
  /** Final (market-blended) win probability, the one the product prices with. */
  final: number;
  /** The quantitative model's base win probability. */
  quant: number;
  /** The fused consensus of the agents before the market blend. */
  fused: number;
  /** The qualitative analyst's likelihood-ratio product. */
  qualLr: number;
  /** Final place probability (places paid on the card). */
  place?: number;
  odds?: number;
  placeOdds?: number;
  /** Finishing position (1 = winner, dead heats share); null or undefined when unplaced or unknown. */
  position?: number | null;
  scratched?: boolean;
}

export interface BookRace {
  raceId: string;
  /** Race day (ISO date): per-day caps, the daily loss stop and Sharpe per race day group by it. */
  date: string;
  placesPaid: number;
  runners: BookRunner[];
}

/**
 * The qualitative analyst's own price: the market's normalised probabilities times each runner's LR
 * product, renormalised (the evidence applied to the market, no quant model). Null without full odds.
 */
export function qualProbabilities(runners: readonly BookRunner[]): number[] | null {
  if (!runners.every((r) => r.odds !== undefined && r.odds > 1)) return null;
  const w = runners.map((r) => r.qualLr / (r.odds ?? 1));
  const s = w.reduce((a, b) => a + b, 0);
  return s > 0 ? w.map((v) => v / s) : null;
}
