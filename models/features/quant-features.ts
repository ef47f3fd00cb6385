import type { PastRun, RunnerHistory } from '../../schemas/history.js';
import { activeRunners, type RaceCard, type Runner } from '../../schemas/race-card.js';
import { FEATURE_NAMES, FEATURE_VERSION, type FeatureName } from './definitions.js';
import { marginColumns } from './margin-rating.js';
import { drawBias, parFor, type SpeedPars } from './pars.js';

export interface QuantFeatures {
  names: string[];
  /** One row per active runner, in card order. */
  rows: Float32Array[];
  version: string;
}

const DAY_MS = 86_400_000;
/** ln(20): about the median price of a runner, for a horse with no priced past run. */
const LN_ODDS_DEFAULT = Math.log(20);
const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOr = (xs: number[], d: number): number => (xs.length > 0 ? mean(xs) : d);
const classNumber = (c: string): number | null => (/^\d+$/.test(c) ? Number(c) : null);
const present = <T>(x: T | null): x is T => x !== null;
type Country = 'NZ' | 'AUS' | 'IRE' | 'GB' | 'USA';

/** (par - finish time) per km: positive = faster than a typical winner in the same conditions. */
function speedFigure(run: PastRun, pars: SpeedPars): number | null {
  if (run.finishTimeS === null || run.distanceM <= 0) return null;
  const par = parFor(pars.finish, run);
  return par === null ? null : clip((par - run.finishTimeS) / (run.distanceM / 1000), -10, 5);
}

function lateFigure(run: PastRun, pars: SpeedPars): number | null {
  const own = run.sectionalTimesS?.[run.sectionalTimesS.length - 1];
  const par = parFor(pars.lastSection, run);
  return own === undefined || par === null ? null : clip(par - own, -5, 5);
}

function behindPerKm(run: PastRun): number | null {
  if (run.finishTimeS === null || run.winnerTimeS === null || run.distanceM <= 0) return null;
  return clip((run.finishTimeS - run.winnerTimeS) / (run.distanceM / 1000), 0, 6);
}

/** ln of the win odds the market offered at a past run, clipped to the data's [1, 99]. */
const lnOdds = (r: PastRun): number | null =>
  r.winOdds === null || !(r.winOdds > 0) ? null : Math.log(clip(r.winOdds, 1, 99));

/** First sectional call as a share of the field: 0 = led early, 1 = last. */
const earlyPct = (r: PastRun): number | null =>
  r.positionCalls.length > 0 && r.fieldSize > 1
    ? (Math.min(r.positionCalls[0] as number, r.fieldSize) - 1) / (r.fieldSize - 1)
    : null;

/** Mean with weights 0.7^k from the latest value, skipping missing ones; d when none. */
function decayed(xs: (number | null)[], d: number): number {
  let num = 0;
  let den = 0;
  xs.forEach((x, k) => {
    if (x === null) return;
    num += 0.7 ** k * x;
    den += 0.7 ** k;
  });
  return den > 0 ? num / den : d;
}

const finishPct = (r: PastRun): number | null =>
  r.position === null
    ? null
    : r.fieldSize > 1
      ? (Math.min(r.position, r.fieldSize) - 1) / (r.fieldSize - 1)
      : 0;

const daysBetween = (later: string, earlier: string): number =>
  (Date.parse(later) - Date.parse(earlier)) / DAY_MS;

