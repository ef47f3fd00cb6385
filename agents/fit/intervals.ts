import type { BinCounts, Bootstrap, Conformal } from '../artefacts.js';
import { isotonicValue, logit } from '../kernel/calibrate.js';
import type { Rng } from '../prng.js';
import { pavSorted, type CalibrationPoint } from './isotonic.js';

/** Fitting for the three artefact-backed interval methods of SPEC 3.7. */

function sortedByX(points: readonly CalibrationPoint[]): CalibrationPoint[] {
  return [...points].sort((a, b) => a.x - b.x);
}

/** Jeffreys-interval bins: equal-mass edges over x (so long shots get bins of their own), with counts. */
export function fitBinCounts(points: readonly CalibrationPoint[], bins: number): BinCounts {
  const sorted = sortedByX(points);
  const edges = [0];
  for (let b = 1; b < bins; b++) {
    const e = sorted[Math.floor((b * sorted.length) / bins)]?.x ?? 1;
    if (e > (edges[edges.length - 1] ?? 0)) edges.push(e);
  }
  edges.push(1);
  const n = new Array<number>(edges.length - 1).fill(0);
  const k = new Array<number>(edges.length - 1).fill(0);
  let b = 0;
  for (const p of sorted) {
    while (b < n.length - 1 && p.x >= (edges[b + 1] ?? 1)) b++;
    n[b] = (n[b] ?? 0) + 1;
    k[b] = (k[b] ?? 0) + p.y;
  }
  return { edges, n, k };
}

/**
 * Split-conformal scores for a probability: consecutive groups of `groupSize` runners by x; a group's
 * score is |logit(win rate) - logit(mean x)| with the Jeffreys-smoothed rate (k + 1/2)/(m + 1).
 * The quantile of these scores bounds, at the stated coverage, how far the win rate of a new group
 * of similar runners can sit from the stated probability, on the logit scale.
 */
export function fitConformal(points: readonly CalibrationPoint[], groupSize: number): Conformal {
  const sorted = sortedByX(points);
  const groups = Math.max(1, Math.floor(sorted.length / groupSize));
  const scores: number[] = [];
  for (let g = 0; g < groups; g++) {
    const slice = sorted.slice(g * groupSize, g === groups - 1 ? sorted.length : (g + 1) * groupSize);
    const m = slice.length;
    const k = slice.reduce((s, p) => s + p.y, 0);
    const meanX = slice.reduce((s, p) => s + p.x, 0) / m;
    scores.push(Math.abs(logit((k + 0.5) / (m + 1)) - logit(meanX)));
  }
  scores.sort((a, b) => a - b);
  return { groupSize, scores };
}

/**
 * Percentile band of the isotonic calibrator over race resamples (races, not runners, are resampled,
 * because runners of one race share one winner). The band is tabulated on a grid of x quantiles.
 */
export function fitBootstrap(
  races: readonly (readonly CalibrationPoint[])[],
  resamples: number,
  coverage: number,
  gridSize: number,
  rng: Rng,
): Bootstrap {
  const flat: { x: number; y: number; race: number }[] = [];
  races.forEach((pts, r) => pts.forEach((p) => flat.push({ x: p.x, y: p.y, race: r })));
  flat.sort((a, b) => a.x - b.x);
  const xs = Float64Array.from(flat.map((p) => p.x));
  const ys = Float64Array.from(flat.map((p) => p.y));
  const grid: number[] = [];
  for (let g = 0; g < gridSize; g++) {
    const v = xs[Math.min(xs.length - 1, Math.floor(((g + 0.5) * xs.length) / gridSize))] ?? 0;
    if (grid.length === 0 || v > (grid[grid.length - 1] ?? 0)) grid.push(v);
  }
  const curves: number[][] = grid.map(() => []);
  const raceWeight = new Float64Array(races.length);
  const ws = new Float64Array(flat.length);
  for (let b = 0; b < resamples; b++) {
    raceWeight.fill(0);
    for (let d = 0; d < races.length; d++) {
      const r = Math.floor(rng() * races.length);
      raceWeight[r] = (raceWeight[r] ?? 0) + 1;
    }
    flat.forEach((p, i) => {
      ws[i] = raceWeight[p.race] ?? 0;
    });
    const iso = pavSorted(xs, ys, ws);
    grid.forEach((x, g) => curves[g]?.push(isotonicValue(iso, x)));
  }
  const tail = (1 - coverage) / 2;
  const quantile = (sorted: number[], q: number): number => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
  };
  const lower: number[] = [];
  const upper: number[] = [];
  for (const c of curves) {
    c.sort((a, b) => a - b);
    lower.push(quantile(c, tail));
    upper.push(quantile(c, 1 - tail));
  }
  return { resamples, coverage, grid, lower, upper };
}
