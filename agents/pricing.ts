/** SPEC 6.5: fair odds, edge and the capped fractional-Kelly stake, as fractions of bankroll. */

export interface PricingOptions {
  kellyFraction: number;
  stakeCap: number;
  minEdge: number;
}

export interface Price {
  fairOdds: number;
  edge?: number;
  /** Full-Kelly fraction (p*O - 1)/(O - 1), 0 when the bet has no positive expectation. */
  kellyFraction?: number;
  /** kellyFraction option * f, capped; 0 unless edge >= minEdge. */
  stake?: number;
}

export function kelly(p: number, odds: number): number {
  if (!(odds > 1)) return 0;
  const f = (p * odds - 1) / (odds - 1);
  return f > 0 ? f : 0;
}

export function price(p: number, odds: number | undefined, opts: PricingOptions): Price {
  const fairOdds = p > 0 ? 1 / p : Number.MAX_VALUE;
  if (odds === undefined || !(odds > 1) || !Number.isFinite(odds)) return { fairOdds };
  const edge = p * odds - 1;
  const f = kelly(p, odds);
  const stake = edge >= opts.minEdge ? Math.min(opts.stakeCap, opts.kellyFraction * f) : 0;
  return { fairOdds, edge, kellyFraction: f, stake };
}