function runnerFeatures(
  card: RaceCard,
  runner: Runner,
  history: RunnerHistory | undefined,
  drawSpan: number,
  pars: SpeedPars,
): Record<FeatureName, number> {
  const runs = history?.runs ?? [];
  const last = runs[0];
  const figs = runs
    .map((r) => speedFigure(r, pars))
    .filter(present)
    .slice(0, 4);
  const lates = runs
    .slice(0, 4)
    .map((r) => lateFigure(r, pars))
    .filter(present);
  const behind = runs.map(behindPerKm).filter(present).slice(0, 4);
  const pcts = runs.slice(0, 4).map(finishPct).filter(present);
  const odds = runs.slice(0, 3).map(lnOdds).filter(present);
  const early = runs.slice(0, 3).map(earlyPct).filter(present);
  const gains = runs
    .slice(0, 3)
    .map((r) => {
      const e = earlyPct(r);
      const f = finishPct(r);
      return e === null || f === null ? null : e - f;
    })
    .filter(present);
  const olderRating = runs[Math.min(2, runs.length - 1)]?.rating ?? null;
  const rating = runner.rating ?? 60;
  const days = last ? Math.max(0, (Date.parse(card.meeting.date) - Date.parse(last.date)) / DAY_MS) : 0;
  const lastClass = last ? classNumber(last.raceClass) : null;
  const thisClass = classNumber(card.raceClass);
  const bodyChange =
    runner.declaredWeight !== undefined && last?.declaredWeight != null
      ? runner.declaredWeight - last.declaredWeight
      : null;
  const wins = runs.filter((r) => r.won).length;
  const drawRel = drawSpan > 0 ? (runner.draw - 1) / drawSpan : 0;
  const lastPct = last ? finishPct(last) : null;
  const country = (c: Country): number => (runner.horseCountry === c ? 1 : 0);
  const atTrip = runs.filter(
    (r) => r.surface === card.surface && Math.abs(r.distanceM - card.distanceM) <= 200,
  );
  const tripFigs = atTrip.map((r) => speedFigure(r, pars)).filter(present);
  const within = (d: number): PastRun[] => runs.filter((r) => daysBetween(card.meeting.date, r.date) <= d);

  return {
    speed_fig_last: figs[0] ?? -3,
    speed_fig_mean4: meanOr(figs, -3),
    speed_fig_best4: figs.length > 0 ? Math.max(...figs) : -3,
    speed_missing: figs.length === 0 ? 1 : 0,
    late_fig_mean4: meanOr(lates, -1),
    behind_per_km_last: (last ? behindPerKm(last) : null) ?? 2,
    behind_per_km_mean4: meanOr(behind, 2),
    finish_pct_last: lastPct ?? 0.6,
    finish_pct_mean4: meanOr(pcts, 0.6),
    rating,
    rating_missing: runner.rating === undefined ? 1 : 0,
    rating_change: runner.rating !== undefined && last?.rating != null ? runner.rating - last.rating : 0,
    class_drop: lastClass !== null && thisClass !== null ? lastClass - thisClass : 0,
    weight_carried: runner.actualWeight,
    weight_carried_change: last ? runner.actualWeight - last.actualWeight : 0,
    declared_weight: runner.declaredWeight ?? 1100,
    declared_weight_change: bodyChange ?? 0,
    declared_weight_change_missing: bodyChange === null ? 1 : 0,
    draw_rel: drawRel,
    draw_rel_sprint: card.distanceM <= 1200 ? drawRel : 0,
    draw_bias: drawBias(pars, card, runner.draw),
    distance_change: last ? (card.distanceM - last.distanceM) / 400 : 0,
    age: runner.age ?? 4,
    log_days_since: Math.log1p(days),
    long_break: days > 90 ? 1 : 0,
    log_runs: Math.log1p(Math.min(20, runs.length)),
    win_rate_shrunk: (wins + 5 * 0.08) / (runs.length + 5),
    no_history: runs.length === 0 ? 1 : 0,
    country_nz: country('NZ'),
    country_aus: country('AUS'),
    country_ire: country('IRE'),
    country_gb: country('GB'),
    country_usa: country('USA'),
    type_gelding: runner.horseType === 'Gelding' ? 1 : 0,
    ln_odds_last: (last ? lnOdds(last) : null) ?? LN_ODDS_DEFAULT,
    ln_odds_mean3: meanOr(odds, LN_ODDS_DEFAULT),
    early_pct_mean3: meanOr(early, 0.5),
    pos_gain_mean3: meanOr(gains, 0),
    speed_fig_trend: figs.length >= 2 ? (figs[0] as number) - mean(figs.slice(1)) : 0,
    implied_last: Math.exp(-((last ? lnOdds(last) : null) ?? LN_ODDS_DEFAULT)),
    ln_odds_trend: odds.length >= 2 ? (odds[0] as number) - mean(odds.slice(1)) : 0,
    place_rate_shrunk:
      (runs.filter((r) => r.position !== null && r.position <= 3).length + 5 * 0.25) / (runs.length + 5),
    finish_pct_best4: pcts.length > 0 ? Math.min(...pcts) : 0.6,
    speed_fig_decay6: decayed(
      runs.slice(0, 6).map((r) => speedFigure(r, pars)),
      -3,
    ),
    finish_pct_decay6: decayed(runs.slice(0, 6).map(finishPct), 0.6),
    rating_trend3: runner.rating !== undefined && olderRating !== null ? runner.rating - olderRating : 0,
    // A horse never tried at the trip gets its best recent figure, marked down: untried is a small doubt.
    speed_fig_best_at_trip:
      tripFigs.length > 0 ? Math.max(...tripFigs) : (figs.length > 0 ? Math.max(...figs) : -3) - 1,
    runs_at_trip: Math.log1p(atTrip.length),
    runs_60d: within(60).length,
    finish_pct_90d: meanOr(within(90).map(finishPct).filter(present), 0.6),
    // Filled in by headToHead once every runner's history is known.
    h2h_net: 0,
    h2h_lengths: 0,
    h2h_meetings: 0,
    // Filled in by withinRaceZ once the whole field is known.
    speed_fig_mean4_z: 0,
    speed_fig_best4_z: 0,
    speed_fig_last_z: 0,
    late_fig_mean4_z: 0,
    behind_per_km_mean4_z: 0,
    finish_pct_mean4_z: 0,
    rating_z: 0,
    weight_carried_z: 0,
    win_rate_z: 0,
    ln_odds_last_z: 0,
    ln_odds_mean3_z: 0,
    early_pct_mean3_z: 0,
    speed_fig_best_at_trip_z: 0,
    // Filled in by buildQuantFeatures from the whole field's margin ratings.
    margin_rating_z: 0,
    margin_rating_gap: 0,
    margin_rating_top: 0,
    margin_rating_sd: 0,
  };
}

