import type { GroupCalibration, Isotonic } from '../artefacts.js';
import { sum } from './normalise.js';

/** SPEC 3 step 5: calibrators applied to the fused field, always renormalised over the field. */

export type CalibrationSpec =
  | { kind: 'isotonic' }
  | { kind: 'temperature' }
  | { kind: 'platt' }
  | { kind: 'ensemble'; isotonicWeight: number; temperatureWeight: number };

/** Isotonic output floor: a zero would erase a runner and could zero the whole field. */
const ISOTONIC_FLOOR = 1e-6;
const LOGIT_EPS = 1e-12;

export function logit(p: number): number {
  const c = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, p));
  return Math.log(c / (1 - c));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Linear interpolation between PAV knots, flat beyond the first and last knot. */
export function isotonicValue(iso: Isotonic, x: number): number {
  const xs = iso.x;
  const ys = iso.y;
  const n = xs.length;
  const first = ys[0] ?? 0;
  const last = ys[n - 1] ?? 0;
  if (x <= (xs[0] ?? 0)) return first;
  if (x >= (xs[n - 1] ?? 0)) return last;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] ?? 0) <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] ?? 0;
  const x1 = xs[hi] ?? 0;
  const y0 = ys[lo] ?? 0;
  const y1 = ys[hi] ?? 0;
  return x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y1;
}

export function temperatureWeight(x: number, tau: number): number {
  return x > 0 ? Math.exp(Math.log(x) / tau) : 0;
}

export function plattValue(x: number, a: number, b: number): number {
  return sigmoid(a * logit(x) + b);
}

/**
 * A calibrator bound to one race: `map(x)` is the calibrated, field-renormalised value of a runner
 * whose fused probability is x, with the field's normaliser held fixed. Points are map(x_i) (they sum
 * to 1); interval bounds reuse the same map so they move with the point.
 */
export interface BoundCalibrator {
  map: (x: number) => number;
  points: number[];
  identity: boolean;
}

type RawMap = (x: number) => number;

function rawMap(kind: 'isotonic' | 'temperature' | 'platt', cal: GroupCalibration): RawMap {
  switch (kind) {
    case 'isotonic':
      return (x) => Math.max(ISOTONIC_FLOOR, isotonicValue(cal.isotonic, x));
    case 'temperature':
      return (x) => temperatureWeight(x, cal.temperature.tau);
    case 'platt':
      return (x) => plattValue(x, cal.platt.a, cal.platt.b);
  }
}

/** raw(x) / sum_j raw(fused_j), with raw evaluated once per runner for the points. */
function normalisedMap(raw: RawMap, fused: readonly number[]): { map: RawMap; points: number[] } {
  const values = fused.map(raw);
  let total = 0;
  for (const v of values) total += v;
  return { map: (x) => raw(x) / total, points: values.map((v) => v / total) };
}

export function bindCalibrator(
  spec: CalibrationSpec,
  cal: GroupCalibration | null,
  fused: readonly number[],
): BoundCalibrator {
  if (cal === null) {
    const total = sum(fused);
    return { map: (x) => x / total, points: fused.map((x) => x / total), identity: true };
  }
  let combined: RawMap;
  if (spec.kind === 'ensemble') {
    const iso = normalisedMap(rawMap('isotonic', cal), fused).map;
    const temp = normalisedMap(rawMap('temperature', cal), fused).map;
    const wSum = spec.isotonicWeight + spec.temperatureWeight;
    combined = (x) => (spec.isotonicWeight * iso(x) + spec.temperatureWeight * temp(x)) / wSum;
  } else {
    combined = rawMap(spec.kind, cal);
  }
  // Always renormalise over the field (SPEC 3.5), also after the ensemble's weighted mean.
  const { map, points } = normalisedMap(combined, fused);
  return { map, points, identity: false };
}
