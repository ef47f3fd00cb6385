import { kelly } from './pricing.js';

/** SPEC 7 metrics as pure functions over scored races. */

export interface ScoredRace {
  raceId: string;
  /** Win probabilities over the field (sum 1). */
  probs: readonly number[];
  /** Finishing position per runner, 1 = winner; null when unknown. Dead heats give two 1s. */
  positions: readonly (number | null)[];
  /** Decimal win odds per runner, for the betting metrics. */
  odds?: readonly (number | undefined)[];
}

export const winnerIndex = (r: ScoredRace): number | null => {
  const winners = r.positions.flatMap((p, i) => (p === 1 ? [i] : []));
  return winners.length === 1 ? (winners[0] ?? null) : null;
};

/** -ln p_winner; null when the race has no single winner (excluded and counted by the caller). */
export function raceLogLoss(r: ScoredRace): number | null {
  const w = winnerIndex(r);
  return w === null ? null : -Math.log(Math.max(r.probs[w] ?? 0, 1e-15));
}

export const uniformLogLoss = (fieldSize: number): number => Math.log(fieldSize);

/** Benter's pseudo R^2 = 1 - sum LL_model / sum LL_uniform, on races with exactly one winner. */
export function pseudoR2(races: readonly ScoredRace[]): number {
  let model = 0;
  let uniform = 0;
  for (const r of races) {
    const ll = raceLogLoss(r);
    if (ll === null) continue;
    model += ll;
    uniform += uniformLogLoss(r.probs.length);
  }
  return uniform > 0 ? 1 - model / uniform : NaN;
}

/** Mean per-runner Brier score on the win indicator. */
export function brier(races: readonly ScoredRace[]): number {
  let s = 0;
  let n = 0;
  for (const r of races) {
    r.probs.forEach((p, i) => {
      s += (p - (r.positions[i] === 1 ? 1 : 0)) ** 2;
      n += 1;
    });
  }
  return n > 0 ? s / n : NaN;
}

/** Expected calibration error: 10 equal-width bins, sum over bins of (share of runners) * |mean p - win rate|. */
export function expectedCalibrationError(races: readonly ScoredRace[], bins = 10): number {
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  const cnt = new Array<number>(bins).fill(0);
  let total = 0;
  for (const r of races) {
    r.probs.forEach((p, i) => {
      const b = Math.min(bins - 1, Math.floor(p * bins));
      sp[b] = (sp[b] ?? 0) + p;
      sy[b] = (sy[b] ?? 0) + (r.positions[i] === 1 ? 1 : 0);
      cnt[b] = (cnt[b] ?? 0) + 1;
      total += 1;
    });
  }
  let ece = 0;
  cnt.forEach((c, b) => {
    if (c > 0) ece += (c / total) * Math.abs((sp[b] ?? 0) / c - (sy[b] ?? 0) / c);
  });
  return total > 0 ? ece : NaN;
}

/** Share of single-winner races whose highest-probability runner won (ties: the first listed). */
export function top1Accuracy(races: readonly ScoredRace[]): number {
  let hits = 0;
  let n = 0;
  for (const r of races) {
    const w = winnerIndex(r);
    if (w === null) continue;
    let best = 0;
    r.probs.forEach((p, i) => {
      if (p > (r.probs[best] ?? -1)) best = i;
    });
    hits += best === w ? 1 : 0;
    n += 1;
  }
  return n > 0 ? hits / n : NaN;
}

/**
 * NDCG@k with graded relevance from the finishing position: rel = k + 1 - position for the first k
 * finishers (4, 3, 2, 1 for k = 4), 0 otherwise; gain 2^rel - 1, discount log2(rank + 1).
 */
export function ndcgAt(r: ScoredRace, k = 4): number {
  const rel = r.positions.map((p) => (p !== null && p >= 1 && p <= k ? k + 1 - p : 0));
  const dcg = (order: number[]): number =>
    order.slice(0, k).reduce((s, i, rank) => s + (2 ** (rel[i] ?? 0) - 1) / Math.log2(rank + 2), 0);
  const idx = r.probs.map((_, i) => i);
  const byModel = [...idx].sort((a, b) => (r.probs[b] ?? 0) - (r.probs[a] ?? 0) || a - b);
  const ideal = [...idx].sort((a, b) => (rel[b] ?? 0) - (rel[a] ?? 0));
  const best = dcg(ideal);
  return best > 0 ? dcg(byModel) / best : NaN;
}

