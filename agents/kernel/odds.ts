/** SPEC 3 steps 1-3: matrix LR, Bayesian odds update, matrix adjustments. */

export const LR_MIN = 0.25;
export const LR_MAX = 4;
export const Q_MIN = 1e-6;
export const Q_MAX = 1 - 1e-6;

export interface MatrixLr {
  value: number;
  /** 'low' or 'high' when the raw A_i fell outside [0.25, 4] and was clipped. */
  clipped: 'low' | 'high' | null;
}

/** A_i = L_i * chemistry_i^m, clipped to [0.25, 4]. */
export function matrixLr(lrProduct: number, chemistry: number, matrixWeight: number): MatrixLr {
  const raw = lrProduct * Math.pow(chemistry, matrixWeight);
  if (raw < LR_MIN) return { value: LR_MIN, clipped: 'low' };
  if (raw > LR_MAX) return { value: LR_MAX, clipped: 'high' };
  return { value: raw, clipped: null };
}

/** o = b/(1-b) * A^w; q = o/(1+o). Written as b*A^w / (b*A^w + 1 - b) so b = 0 or 1 stays exact. */
export function bayesUpdate(base: number, lr: number, lrWeight: number): number {
  const boosted = base * Math.pow(lr, lrWeight);
  const denom = boosted + (1 - base);
  return denom > 0 ? boosted / denom : 1;
}

export interface Adjusted {
  value: number;
  clipped: boolean;
}

/**
 * q * (1 + m * (distance + weather)), clipped to [1e-6, 1 - 1e-6]. No 0.01 floor: long shots at
 * 1% or less are common in 14-runner fields (SPEC 3.3).
 */
export function matrixAdjust(q: number, matrixWeight: number, distance: number, weather: number): Adjusted {
  const raw = q * (1 + matrixWeight * (distance + weather));
  if (raw < Q_MIN) return { value: Q_MIN, clipped: true };
  if (raw > Q_MAX) return { value: Q_MAX, clipped: true };
  return { value: raw, clipped: false };
}
