import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LlmConfig } from '../../llm/config.js';
import { PROMPT_VERSION } from '../../llm/prompt.js';
import { PROJECT_ROOT } from '../../config/env.js';
import { LR_GROUPS, LR_PRODUCT_RANGE, LR_RANGE, type LrGroup, type QualRunner } from '../../schemas/qual.js';

/**
 * How much an LLM analyst's likelihood ratios are worth, measured on outcomes: per evidence group a
 * slope b on ln(raw LR), so the LR used is raw^b. b = 0 makes the group neutral (LR 1), b = 1 takes
 * the model at its word. Fitted on one model and one prompt version; any other pair is refused.
 */
export const LlmCalibrationSchema = z.strictObject({
  kind: z.literal('llm-calibration'),
  version: z.string().min(1),
  model: z.string().min(1),
  promptVersion: z.string().min(1),
  fittedOn: z.strictObject({
    trainUntilRaceId: z.number().int(),
    racesAsked: z.number().int().min(0),
    racesUsed: z.number().int().min(0),
    runners: z.number().int().min(0),
  }),
  /** The L2 penalty towards 0 (in log-likelihood units per unit slope squared). */
  l2: z.number().min(0),
  slopes: z.record(z.enum(LR_GROUPS), z.number()),
  /** Standard errors from the penalised information matrix: how sure the fit is of each slope. */
  standardErrors: z.record(z.enum(LR_GROUPS), z.number().min(0)),
  /** Per-race log loss of the winner on the fitted races, fitted mapping vs. all neutral. */
  trainLogLoss: z.strictObject({ fitted: z.number(), neutral: z.number() }),
});
export type LlmCalibration = z.infer<typeof LlmCalibrationSchema>;

/** One answered race: the analyst's (range-clipped) LRs per runner and who won. */
export interface CalibrationRace {
  runners: { lr: Record<LrGroup, number>; won: boolean }[];
}

export const DEFAULT_L2 = 4;

/** Where LLM calibrations live, one file per model and prompt version. */
export const LLM_MODELS_DIR = path.join(PROJECT_ROOT, 'models', 'llm');

const clip = (x: number, [lo, hi]: readonly [number, number]): number => Math.min(hi, Math.max(lo, x));

function features(race: CalibrationRace): number[][] {
  return race.runners.map((r) => LR_GROUPS.map((g) => Math.log(clip(r.lr[g], LR_RANGE))));
}

/** Race-softmax (conditional logit) log likelihood of the winner, its gradient and Hessian in b. */
function likelihood(races: number[][][], winners: number[], b: number[]) {
  const k = b.length;
  let ll = 0;
  const grad = new Array<number>(k).fill(0);
  const hess = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  races.forEach((x, ri) => {
    const eta = x.map((row) => row.reduce((a, v, j) => a + v * b[j]!, 0));
    const m = Math.max(...eta);
    const w = eta.map((e) => Math.exp(e - m));
    const z = w.reduce((a, v) => a + v, 0);
    const p = w.map((v) => v / z);
    const win = winners[ri]!;
    ll += eta[win]! - m - Math.log(z);
    const mean = b.map((_, j) => x.reduce((a, row, i) => a + p[i]! * row[j]!, 0));
    for (let j = 0; j < k; j++) {
      grad[j] = grad[j]! + x[win]![j]! - mean[j]!;
      const row = hess[j]!;
      for (let l = 0; l < k; l++)
        row[l] = row[l]! - (x.reduce((a, r, i) => a + p[i]! * r[j]! * r[l]!, 0) - mean[j]! * mean[l]!);
    }
  });
  return { ll, grad, hess };
}

