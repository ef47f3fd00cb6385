import { z } from 'zod';
import { LR_GROUPS, LR_PRODUCT_RANGE, LR_RANGE, MATRIX_RANGES, activeRunners } from '../schemas/index.js';
import type { QualRunner, RaceCard } from '../schemas/index.js';
import { LlmInvalidAnswer } from './errors.js';

const MatrixAnswerSchema = z.strictObject({
  chemistry: z.number().describe(`in [${MATRIX_RANGES.chemistry[0]}, ${MATRIX_RANGES.chemistry[1]}]`),
  distance: z.number().describe(`in [${MATRIX_RANGES.distance[0]}, ${MATRIX_RANGES.distance[1]}]`),
  weather: z.number().describe(`in [${MATRIX_RANGES.weather[0]}, ${MATRIX_RANGES.weather[1]}]`),
});

/** What the model is asked to write: the four LRs per runner, nothing else (see llm/prompt.ts: tokens are time). */
export const LlmRunnerAnswerSchema = z.strictObject({
  horseId: z.string().describe('the horseId exactly as given in the race card'),
  lr: z
    .strictObject({
      formFitness: z.number(),
      conditions: z.number(),
      tactics: z.number(),
      context: z.number(),
    })
    .describe(
      `likelihood ratios P(evidence | wins) / P(evidence | loses), each in [${LR_RANGE[0]}, ${LR_RANGE[1]}]`,
    ),
});

/**
 * What we accept back. Deliberately loose: numbers carry no bounds and lists no lengths, so an
 * out-of-range answer reaches us and is clipped and flagged instead of failing the whole race. The
 * matrix, confidence and text are not asked for (prompt v3) but a model that volunteers them is
 * read; without them they are neutral.
 */
export const LlmAnswerSchema = z.strictObject({
  runners: z.array(
    LlmRunnerAnswerSchema.extend({
      matrix: MatrixAnswerSchema.optional(),
      confidence: z.number().describe('in [0, 1]').optional(),
      keyStrengths: z.array(z.string()).optional(),
      keyConcerns: z.array(z.string()).optional(),
      narrative: z.string().optional(),
    }),
  ),
});
export type LlmAnswer = z.infer<typeof LlmAnswerSchema>;

/** Confidence when the answer gives none: the calibration, not the model, says how much its LRs count. */
const NEUTRAL_CONFIDENCE = 0.5;
const MAX_LIST = 5;
const MAX_PHRASE = 200;
const MAX_NARRATIVE = 300;

export interface InterpretedAnswer {
  runners: QualRunner[];
  /** Race-level flags: 'llm-absurd' when the answer as a whole cannot be a real judgement. */
  flags: string[];
  /** Why the answer was judged absurd, for the log and the explanation. */
  absurdReasons: string[];
}

function clip(value: number, [lo, hi]: readonly [number, number]): { value: number; clipped: boolean } {
  if (value < lo) return { value: lo, clipped: true };
  if (value > hi) return { value: hi, clipped: true };
  return { value, clipped: false };
}

function truncateList(items: string[], flags: string[], name: string): string[] {
  const phrases = items.map((s) => s.trim()).filter((s) => s.length > 0);
  if (phrases.length > MAX_LIST || phrases.some((s) => s.length > MAX_PHRASE))
    flags.push(`${name}-truncated`);
  return phrases.slice(0, MAX_LIST).map((s) => s.slice(0, MAX_PHRASE));
}

