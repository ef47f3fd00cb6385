import { logit, sigmoid } from '../kernel/calibrate.js';
import type { CalibrationPoint } from './isotonic.js';
import { newtonMax2 } from './optimise.js';

/**
 * Platt scaling: y ~ Bernoulli(sigmoid(a * logit(x) + b)), maximum likelihood by Newton (IRLS).
 * A tiny ridge (1e-6) keeps the Hessian invertible when the data are separable.
 */
export function fitPlatt(points: readonly CalibrationPoint[]): { a: number; b: number } {
  if (points.length === 0) return { a: 1, b: 0 };
  const z = points.map((p) => logit(p.x));
  const ridge = 1e-6;
  const [a, b] = newtonMax2(
    ([a, b]) => {
      let value = -ridge * (a * a + b * b);
      let g1 = -2 * ridge * a;
      let g2 = -2 * ridge * b;
      let h11 = -2 * ridge;
      let h12 = 0;
      let h22 = -2 * ridge;
      points.forEach((pt, i) => {
        const zi = z[i] ?? 0;
        const eta = a * zi + b;
        const mu = sigmoid(eta);
        // log-likelihood y*eta - ln(1 + e^eta), written stably.
        value += pt.y * eta - (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta)));
        const r = pt.y - mu;
        g1 += r * zi;
        g2 += r;
        const v = mu * (1 - mu);
        h11 -= v * zi * zi;
        h12 -= v * zi;
        h22 -= v;
      });
      return { value, grad: [g1, g2], hess: [h11, h12, h22] };
    },
    [1, 0],
  );
  return { a, b };
}
