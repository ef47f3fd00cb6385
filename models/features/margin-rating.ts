import type { PastRun } from '../../schemas/history.js';

/**
 * The per-horse margin rating of qf5: a one-dimensional Kalman filter on the horse's field-demeaned
 * margins, replayed from its own history rows only (the "margin0w" design of
 * models/training/rating_cv.py, which this reproduces to 1e-9; test/unit/models/margin-rating.test.ts).
 * Each past run's observation is (field mean of clipped lengths behind per km) - (own clipped lengths
 * behind per km): positive when the horse beat its field's average margin. The field mean is stored on
 * the past run when it is built (`fieldBehindPerKm`), so serving reads it from the same history rows as
 * training and no global rating table is needed. Settings were chosen on races 700..1499 (rating_cv.py).
 */
export const MARGIN_CLIP_PER_KM = 10;
export const MARGIN_NOISE = 4;
export const MARGIN_PRIOR_VAR = 4;
/** Variance added per year between runs (capped at the prior variance). */
export const MARGIN_DRIFT_PER_YEAR = 2;
/** The filter replays at most this many of the latest runs (what the history store holds per horse). */
export const MARGIN_WINDOW = 20;

const DAY_MS = 86_400_000;

/** Lengths behind per km, clipped to [0, 10]; an unknown margin (a non-finisher) counts as the clip. */
export function clippedBehindPerKm(lengthsBehind: number | null, distanceM: number): number {
  if (lengthsBehind === null) return MARGIN_CLIP_PER_KM;
  return Math.min(Math.max(0, lengthsBehind) / (distanceM / 1000), MARGIN_CLIP_PER_KM);
}

/** The field mean that goes on every runner's past run of one race (`PastRun.fieldBehindPerKm`). */
export function fieldBehindPerKm(lengthsBehind: readonly (number | null)[], distanceM: number): number {
  let sum = 0;
  for (const lb of lengthsBehind) sum += clippedBehindPerKm(lb, distanceM);
  return sum / lengthsBehind.length;
}

const daysBetween = (later: string, earlier: string): number =>
  Math.round((Date.parse(later) - Date.parse(earlier)) / DAY_MS);

/**
 * Posterior mean and variance of one horse's margin rating as of `date`, from its past runs (most
 * recent first, earlier races only). Runs without `fieldBehindPerKm` (rows stored before qf5) are
 * skipped; a horse with none keeps the prior (mean 0, variance 4).
 */
export function marginRating(runs: readonly PastRun[], date: string): { mu: number; variance: number } {
  const used = runs.slice(0, MARGIN_WINDOW).filter((r) => r.fieldBehindPerKm !== undefined);
  let mu = 0;
  let variance = MARGIN_PRIOR_VAR;
  let last: string | null = null;
  const drift = (later: string, earlier: string): void => {
    variance = Math.min(
      MARGIN_PRIOR_VAR,
      variance + (MARGIN_DRIFT_PER_YEAR * daysBetween(later, earlier)) / 365.25,
    );
  };
  for (let i = used.length - 1; i >= 0; i--) {
    const run = used[i] as PastRun;
    if (last !== null) drift(run.date, last);
    const obs = (run.fieldBehindPerKm as number) - clippedBehindPerKm(run.lengthsBehind, run.distanceM);
    const k = variance / (variance + MARGIN_NOISE);
    mu += k * (obs - mu);
    variance *= 1 - k;
    last = run.date;
  }
  if (last !== null) drift(date, last);
  return { mu, variance };
}

export interface MarginColumns {
  mu: number[];
  /** Within-field z-score (population sd, floored at 1e-3). */
  z: number[];
  /** mu minus the field mean. */
  gap: number[];
  /** mu minus the best rival's mu (0 in a field of one). */
  top: number[];
  /** Posterior standard deviation. */
  sd: number[];
}

/** The rating columns of a field, in the order of `fieldRuns` (each runner's past runs, most recent first). */
export function marginColumns(fieldRuns: readonly (readonly PastRun[])[], date: string): MarginColumns {
  const ratings = fieldRuns.map((runs) => marginRating(runs, date));
  const mu = ratings.map((r) => r.mu);
  const n = mu.length;
  const m = mu.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(mu.reduce((a, x) => a + (x - m) ** 2, 0) / n);
  return {
    mu,
    z: mu.map((x) => (x - m) / Math.max(sd, 1e-3)),
    gap: mu.map((x) => x - m),
    top: mu.map((x, i) => (n > 1 ? x - Math.max(...mu.filter((_, j) => j !== i)) : 0)),
    sd: ratings.map((r) => Math.sqrt(r.variance)),
  };
}