function checkCoverage(card: RaceCard, answer: LlmAnswer): void {
  const expected = new Set(activeRunners(card).map((r) => r.horseId));
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  for (const r of answer.runners) {
    if (!expected.has(r.horseId)) unknown.push(r.horseId);
    else if (seen.has(r.horseId)) duplicated.push(r.horseId);
    seen.add(r.horseId);
  }
  const missing = [...expected].filter((id) => !seen.has(id));
  const problems = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    unknown.length ? `unknown or scratched ${unknown.join(', ')}` : '',
    duplicated.length ? `duplicated ${duplicated.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length)
    throw new LlmInvalidAnswer(`the answer must cover exactly the active runners: ${problems.join('; ')}`);
}

function checkFinite(answer: LlmAnswer): void {
  for (const r of answer.runners) {
    const numbers = { ...r.lr, ...r.matrix, confidence: r.confidence ?? NEUTRAL_CONFIDENCE };
    const bad = Object.entries(numbers).filter(([, v]) => !Number.isFinite(v));
    if (bad.length)
      throw new LlmInvalidAnswer(`non-finite ${bad.map(([k]) => k).join(', ')} for ${r.horseId}`);
  }
}

/**
 * Turns a schema-valid answer into QualRunners in card order: exact coverage and finite numbers are
 * required (LlmInvalidAnswer otherwise); everything out of range is clipped and flagged per runner.
 */
export function interpretAnswer(card: RaceCard, answer: LlmAnswer): InterpretedAnswer {
  checkCoverage(card, answer);
  checkFinite(answer);
  const byId = new Map(answer.runners.map((r) => [r.horseId, r]));
  let valuesSeen = 0;
  let valuesClipped = 0;
  let allLrsAtBounds = true;
  const rawProducts: number[] = [];

  const runners = activeRunners(card).map((cardRunner): QualRunner => {
    const a = byId.get(cardRunner.horseId);
    if (!a) throw new LlmInvalidAnswer(`no answer for ${cardRunner.horseId}`);
    const flags: string[] = [];
    const lr = { formFitness: 1, conditions: 1, tactics: 1, context: 1 };
    let rawProduct = 1;
    for (const group of LR_GROUPS) {
      const raw = a.lr[group];
      if (!(raw <= LR_RANGE[0] || raw >= LR_RANGE[1])) allLrsAtBounds = false;
      rawProduct *= raw;
      const c = clip(raw, LR_RANGE);
      lr[group] = c.value;
      valuesSeen++;
      if (c.clipped) {
        valuesClipped++;
        flags.push(`lr-clipped:${group}`);
      }
    }
    rawProducts.push(rawProduct);
    const product = clip(lr.formFitness * lr.conditions * lr.tactics * lr.context, LR_PRODUCT_RANGE);
    if (product.clipped) flags.push('lr-product-clipped');

    const matrix = { chemistry: 1, distance: 0, weather: 0 };
    for (const key of ['chemistry', 'distance', 'weather'] as const) {
      const c = clip(a.matrix?.[key] ?? matrix[key], MATRIX_RANGES[key]);
      matrix[key] = c.value;
      valuesSeen++;
      if (c.clipped) {
        valuesClipped++;
        flags.push(`matrix-clipped:${key}`);
      }
    }
    const confidence = clip(a.confidence ?? NEUTRAL_CONFIDENCE, [0, 1]);
    if (confidence.clipped) flags.push('confidence-clipped');
    const narrative = (a.narrative ?? '').trim();
    if (narrative.length > MAX_NARRATIVE) flags.push('narrative-truncated');

    return {
      horseId: cardRunner.horseId,
      lr,
      lrProduct: product.value,
      matrix,
      confidence: confidence.value,
      keyStrengths: truncateList(a.keyStrengths ?? [], flags, 'strengths'),
      keyConcerns: truncateList(a.keyConcerns ?? [], flags, 'concerns'),
      narrative: narrative.slice(0, MAX_NARRATIVE),
      flags,
    };
  });

  const absurdReasons: string[] = [];
  if (allLrsAtBounds) absurdReasons.push(`every LR at ${LR_RANGE[0]} or ${LR_RANGE[1]}`);
  // Evidence cannot favour (or condemn) the whole field tenfold: the field's LRs must average about 1.
  if (rawProducts.every((p) => p >= 10)) absurdReasons.push('every runner favoured tenfold or more');
  if (rawProducts.every((p) => p <= 0.1)) absurdReasons.push('every runner condemned tenfold or more');
  if (valuesClipped * 2 > valuesSeen)
    absurdReasons.push(`${valuesClipped} of ${valuesSeen} numbers out of range`);
  const flags = absurdReasons.length ? ['llm-absurd'] : [];
  // QualOutput has no race-level flags, so the race flag also travels on every runner.
  if (flags.length) for (const r of runners) r.flags.push(...flags);
  return { runners, flags, absurdReasons };
}

/** Validates the parsed answer at our edge too: an injected chat model may not have run LangChain's parser. */
export function parseAnswer(value: unknown): LlmAnswer {
  const r = LlmAnswerSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LlmInvalidAnswer(`the answer does not match the schema: ${first.join('; ')}`);
  }
  return r.data;
}