const Z_FEATURES: [FeatureName, FeatureName][] = [
  ['speed_fig_mean4', 'speed_fig_mean4_z'],
  ['speed_fig_best4', 'speed_fig_best4_z'],
  ['speed_fig_last', 'speed_fig_last_z'],
  ['late_fig_mean4', 'late_fig_mean4_z'],
  ['behind_per_km_mean4', 'behind_per_km_mean4_z'],
  ['finish_pct_mean4', 'finish_pct_mean4_z'],
  ['rating', 'rating_z'],
  ['weight_carried', 'weight_carried_z'],
  ['win_rate_shrunk', 'win_rate_z'],
  ['ln_odds_last', 'ln_odds_last_z'],
  ['ln_odds_mean3', 'ln_odds_mean3_z'],
  ['early_pct_mean3', 'early_pct_mean3_z'],
  ['speed_fig_best_at_trip', 'speed_fig_best_at_trip_z'],
];

/**
 * Collateral form restricted to today's field: every past race a runner shared with a rival running today
 * says who beat whom and by how many lengths. It reads only the runners' own histories (earlier races),
 * so serving computes it from the same store as training; a global rating over all horses would need a
 * rating table kept beside the history store.
 */
function headToHead(values: Record<FeatureName, number>[], runs: PastRun[][]): void {
  const byRace = runs.map((rs) => new Map(rs.map((r) => [r.raceId, r])));
  values.forEach((v, i) => {
    let meetings = 0;
    let net = 0;
    let lengths = 0;
    byRace.forEach((theirs, j) => {
      if (j === i) return;
      for (const own of runs[i] ?? []) {
        const rival = theirs.get(own.raceId);
        if (!rival || own.position === null || rival.position === null) continue;
        meetings += 1;
        net += Math.sign(rival.position - own.position);
        lengths += clip((rival.lengthsBehind ?? 0) - (own.lengthsBehind ?? 0), -8, 8);
      }
    });
    v.h2h_net = net / (meetings + 2);
    v.h2h_lengths = lengths / (meetings + 2);
    v.h2h_meetings = Math.log1p(meetings);
  });
}

function withinRaceZ(values: Record<FeatureName, number>[], from: FeatureName, to: FeatureName): void {
  const xs = values.map((v) => v[from]);
  const m = mean(xs);
  const sd = Math.max(1e-3, Math.sqrt(mean(xs.map((x) => (x - m) ** 2))));
  for (const v of values) v[to] = (v[from] - m) / sd;
}

/**
 * The one quantitative feature builder, used by training and serving alike. Pure: it reads only the
 * card, the histories (which must hold earlier races only) and the fitted par times, never the market.
 */
export function buildQuantFeatures(
  card: RaceCard,
  histories: Map<string, RunnerHistory>,
  pars: SpeedPars,
): QuantFeatures {
  const runners = activeRunners(card);
  const drawSpan = Math.max(runners.length, ...runners.map((r) => r.draw)) - 1;
  const values = runners.map((runner) =>
    runnerFeatures(card, runner, histories.get(runner.horseId), drawSpan, pars),
  );
  // The conditional logit sees only differences within a race; z-scores add the field's spread.
  headToHead(
    values,
    runners.map((r) => histories.get(r.horseId)?.runs ?? []),
  );
  for (const [from, to] of Z_FEATURES) withinRaceZ(values, from, to);
  const margin = marginColumns(
    runners.map((r) => histories.get(r.horseId)?.runs ?? []),
    card.meeting.date,
  );
  values.forEach((v, i) => {
    v.margin_rating_z = margin.z[i] as number;
    v.margin_rating_gap = margin.gap[i] as number;
    v.margin_rating_top = margin.top[i] as number;
    v.margin_rating_sd = margin.sd[i] as number;
  });
  const rows = values.map((v) => Float32Array.from(FEATURE_NAMES, (name) => v[name]));
  return { names: [...FEATURE_NAMES], rows, version: FEATURE_VERSION };
}
