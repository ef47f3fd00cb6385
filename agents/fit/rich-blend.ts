import type { AgentRunnerInput } from '../../schemas/agent.js';
import { RICH_BLEND_BASE_TERMS, RICH_BLEND_EXTENDED_TERMS, type RichBlend } from '../artefacts.js';

/**
 * The one-stage market blend (SPEC 6.4, "richer blend"): a conditional logit over the runners of a
 * race, final_i proportional to exp(sum_k coef_k * x_k,i), with the market's log-probability among the
 * terms and the model's evidence (quant log-probability, qualitative log-LR, matrix terms) explaining
 * the market's residual. Every term is computed from the agents' input and the market alone, so the
 * workflow's synthesis and the backtest compute the same final probabilities.
 *
 * The base terms need only the fields every AgentRunnerInput has. The extended terms read the optional
 * per-runner extras (lrGroups: the four qualitative group LRs; quantMembers: each quant ensemble
 * member's win probability); a blend that uses them carries a fallback fitted on the base terms alone,
 * which applies to any race where a runner lacks an extra a term needs (inputs recorded before the
 * extras existed).
 */
export { RICH_BLEND_BASE_TERMS, RICH_BLEND_EXTENDED_TERMS };

/** The base terms, the one-stage blend's default term set (and its fallback's). */
export const RICH_BLEND_TERMS = RICH_BLEND_BASE_TERMS;
export const ALL_RICH_BLEND_TERMS = [...RICH_BLEND_BASE_TERMS, ...RICH_BLEND_EXTENDED_TERMS] as const;
export type RichBlendBaseTerm = (typeof RICH_BLEND_BASE_TERMS)[number];
export type RichBlendExtendedTerm = (typeof RICH_BLEND_EXTENDED_TERMS)[number];
export type RichBlendTerm = RichBlendBaseTerm | RichBlendExtendedTerm;

/** Quant ensemble members the extended terms read from quantMembers, by term. */
const MEMBER_OF: Partial<Record<RichBlendTerm, string>> = { ln_clogit: 'clogit', ln_lgbm: 'lgbm' };
const LR_GROUP_OF: Partial<Record<RichBlendTerm, keyof NonNullable<AgentRunnerInput['lrGroups']>>> = {
  ln_lr_form: 'formFitness',
  ln_lr_conditions: 'conditions',
  ln_lr_tactics: 'tactics',
  ln_lr_context: 'context',
};

const ln = (x: number): number => Math.log(Math.max(x, 1e-12));

/** True when the runner carries every input the term needs (always true for a base term). */
export function hasTermInputs(runner: AgentRunnerInput, term: RichBlendTerm): boolean {
  const member = MEMBER_OF[term];
  if (member !== undefined) return runner.quantMembers?.[member] !== undefined;
  if (LR_GROUP_OF[term] !== undefined) return runner.lrGroups !== undefined;
  return true;
}

/**
 * One runner's value of one term. An extended term whose input is absent is NaN: callers check
 * hasTermInputs first (applyRichBlend then uses the fallback).
 */
export function richBlendTerm(runner: AgentRunnerInput, marketProb: number, term: RichBlendTerm): number {
  const member = MEMBER_OF[term];
  if (member !== undefined) {
    const p = runner.quantMembers?.[member];
    return p === undefined ? Number.NaN : ln(p);
  }
  const group = LR_GROUP_OF[term];
  if (group !== undefined) {
    const lr = runner.lrGroups?.[group];
    return lr === undefined ? Number.NaN : ln(lr);
  }
  const lm = ln(marketProb);
  switch (term) {
    case 'ln_market':
      return lm;
    case 'ln_market_sq':
      return lm * lm;
    case 'ln_quant':
      return ln(runner.winProbBase);
    case 'ln_lr':
      return ln(runner.lrProduct);
    case 'ln_chemistry':
      return ln(runner.chemistry);
    case 'distance':
      return runner.distance;
    case 'weather':
      return runner.weather;
    default:
      return Number.NaN;
  }
}

/** The base terms of one runner (the extended ones come from richBlendTerm). */
export function richBlendTerms(
  runner: AgentRunnerInput,
  marketProb: number,
): Record<RichBlendBaseTerm, number> {
  return Object.fromEntries(
    RICH_BLEND_BASE_TERMS.map((t) => [t, richBlendTerm(runner, marketProb, t)]),
  ) as Record<RichBlendBaseTerm, number>;
}

type Terms = readonly { name: RichBlendTerm; coef: number }[];

/**
 * The terms that apply to this race: the blend's own when every runner has what they need, else its
 * fallback (base terms only). A blend with extended terms and no fallback is rejected by the schema.
 */
export function richBlendTermsFor(blend: RichBlend, runners: readonly AgentRunnerInput[]): Terms {
  const complete = blend.terms.every((t) => runners.every((r) => hasTermInputs(r, t.name)));
  if (complete) return blend.terms;
  return blend.fallback?.terms ?? blend.terms.filter((t) => runners.every((r) => hasTermInputs(r, t.name)));
}

/** Final probabilities of one race under a fitted rich blend. */
export function applyRichBlend(
  blend: RichBlend,
  runners: readonly AgentRunnerInput[],
  market: readonly number[],
): number[] {
  const terms = richBlendTermsFor(blend, runners);
  const scores = runners.map((r, i) =>
    terms.reduce((s, t) => s + t.coef * richBlendTerm(r, market[i] ?? 0, t.name), 0),
  );
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

export interface ConditionalLogitRace {
  /** One row of term values per runner. */
  x: readonly (readonly number[])[];
  winner: number;
}

/**
 * Race-softmax conditional logit by penalised maximum likelihood (penalty_k / 2 * b_k^2 per term),
 * Newton's method with step halving from `start`; the log-likelihood is concave, so it converges.
 */
export function fitConditionalLogit(
  data: readonly ConditionalLogitRace[],
  penalty: readonly number[],
  start: readonly number[],
): { coef: number[]; logLik: number } {
  const K = start.length;
  const evaluate = (b: readonly number[]): { value: number; grad: number[]; hess: number[][] } => {
    let value = 0;
    const grad = new Array<number>(K).fill(0);
    const hess = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    for (const { x, winner: w } of data) {
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
  let b = [...start];
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
  return { coef: b, logLik: cur.value };
}

/**
 * Maximum likelihood with a small ridge penalty (l2 on every coefficient but ln_market) over the
 * given terms (default: the base terms). Races where a runner lacks an input of an extended term are
 * left out of the fit; the caller fits the fallback on the base terms separately.
 */
export function fitRichBlend(
  races: readonly RichBlendRace[],
  l2 = 1,
  terms: readonly RichBlendTerm[] = RICH_BLEND_BASE_TERMS,
): { terms: { name: RichBlendTerm; coef: number }[]; logLik: number; races: number } {
  const usable = races.filter((r) => terms.every((t) => r.runners.every((u) => hasTermInputs(u, t))));
  const data = usable.map((r) => ({
    x: r.runners.map((u, i) => terms.map((t) => richBlendTerm(u, r.market[i] ?? 0, t))),
    winner: r.winner,
  }));
  const fit = fitConditionalLogit(
    data,
    terms.map((t) => (t === 'ln_market' ? 0 : l2)),
    terms.map((t) => (t === 'ln_market' ? 1 : 0)),
  );
  return {
    terms: terms.map((name, k) => ({ name, coef: fit.coef[k] as number })),
    logLik: fit.logLik,
    races: usable.length,
  };
}