export function meanNdcg(races: readonly ScoredRace[], k = 4): number {
  const values = races.map((r) => ndcgAt(r, k)).filter((v) => !Number.isNaN(v));
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

export interface BettingOptions {
  minEdge: number;
  kellyFraction: number;
  stakeCap: number;
}

export interface BettingResult {
  bets: number;
  /** Flat one-unit stake on every value bet (edge >= minEdge): profit / amount staked. */
  flatRoi: number;
  /** Final bankroll from 1 under capped fractional Kelly, stakes set at the start of each race. */
  kellyFinalBankroll: number;
  /** Mean log growth of the Kelly bankroll per race. */
  kellyLogGrowth: number;
  /** Mean / standard deviation of per-race Kelly returns (per race, not annualised). */
  sharpe: number;
  /** Largest fall from a running peak of the Kelly bankroll, as a fraction of the peak. */
  maxDrawdown: number;
}

export function betting(races: readonly ScoredRace[], opts: BettingOptions): BettingResult {
  let bets = 0;
  let staked = 0;
  let profit = 0;
  let bankroll = 1;
  let peak = 1;
  let maxDrawdown = 0;
  const returns: number[] = [];
  for (const r of races) {
    if (!r.odds) continue;
    let raceReturn = 0;
    r.probs.forEach((p, i) => {
      const o = r.odds?.[i];
      if (o === undefined || !(o > 1)) return;
      const edge = p * o - 1;
      if (edge < opts.minEdge) return;
      const won = r.positions[i] === 1;
      bets += 1;
      staked += 1;
      profit += won ? o - 1 : -1;
      const stake = Math.min(opts.stakeCap, opts.kellyFraction * kelly(p, o));
      raceReturn += won ? stake * (o - 1) : -stake;
    });
    bankroll *= 1 + raceReturn;
    returns.push(raceReturn);
    peak = Math.max(peak, bankroll);
    maxDrawdown = Math.max(maxDrawdown, (peak - bankroll) / peak);
  }
  const mean = returns.length > 0 ? returns.reduce((a, b) => a + b, 0) / returns.length : 0;
  const sd = Math.sqrt(returns.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, returns.length - 1));
  return {
    bets,
    flatRoi: staked > 0 ? profit / staked : 0,
    kellyFinalBankroll: bankroll,
    kellyLogGrowth: returns.length > 0 ? Math.log(Math.max(bankroll, 1e-300)) / returns.length : 0,
    sharpe: sd > 0 ? mean / sd : 0,
    maxDrawdown,
  };
}

/** Mean and paired standard error of per-race differences (e.g. model log loss minus market log loss). */
export function pairedDifference(
  a: readonly number[],
  b: readonly number[],
): { mean: number; se: number; n: number } {
  if (a.length !== b.length) throw new RangeError('paired samples need equal lengths');
  const d = a.map((v, i) => v - (b[i] ?? 0));
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}

/** Market baseline probabilities: normalised 1/odds; null when any runner lacks odds. */
export function marketProbabilities(odds: readonly (number | undefined)[]): number[] | null {
  if (!odds.every((o): o is number => o !== undefined && o > 1)) return null;
  const inv = odds.map((o) => 1 / (o ?? 1));
  const s = inv.reduce((a, b) => a + b, 0);
  return inv.map((v) => v / s);
}

export interface MetricSummary {
  racesScored: number;
  racesExcluded: number;
  exclusionReason: string;
  meanLogLoss: number;
  meanUniformLogLoss: number;
  pseudoR2: number;
  brier: number;
  ece: number;
  top1: number;
  ndcg4: number;
}

/** The probability metrics over races with exactly one winner; the excluded count is reported. */
export function summariseMetrics(races: readonly ScoredRace[]): MetricSummary {
  const scored = races.filter((r) => winnerIndex(r) !== null);
  const ll = scored.map((r) => raceLogLoss(r) ?? 0);
  return {
    racesScored: scored.length,
    racesExcluded: races.length - scored.length,
    exclusionReason: 'no single winner (dead heat or missing result)',
    meanLogLoss: ll.reduce((a, b) => a + b, 0) / Math.max(1, scored.length),
    meanUniformLogLoss:
      scored.reduce((s, r) => s + uniformLogLoss(r.probs.length), 0) / Math.max(1, scored.length),
    pseudoR2: pseudoR2(scored),
    brier: brier(scored),
    ece: expectedCalibrationError(scored),
    top1: top1Accuracy(scored),
    ndcg4: meanNdcg(scored),
  };
}
