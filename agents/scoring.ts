import {
  betting,
  expectedCalibrationError,
  marketProbabilities,
  ndcgAt,
  raceLogLoss,
  summariseMetrics,
  uniformLogLoss,
  winnerIndex,
  type ScoredRace,
} from './metrics.js';
import { groupByInterest } from './pricing.js';
import { SYNTHESIS_DEFAULTS } from './synthesis.js';
import type { DailyMetrics, DriftAlert, DriftMetric, DriftThresholds, RaceScore } from '../schemas/ops.js';

/** Pure SPEC 7 scoring of stored predictions against official results: no I/O, unit-tested. */

export interface PredictedRunner {
  horseId: string;
  winProbFinal: number;
  winProbBase: number;
  marketOdds: number | null;
  /** Runners sharing one are scored as one: the interest wins when any member wins. */
  bettingInterest?: string;
}

export interface ScorablePrediction {
  runId: string;
  raceId: string;
  raceDate: string;
  runners: PredictedRunner[];
  /** horseId -> official finishing position (1 = winner); absent runners did not finish. */
  positions: ReadonlyMap<string, number>;
}

/**
 * One entry per betting interest (a runner, or a coupled entry): its probability is the members' sum,
 * its position the best member's, its odds the interest's one price.
 */
export function toScoredRace(p: ScorablePrediction): ScoredRace {
  const groups = [...groupByInterest(p.runners.map((r) => r.bettingInterest ?? r.horseId)).values()];
  const members = (idx: number[]) => idx.map((i) => p.runners[i]!);
  const best = (idx: number[]) => {
    const known = members(idx).flatMap((r) => p.positions.get(r.horseId) ?? []);
    return known.length > 0 ? Math.min(...known) : null;
  };
  return {
    raceId: p.raceId,
    probs: groups.map((idx) => members(idx).reduce((s, r) => s + r.winProbFinal, 0)),
    positions: groups.map(best),
    odds: groups.map((idx) => members(idx).find((r) => r.marketOdds !== null)?.marketOdds ?? undefined),
  };
}

const marketRace = (r: ScoredRace): ScoredRace | null => {
  const m = r.odds ? marketProbabilities(r.odds) : null;
  return m ? { ...r, probs: m } : null;
};

/** Why a race cannot be scored on winners, or null when it can. */
export function exclusionReason(p: ScorablePrediction): string | null {
  const winners = [...p.positions.entries()].filter(([, pos]) => pos === 1).map(([id]) => id);
  if (winners.length === 0) return 'no winner in the result';
  if (winners.length > 1) return 'dead heat';
  if (!p.runners.some((r) => r.horseId === winners[0])) return 'winner was not in the predicted field';
  return null;
}

