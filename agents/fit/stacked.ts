import { RICH_BLEND_BASE_TERMS, RICH_BLEND_EXTENDED_TERMS, type StackedCv } from '../artefacts.js';
import {
  fitConditionalLogit,
  fitRichBlend,
  hasTermInputs,
  richBlendTerm,
  type RichBlendRace,
  type RichBlendTerm,
} from './rich-blend.js';

/**
 * The stacked second stage (the design notes' meta-ensemble, SPEC 6.4 "richer blend"): one
 * conditional logit over the quant members' log-probabilities, the qualitative log-LR of each evidence
 * group and the market's log-probability, fitted on cross-fitted (out-of-sample) scores of the
 * training races. Which terms and which ridge penalty are chosen by time-blocked cross-validation on
 * those training races only: the scored races never reach the choice.
 *
 * Candidates run from the market alone (so the stage can always fall back to "trust the market") to
 * the full stack with the race-context terms; the per-group LR coefficients are the fitted weights of
 * the evidence groups in the final probabilities.
 */
export interface StackedCandidate {
  name: string;
  terms: readonly RichBlendTerm[];
}

const STACK: RichBlendTerm[] = ['ln_market', 'ln_market_sq', ...RICH_BLEND_EXTENDED_TERMS];

export const STACKED_CANDIDATES: readonly StackedCandidate[] = [
  { name: 'market', terms: ['ln_market', 'ln_market_sq'] },
  { name: 'base', terms: RICH_BLEND_BASE_TERMS },
  { name: 'members', terms: ['ln_market', 'ln_market_sq', 'ln_clogit', 'ln_lgbm'] },
  { name: 'stack', terms: STACK },
  { name: 'stack-context', terms: [...STACK, 'ln_chemistry', 'distance', 'weather'] },
];

/** Ridge penalties tried per candidate (per coefficient, ln_market unpenalised). */
export const STACKED_L2 = [1, 10, 100] as const;

export interface StackedFit {
  choice: { candidate: string; l2: number };
  terms: { name: RichBlendTerm; coef: number; se: number }[];
  races: number;
  cv: StackedCv;
}

const rows = (r: RichBlendRace, terms: readonly RichBlendTerm[]): number[][] =>
  r.runners.map((u, i) => terms.map((t) => richBlendTerm(u, r.market[i] ?? 0, t)));

/** -ln p_winner of one race under fitted coefficients. */
function raceLogLoss(x: readonly (readonly number[])[], winner: number, coef: readonly number[]): number {
  const s = x.map((row) => row.reduce((a, v, k) => a + v * (coef[k] as number), 0));
  const max = Math.max(...s);
  const z = s.reduce((a, v) => a + Math.exp(v - max), 0);
  return max + Math.log(z) - (s[winner] as number);
}

const penaltyOf = (terms: readonly RichBlendTerm[], l2: number): number[] =>
  terms.map((t) => (t === 'ln_market' ? 0 : l2));
const startOf = (terms: readonly RichBlendTerm[]): number[] => terms.map((t) => (t === 'ln_market' ? 1 : 0));

/** Inverse of a small symmetric positive-definite matrix (Gauss-Jordan with pivoting). */
function invert(m: readonly (readonly number[])[]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]!;
    for (let k = 0; k < 2 * n; k++) a[c]![k]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let k = 0; k < 2 * n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/** Standard errors from the penalised information matrix at the fitted coefficients. */
function standardErrors(
  data: readonly { x: readonly (readonly number[])[]; winner: number }[],
  coef: readonly number[],
  penalty: readonly number[],
): number[] {
  const K = coef.length;
  const info = Array.from({ length: K }, (_, j) =>
    Array.from({ length: K }, (_, k) => (j === k ? penalty[j]! : 0)),
  );
  for (const { x } of data) {
    const s = x.map((row) => row.reduce((a, v, k) => a + v * (coef[k] as number), 0));
    const max = Math.max(...s);
    const e = s.map((v) => Math.exp(v - max));
    const z = e.reduce((a, v) => a + v, 0);
    const mean = new Array<number>(K).fill(0);
    x.forEach((row, i) => row.forEach((v, k) => (mean[k]! += (e[i]! / z) * v)));
    x.forEach((row, i) => {
      const p = e[i]! / z;
      for (let j = 0; j < K; j++)
        for (let k = 0; k < K; k++) info[j]![k]! += p * (row[j]! - mean[j]!) * (row[k]! - mean[k]!);
    });
  }
  const cov = invert(info);
  return cov.map((row, k) => Math.sqrt(Math.max(0, row[k] as number)));
}