/** Solves A x = y by Gaussian elimination (A is small, symmetric, negative definite here). */
function solve(a: number[][], y: number[]): number[] {
  const n = y.length;
  const m = a.map((row, i) => [...row, y[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      const row = m[r]!;
      for (let k = c; k <= n; k++) row[k] = row[k]! - f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export interface FitLlmCalibrationOptions {
  model: string;
  promptVersion: string;
  trainUntilRaceId: number;
  racesAsked: number;
  l2?: number;
}

/**
 * Maximises the winners' race-softmax log likelihood of sum_g b_g ln LR_g minus l2/2 * sum b_g^2
 * (Newton's method; the penalty keeps it concave). Races without exactly one winner are left out.
 * With no information in the LRs the likelihood is flat in b and the penalty holds b at about 0.
 */
export function fitLlmCalibration(races: CalibrationRace[], opts: FitLlmCalibrationOptions): LlmCalibration {
  const l2 = opts.l2 ?? DEFAULT_L2;
  const used = races.filter((r) => r.runners.length >= 2 && r.runners.filter((x) => x.won).length === 1);
  const x = used.map(features);
  const winners = used.map((r) => r.runners.findIndex((x) => x.won));
  let b = LR_GROUPS.map(() => 0);
  for (let iter = 0; iter < 50; iter++) {
    const { grad, hess } = likelihood(x, winners, b);
    const g = grad.map((v, j) => v - l2 * b[j]!);
    const h = hess.map((row, j) => row.map((v, l) => v - (j === l ? l2 : 0)));
    const step = solve(h, g);
    b = b.map((v, j) => v - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  const { ll, hess } = likelihood(x, winners, b);
  const penalised = hess.map((row, j) => row.map((v, l) => v - (j === l ? l2 : 0)));
  const cov = LR_GROUPS.map((_, j) =>
    solve(
      penalised,
      LR_GROUPS.map((__, l) => (l === j ? -1 : 0)),
    ),
  );
  const neutral = x.reduce((a, race) => a + Math.log(race.length), 0);
  const n = Math.max(1, used.length);
  const round = (v: number): number => Math.round(v * 1e6) / 1e6;
  return {
    kind: 'llm-calibration',
    version: `llmcal-${opts.model}-${opts.promptVersion}-cut${opts.trainUntilRaceId}`,
    model: opts.model,
    promptVersion: opts.promptVersion,
    fittedOn: {
      trainUntilRaceId: opts.trainUntilRaceId,
      racesAsked: opts.racesAsked,
      racesUsed: used.length,
      runners: used.reduce((a, r) => a + r.runners.length, 0),
    },
    l2,
    slopes: Object.fromEntries(LR_GROUPS.map((g, j) => [g, round(b[j]!)])) as Record<LrGroup, number>,
    standardErrors: Object.fromEntries(
      LR_GROUPS.map((g, j) => [g, round(Math.sqrt(Math.max(0, cov[j]![j]!)))]),
    ) as Record<LrGroup, number>,
    trainLogLoss: { fitted: round(-ll / n), neutral: round(neutral / n) },
  };
}

/** The analyst's runners with each group's LR mapped through the fitted slope (raw^b) and the product recomputed. */
export function applyLlmCalibration(runners: QualRunner[], cal: LlmCalibration): QualRunner[] {
  return runners.map((r) => {
    const lr = { ...r.lr };
    for (const g of LR_GROUPS) lr[g] = clip(Math.exp((cal.slopes[g] ?? 0) * Math.log(r.lr[g])), LR_RANGE);
    const product = LR_GROUPS.reduce((a, g) => a * lr[g], 1);
    return { ...r, lr, lrProduct: clip(product, LR_PRODUCT_RANGE) };
  });
}

/** The file a fitted calibration for this model and prompt version is written to and looked up at. */
export function llmCalibrationFile(dir: string, model: string, promptVersion: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return path.join(dir, `calibration-${safe(model)}-${safe(promptVersion)}.json`);
}

export type LlmCalibrationChoice =
  | { kind: 'applied'; calibration: LlmCalibration }
  /** No artefact, or one for another model or prompt: the raw LRs are used and the reason recorded. */
  | { kind: 'none'; reason: string };

export class LlmCalibrationError extends Error {
  override name = 'LlmCalibrationError';
}

/**
 * The calibration to apply for this model and prompt version: the artefact at `file` if it matches,
 * otherwise none with the reason (a mismatched artefact is never applied: its slopes measured another
 * analyst). An unreadable or invalid file is an error, not a silent "none".
 */
export function chooseLlmCalibration(
  file: string,
  expected: { model: string; promptVersion: string },
): LlmCalibrationChoice {
  if (!existsSync(file)) return { kind: 'none', reason: `no calibration at ${file}` };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LlmCalibrationError(`cannot read LLM calibration ${file}: ${(err as Error).message}`);
  }
  const parsed = LlmCalibrationSchema.safeParse(raw);
  if (!parsed.success)
    throw new LlmCalibrationError(`LLM calibration ${file} is invalid: ${parsed.error.message}`);
  const cal = parsed.data;
  if (cal.model !== expected.model || cal.promptVersion !== expected.promptVersion)
    return {
      kind: 'none',
      reason: `refused ${cal.version}: fitted on ${cal.model}/${cal.promptVersion}, this analyst is ${expected.model}/${expected.promptVersion}`,
    };
  return { kind: 'applied', calibration: cal };
}

/**
 * The calibration for a configured analyst: LLM_CALIBRATION_FILE if set, else the file models/llm
 * holds for this model and the current prompt version. Either way it must match both.
 */
export function chooseCalibrationFor(
  config: Pick<LlmConfig, 'model' | 'calibrationFile'>,
): LlmCalibrationChoice {
  const file = config.calibrationFile ?? llmCalibrationFile(LLM_MODELS_DIR, config.model, PROMPT_VERSION);
  return chooseLlmCalibration(file, { model: config.model, promptVersion: PROMPT_VERSION });
}
