import { newtonMax2 } from './optimise.js';

/** A race for the blend: model and market probabilities over the same field, and the winner. */
export interface BlendOutcome {
  model: readonly number[];
  market: readonly number[];
  winner: number;
}

/**
 * Benter's two-stage blend, final_i proportional to exp(alpha ln p_i + beta ln m_i), fitted by
 * maximum likelihood: a conditional logit with two features, concave, so 2-D Newton converges.
 */
export function fitMarketBlend(races: readonly BlendOutcome[]): { alpha: number; beta: number } {
  const feats = races.map((r) => ({
    x1: r.model.map((p) => Math.log(Math.max(p, 1e-300))),
    x2: r.market.map((m) => Math.log(Math.max(m, 1e-300))),
    w: r.winner,
  }));
  const [alpha, beta] = newtonMax2(
    ([a, b]) => {
      let value = 0;
      let g1 = 0;
      let g2 = 0;
      let h11 = 0;
      let h12 = 0;
      let h22 = 0;
      for (const f of feats) {
        const s = f.x1.map((x, i) => a * x + b * (f.x2[i] ?? 0));
        const max = Math.max(...s);
        const e = s.map((v) => Math.exp(v - max));
        const z = e.reduce((u, v) => u + v, 0);
        let m1 = 0;
        let m2 = 0;
        let s11 = 0;
        let s12 = 0;
        let s22 = 0;
        e.forEach((ei, i) => {
          const p = ei / z;
          const u = f.x1[i] ?? 0;
          const v = f.x2[i] ?? 0;
          m1 += p * u;
          m2 += p * v;
          s11 += p * u * u;
          s12 += p * u * v;
          s22 += p * v * v;
        });
        value += (s[f.w] ?? 0) - max - Math.log(z);
        g1 += (f.x1[f.w] ?? 0) - m1;
        g2 += (f.x2[f.w] ?? 0) - m2;
        h11 -= s11 - m1 * m1;
        h12 -= s12 - m1 * m2;
        h22 -= s22 - m2 * m2;
      }
      return { value, grad: [g1, g2], hess: [h11, h12, h22] };
    },
    [1, 0],
  );
  return { alpha, beta };
}