export interface StackedOptions {
  folds: number;
  candidates?: readonly StackedCandidate[];
  l2?: readonly number[];
}

/**
 * Chooses the stage's terms and penalty by time-blocked CV (races in race order, `folds` contiguous
 * blocks, each scored by a fit on the other blocks), then refits the choice on every race. Every
 * candidate is scored on the same races (those with every term's inputs), so their CV log losses
 * compare; each row also carries its paired difference against the market-only candidate.
 */
export function fitStackedStage(races: readonly RichBlendRace[], opts: StackedOptions): StackedFit {
  const candidates = opts.candidates ?? STACKED_CANDIDATES;
  const l2s = opts.l2 ?? STACKED_L2;
  const usable = races.filter((r) =>
    candidates.every((c) => c.terms.every((t) => r.runners.every((u) => hasTermInputs(u, t)))),
  );
  if (usable.length < opts.folds * 10)
    throw new Error(`the stacked stage needs at least ${opts.folds * 10} usable races, got ${usable.length}`);
  const blockOf = (j: number): number =>
    Math.min(opts.folds - 1, Math.floor((j * opts.folds) / usable.length));
  const perRace = new Map<string, number[]>();
  for (const c of candidates) {
    const data = usable.map((r) => ({ x: rows(r, c.terms), winner: r.winner }));
    for (const l2 of l2s) {
      const losses = new Array<number>(data.length).fill(0);
      for (let k = 0; k < opts.folds; k++) {
        const fit = fitConditionalLogit(
          data.filter((_, j) => blockOf(j) !== k),
          penaltyOf(c.terms, l2),
          startOf(c.terms),
        );
        data.forEach((d, j) => {
          if (blockOf(j) === k) losses[j] = raceLogLoss(d.x, d.winner, fit.coef);
        });
      }
      perRace.set(`${c.name}|${l2}`, losses);
    }
  }
  const reference = candidates[0]!;
  const refLosses = perRace.get(`${reference.name}|${l2s[0]}`)!;
  const n = usable.length;
  const table = candidates.flatMap((c) =>
    l2s.map((l2) => {
      const losses = perRace.get(`${c.name}|${l2}`)!;
      const diff = losses.map((v, j) => v - (refLosses[j] as number));
      const mean = diff.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(diff.reduce((a, d) => a + (d - mean) ** 2, 0) / Math.max(1, n - 1));
      return {
        candidate: c.name,
        l2,
        logLoss: losses.reduce((a, b) => a + b, 0) / n,
        deltaVsReference: mean,
        pairedSE: sd / Math.sqrt(n),
      };
    }),
  );
  const best = table.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  const chosen = candidates.find((c) => c.name === best.candidate)!;
  const all = races.filter((r) => chosen.terms.every((t) => r.runners.every((u) => hasTermInputs(u, t))));
  const data = all.map((r) => ({ x: rows(r, chosen.terms), winner: r.winner }));
  const penalty = penaltyOf(chosen.terms, best.l2);
  const fit = fitRichBlend(all, best.l2, chosen.terms);
  const se = standardErrors(
    data,
    fit.terms.map((t) => t.coef),
    penalty,
  );
  return {
    choice: { candidate: chosen.name, l2: best.l2 },
    terms: fit.terms.map((t, k) => ({ ...t, se: se[k] as number })),
    races: fit.races,
    cv: { folds: opts.folds, races: n, reference: reference.name, table },
  };
}