export function scoreRace(p: ScorablePrediction): RaceScore {
  const race = toScoredRace(p);
  const excluded = exclusionReason(p);
  const w = winnerIndex(race);
  const market = marketRace(race);
  return {
    runId: p.runId,
    raceId: p.raceId,
    raceDate: p.raceDate,
    fieldSize: p.runners.length,
    winnerHorseId:
      w === null ? null : (p.runners.find((r) => p.positions.get(r.horseId) === 1)?.horseId ?? null),
    logLoss: excluded ? null : raceLogLoss(race),
    marketLogLoss: excluded || !market ? null : raceLogLoss(market),
    uniformLogLoss: uniformLogLoss(race.probs.length),
    brier:
      race.probs.reduce((s, q, i) => s + (q - (race.positions[i] === 1 ? 1 : 0)) ** 2, 0) /
      Math.max(1, race.probs.length),
    top1: excluded || w === null ? null : race.probs.indexOf(Math.max(...race.probs)) === w,
    ndcg4: Number.isNaN(ndcgAt(race)) ? null : ndcgAt(race),
    excludedReason: excluded,
  };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const mean = (xs: readonly number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;

/** One day's metrics over the latest prediction of each race with a result, with the market beside the model. */
export function dailyMetrics(
  raceDate: string,
  scope: string,
  preds: readonly ScorablePrediction[],
): DailyMetrics {
  const reasons: Record<string, number> = {};
  const kept: ScorablePrediction[] = [];
  for (const p of preds) {
    const why = exclusionReason(p);
    if (why) reasons[why] = (reasons[why] ?? 0) + 1;
    else kept.push(p);
  }
  const races = kept.map(toScoredRace);
  const markets = races.map(marketRace).filter((r): r is ScoredRace => r !== null);
  const model = summariseMetrics(races);
  const market = summariseMetrics(markets);
  // Scored at the engine's default pricing, so daily figures compare across days whatever a race ran with.
  const { minEdge, kellyFraction, stakeCap } = SYNTHESIS_DEFAULTS;
  const bet = betting(races, { minEdge, kellyFraction, stakeCap });
  const favourites = kept.map((p) =>
    p.runners.reduce((best, r) => (r.winProbBase > best.winProbBase ? r : best)),
  );
  const withOdds = kept.filter((p) => p.runners.every((r) => r.marketOdds !== null && r.marketOdds > 1));
  const any = races.length > 0;
  return {
    raceDate,
    scope,
    racesScored: races.length,
    racesExcluded: preds.length - races.length,
    excludedReasons: reasons,
    logLoss: any ? model.meanLogLoss : null,
    marketLogLoss: markets.length ? market.meanLogLoss : null,
    pseudoR2: any ? finite(model.pseudoR2) : null,
    marketPseudoR2: markets.length ? finite(market.pseudoR2) : null,
    brier: any ? finite(model.brier) : null,
    ece: any ? finite(expectedCalibrationError(races)) : null,
    marketEce: markets.length ? finite(market.ece) : null,
    top1: any ? finite(model.top1) : null,
    ndcg4: any ? finite(model.ndcg4) : null,
    bets: bet.bets,
    flatRoi: bet.bets > 0 ? bet.flatRoi : null,
    favouriteBaseProb: mean(favourites.map((f) => f.winProbBase)),
    fieldSize: mean(kept.map((p) => p.runners.length)),
    favouriteOdds: mean(withOdds.map((p) => Math.min(...p.runners.map((r) => r.marketOdds ?? Infinity)))),
    overround: mean(withOdds.map((p) => p.runners.reduce((s, r) => s + 1 / (r.marketOdds ?? Infinity), 0))),
  };
}

/**
 * Compares a day with the mean of the previous period's days. Log loss and ECE alert on an increase;
 * feature distributions (favourite's base probability, field size, favourite's odds) on a shift either way.
 */
export function detectDrift(
  current: DailyMetrics,
  previous: readonly DailyMetrics[],
  thresholds: DriftThresholds,
): DriftAlert[] {
  const alerts: DriftAlert[] = [];
  const check = (metric: DriftMetric, direction: 'increase' | 'either', relative: boolean) => {
    const now = current[metric];
    const base = mean(previous.map((d) => d[metric]).filter((v): v is number => v !== null));
    if (now === null || base === null) return;
    const change = relative ? (now - base) / Math.max(Math.abs(base), 1e-9) : now - base;
    const size = direction === 'increase' ? change : Math.abs(change);
    const limit = thresholds[metric];
    if (size <= limit) return;
    const shown = (v: number) => (metric === 'fieldSize' ? v.toFixed(1) : v.toFixed(4));
    alerts.push({
      key: `drift:${current.scope}:${current.raceDate}:${metric}`,
      raceDate: current.raceDate,
      metric,
      severity: size > 2 * limit ? 'critical' : 'warning',
      current: now,
      baseline: base,
      threshold: limit,
      message:
        `${metric} drifted on ${current.raceDate} (${current.scope}): ${shown(now)} against ${shown(base)} over the previous ` +
        `${previous.length} day(s); ${relative ? 'relative ' : ''}change ${change >= 0 ? '+' : ''}${relative ? `${(change * 100).toFixed(1)}%` : shown(change)}, threshold ${relative ? `${(limit * 100).toFixed(0)}%` : limit}`,
    });
  };
  check('logLoss', 'increase', false);
  check('ece', 'increase', false);
  check('favouriteBaseProb', 'either', false);
  check('fieldSize', 'either', false);
  check('favouriteOdds', 'either', true);
  return alerts;
}
