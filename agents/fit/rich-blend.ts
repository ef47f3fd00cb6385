import type { AgentRunnerInput } from '../../schemas/agent.js';
import type { RichBlend } from '../artefacts.js';

/**
 * The one-stage market blend (SPEC 6.4, "richer blend"): a conditional logit over the runners of a
 * race, final_i proportional to exp(sum_k coef_k * x_k,i), with the market's log-probability among the
 * terms and the model's evidence (quant log-probability, qualitative log-LR, matrix terms) explaining
 * the market's residual. Every term is computed from the agents' input and the market alone, so the
 * workflow's synthesis and the backtest compute the same final probabilities.
 */
export const RICH_BLEND_TERMS = [
  'ln_market',
  'ln_market_sq',
  'ln_quant',
  'ln_lr',
  'ln_chemistry',
  'distance',
  'weather',
] as const;
export type RichBlendTerm = (typeof RICH_BLEND_TERMS)[number];

const ln = (x: number): number => Math.log(Math.max(x, 1e-12));

export function richBlendTerms(runner: AgentRunnerInput, marketProb: number): Record<RichBlendTerm, number> {
  const lm = ln(marketProb);
  return {
    ln_market: lm,
    ln_market_sq: lm * lm,
    ln_quant: ln(runner.winProbBase),
    ln_lr: ln(runner.lrProduct),
    ln_chemistry: ln(runner.chemistry),
    distance: runner.distance,
    weather: runner.weather,
  };
}

/** Final probabilities of one race under a fitted rich blend. */
export function applyRichBlend(
  blend: RichBlend,
  runners: readonly AgentRunnerInput[],
  market: readonly number[],
): number[] {
  const scores = runners.map((r, i) => {
    const x = richBlendTerms(r, market[i] ?? 0);
    return blend.terms.reduce((s, t) => s + t.coef * x[t.name], 0);
  });
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export interface RichBlendRace {
  runners: readonly AgentRunnerInput[];
  market: readonly number[];
  winner: number;
}

/** Solves H d = g for a small symmetric positive-definite H (Gaussian elimination with pivoting). */
function solve(h: number[][], g: number[]): number[] {
  const n = g.length;
  const a = h.map((row, i) => [...row, g[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/**
 * Maximum likelihood with a small ridge penalty (l2 on every coefficient but ln_market), by Newton's
 * method with step halving; the race-softmax log-likelihood is concave, so it converges.
 */
export function fitRichBlend(
  races: readonly RichBlendRace[],
  l2 = 1,
): { terms: { name: RichBlendTerm; coef: number }[]; logLik: number } {
  const K = RICH_BLEND_TERMS.length;
  const data = races.map((r) => ({
    x: r.runners.map((u, i) => RICH_BLEND_TERMS.map((t) => richBlendTerms(u, r.market[i] ?? 0)[t])),
    w: r.winner,
  }));
  const penalty = RICH_BLEND_TERMS.map((t) => (t === 'ln_market' ? 0 : l2));
  const evaluate = (b: number[]): { value: number; grad: number[]; hess: number[][] } => {
    let value = 0;
    const grad = new Array<number>(K).fill(0);
    const hess = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    for (const { x, w } of data) {
      const s = x.map((row) => row.reduce((a, v, k) => a + v * (b[k] as number), 0));
      const max = Math.max(...s);
      const e = s.map((v) => Math.exp(v - max));
      const z = e.reduce((a, v) => a + v, 0);
      const p = e.map((v) => v / z);
      value += (s[w] as number) - max - Math.log(z);
      const mean = new Array<number>(K).fill(0);
      x.forEach((row, i) => row.forEach((v, k) => (mean[k] = (mean[k] as number) + (p[i] as number) * v)));
      (x[w] as number[]).forEach((v, k) => (grad[k] = (grad[k] as number) + v - (mean[k] as number)));
      x.forEach((row, i) => {
        for (let j = 0; j < K; j++)
          for (let k = 0; k < K; k++)
            hess[j]![k]! -=
              (p[i] as number) *
              ((row[j] as number) - (mean[j] as number)) *
              ((row[k] as number) - (mean[k] as number));
      });
    }
    b.forEach((v, k) => {
      value -= 0.5 * (penalty[k] as number) * v * v;
      grad[k] = (grad[k] as number) - (penalty[k] as number) * v;
      hess[k]![k]! -= penalty[k] as number;
    });
    return { value, grad, hess };
  };
  let b: number[] = RICH_BLEND_TERMS.map((t) => (t === 'ln_market' ? 1 : 0));
  let cur = evaluate(b);
  for (let iter = 0; iter < 50; iter++) {
    const step = solve(
      cur.hess.map((row) => row.map((v) => -v)),
      cur.grad,
    );
    let scale = 1;
    let next = b.map((v, k) => v + scale * (step[k] as number));
    let nf = evaluate(next);
    while (!(nf.value >= cur.value) && scale > 1e-6) {
      scale /= 2;
      next = b.map((v, k) => v + scale * (step[k] as number));
      nf = evaluate(next);
    }
    if (!(nf.value >= cur.value)) break;
    const moved = step.reduce((a, v) => a + Math.abs(scale * v), 0);
    b = next;
    cur = nf;
    if (moved < 1e-9) break;
  }
  return { terms: RICH_BLEND_TERMS.map((name, k) => ({ name, coef: b[k] as number })), logLik: cur.value };
}
