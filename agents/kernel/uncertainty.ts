import type { BinCounts, Bootstrap, Conformal } from '../artefacts.js';
import { betaQuantile } from './beta.js';
import { logit, sigmoid } from './calibrate.js';

/** SPEC 3 step 7: interval methods. Each returns raw bounds; `orderInterval` makes them valid. */

export type UncertaintySpec =
  | { kind: 'none' }
  | { kind: 'conformal'; coverage: number }
  | { kind: 'bootstrap'; resamples: number }
  | { kind: 'credible'; mass: number };

export interface Interval {
  lower: number;
  upper: number;
}

/** Into [0,1]; NaN for a non-finite bound (orderInterval then takes the widest bound). */
function clampUnit(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : NaN;
}

/** Clamp into [0,1] and widen to contain p, so lower <= p <= upper always holds. */
export function orderInterval(p: number, lower: number, upper: number): Interval {
  const lo = clampUnit(lower);
  const hi = clampUnit(upper);
  return {
    lower: Number.isNaN(lo) ? 0 : Math.min(lo, p),
    upper: Number.isNaN(hi) ? 1 : Math.max(hi, p),
  };
}

/**
 * Split-conformal half-width on the logit scale: the ceil((n+1) * coverage)-th smallest calibration
 * score (the finite-sample correction); infinite when the calibration set is too small for the coverage.
 */
export function conformalHalfWidth(conformal: Conformal, coverage: number): number {
  const n = conformal.scores.length;
  const rank = Math.ceil((n + 1) * coverage);
  if (rank > n) return Infinity;
  return conformal.scores[rank - 1] ?? Infinity;
}

export function conformalInterval(p: number, halfWidth: number): Interval {
  if (!Number.isFinite(halfWidth)) return orderInterval(p, 0, 1);
  const z = logit(p);
  return orderInterval(p, sigmoid(z - halfWidth), sigmoid(z + halfWidth));
}

function interpolate(grid: readonly number[], values: readonly number[], x: number): number {
  const n = grid.length;
  if (x <= (grid[0] ?? 0)) return values[0] ?? 0;
  if (x >= (grid[n - 1] ?? 0)) return values[n - 1] ?? 0;
  let i = 1;
  while (i < n - 1 && (grid[i] ?? 0) < x) i++;
  const x0 = grid[i - 1] ?? 0;
  const x1 = grid[i] ?? 0;
  const y0 = values[i - 1] ?? 0;
  const y1 = values[i] ?? 0;
  return x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y1;
}

/** Bootstrap percentile band of the isotonic calibrator at pre-calibration value x (raw scale). */
export function bootstrapBand(bootstrap: Bootstrap, x: number): Interval {
  return {
    lower: interpolate(bootstrap.grid, bootstrap.lower, x),
    upper: interpolate(bootstrap.grid, bootstrap.upper, x),
  };
}

export function binIndex(edges: readonly number[], x: number): number {
  const last = edges.length - 2;
  for (let i = 0; i < last; i++) if (x < (edges[i + 1] ?? 1)) return i;
  return last;
}

/**
 * Jeffreys credible interval: the bin holding x has n runners and k winners, posterior
 * Beta(k + 1/2, n - k + 1/2). The central `mass` interval is expressed relative to the posterior mean
 * and applied to the runner's own p, so runners sharing a bin keep their order and the bin's relative
 * uncertainty.
 */
export function credibleInterval(bins: BinCounts, x: number, p: number, mass: number): Interval {
  const { lo, hi, mean } = credibleBounds(bins, binIndex(bins.edges, x), mass);
  return orderInterval(p, (lo / mean) * p, (hi / mean) * p);
}

interface CredibleBounds {
  lo: number;
  hi: number;
  mean: number;
}

/**
 * The bin's posterior quantiles depend on the artefact alone, so they are solved once per bin and
 * kept with the artefact object: two Beta quantiles per runner were a fifth of a race's compute.
 */
const credibleCache = new WeakMap<BinCounts, Map<string, CredibleBounds>>();
function credibleBounds(bins: BinCounts, b: number, mass: number): CredibleBounds {
  let perBin = credibleCache.get(bins);
  if (!perBin) {
    perBin = new Map();
    credibleCache.set(bins, perBin);
  }
  const key = `${b}|${mass}`;
  let bounds = perBin.get(key);
  if (!bounds) {
    const n = bins.n[b] ?? 0;
    const k = bins.k[b] ?? 0;
    const alpha = k + 0.5;
    const beta = n - k + 0.5;
    const tail = (1 - mass) / 2;
    bounds = {
      lo: betaQuantile(tail, alpha, beta),
      hi: betaQuantile(1 - tail, alpha, beta),
      mean: alpha / (alpha + beta),
    };
    perBin.set(key, bounds);
  }
  return bounds;
}
