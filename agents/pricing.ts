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

/** Runners grouped by betting interest, in the order each interest first appears. */
export function groupByInterest(interests: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  interests.forEach((key, i) => groups.set(key, [...(groups.get(key) ?? []), i]));
  return groups;
}

/**
 * Market probability per betting interest (SPEC 6.4): normalised 1/odds over the interests, not the
 * runners, so a coupled entry's two runners (one price on the tote) count once. Each member gets an
 * equal share of its interest's probability, so the per-runner values still sum to 1 for the blend.
 * Null when an interest has no valid odds. With one runner per interest this is normalised 1/odds.
 */
export function interestMarketProbs(
  odds: readonly (number | undefined)[],
  interests: readonly string[],
): number[] | null {
  const groups = [...groupByInterest(interests).values()];
  const interestOdds = groups.map((members) => members.map((i) => odds[i]).find((o) => o !== undefined));
  if (!interestOdds.every((o): o is number => o !== undefined && Number.isFinite(o) && o > 1)) return null;
  const inv = interestOdds.map((o) => 1 / o);
  const s = inv.reduce((a, b) => a + b, 0);
  const byInterest = inv.map((v) => v / s);
  const perRunner = new Array<number>(interests.length).fill(0);
  groups.forEach((members, g) => {
    for (const i of members) perRunner[i] = (byInterest[g] ?? 0) / members.length;
  });
  return perRunner;
}

export interface InterestMember {
  horseId: string;
  bettingInterest: string;
  winProbFinal: number;
  placeProb: number;
  marketWinOdds?: number;
}

export interface InterestPrice extends Price {
  bettingInterest: string;
  horseIds: string[];
  winProbFinal: number;
  /** Sum of the members' place probabilities: both can place, so this counts places, not a chance. */
  expectedPlaces: number;
  marketWinOdds?: number;
  marketProb?: number;
}

/**
 * Prices each betting interest (SPEC 6.5 on the interest): the engine predicts every runner; an
 * interest's win probability is the sum over its members (it wins when any member wins), and its fair
 * odds, edge and stake come from that sum against the interest's one market price.
 */
export function priceInterests(members: readonly InterestMember[], opts: PricingOptions): InterestPrice[] {
  const keys = members.map((m) => m.bettingInterest);
  const groups = [...groupByInterest(keys).entries()];
  const market = interestMarketProbs(
    members.map((m) => m.marketWinOdds),
    keys,
  );
  return groups.map(([bettingInterest, idx]) => {
    const group = idx.map((i) => members[i]!);
    const p = group.reduce((s, m) => s + m.winProbFinal, 0);
    const odds = group.map((m) => m.marketWinOdds).find((o) => o !== undefined);
    const marketProb = market ? idx.reduce((s, i) => s + (market[i] ?? 0), 0) : undefined;
    return {
      bettingInterest,
      horseIds: group.map((m) => m.horseId),
      winProbFinal: Math.min(1, p),
      expectedPlaces: group.reduce((s, m) => s + m.placeProb, 0),
      ...(odds !== undefined ? { marketWinOdds: odds } : {}),
      ...(marketProb !== undefined ? { marketProb } : {}),
      ...price(Math.min(1, p), odds, opts),
    };
  });
}
