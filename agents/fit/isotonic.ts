import type { Isotonic } from '../artefacts.js';

/**
 * Weighted pool-adjacent-violators on points already sorted by x. Each block becomes one knot at its
 * weighted mean x and weighted mean y; the calibrator interpolates linearly between knots.
 * Zero-weight points (absent from a bootstrap resample) are skipped.
 */
export function pavSorted(xs: ArrayLike<number>, ys: ArrayLike<number>, ws: ArrayLike<number>): Isotonic {
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i] ?? 0;
    if (!(w > 0)) continue;
    let x = xs[i] ?? 0;
    let y = ys[i] ?? 0;
    let wt = w;
    // Merge backwards while the new block violates monotonicity or shares the previous block's x.
    while (by.length > 0) {
      const top = by.length - 1;
      const py = by[top] ?? 0;
      const px = bx[top] ?? 0;
      if (py < y && px < x) break;
      const pw = bw[top] ?? 0;
      const total = pw + wt;
      x = (px * pw + x * wt) / total;
      y = (py * pw + y * wt) / total;
      wt = total;
      bx.pop();
      by.pop();
      bw.pop();
    }
    bx.push(x);
    by.push(y);
    bw.push(wt);
  }
  if (bx.length === 0) throw new RangeError('isotonic fit needs at least one weighted point');
  return { x: bx, y: by };
}

export interface CalibrationPoint {
  /** Pre-calibration probability (the strategy's winProbFused). */
  x: number;
  /** 1 for the winner, 0 otherwise. */
  y: number;
}

export function fitIsotonic(points: readonly CalibrationPoint[], weights?: readonly number[]): Isotonic {
  const order = points.map((_, i) => i).sort((a, b) => (points[a]?.x ?? 0) - (points[b]?.x ?? 0));
  return pavSorted(
    order.map((i) => points[i]?.x ?? 0),
    order.map((i) => points[i]?.y ?? 0),
    order.map((i) => weights?.[i] ?? 1),
  );
}
