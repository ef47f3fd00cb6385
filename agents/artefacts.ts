import { z } from 'zod';

/**
 * The versioned calibration artefact (SPEC 5): written by cli/fit-calibration.ts, read by the agents.
 * Everything is fitted on training races only; `fittedOn` records which.
 */

const Finite = z.number().refine(Number.isFinite, 'must be finite');
const Prob = z.number().min(0).max(1);

/** Isotonic step function as PAV block knots (x = mean pre-calibration p, y = win rate), x ascending. */
export const IsotonicSchema = z
  .object({ x: z.array(Prob).min(1), y: z.array(Prob).min(1) })
  .refine((v) => v.x.length === v.y.length, 'x and y need the same length')
  .refine((v) => v.x.every((x, i) => i === 0 || x >= (v.x[i - 1] ?? 0)), 'x must be ascending')
  .refine((v) => v.y.every((y, i) => i === 0 || y >= (v.y[i - 1] ?? 0)), 'y must be non-decreasing');
export type Isotonic = z.infer<typeof IsotonicSchema>;

/** Bin edges over pre-calibration p with runner and winner counts, for the Jeffreys credible interval. */
export const BinCountsSchema = z
  .object({
    edges: z.array(Prob).min(2),
    n: z.array(z.number().int().min(0)),
    k: z.array(z.number().int().min(0)),
  })
  .refine((v) => v.n.length === v.edges.length - 1 && v.k.length === v.n.length, 'one count per bin')
  .refine((v) => v.k.every((k, i) => k <= (v.n[i] ?? 0)), 'winners cannot exceed runners');
export type BinCounts = z.infer<typeof BinCountsSchema>;

/** Split-conformal scores: |logit(group win rate) - logit(group mean prediction)|, sorted ascending. */
export const ConformalSchema = z.object({
  groupSize: z.number().int().positive(),
  scores: z.array(z.number().min(0)).min(1),
});
export type Conformal = z.infer<typeof ConformalSchema>;

/** Percentile band of isotonic calibrators refitted on race resamples, tabulated on a grid of pre-calibration p. */
export const BootstrapSchema = z
  .object({
    resamples: z.number().int().positive(),
    coverage: z.number().gt(0).lt(1),
    grid: z.array(Prob).min(1),
    lower: z.array(Prob),
    upper: z.array(Prob),
  })
  .refine(
    (v) => v.lower.length === v.grid.length && v.upper.length === v.grid.length,
    'one band per grid point',
  );
export type Bootstrap = z.infer<typeof BootstrapSchema>;

export const GroupCalibrationSchema = z.object({
  races: z.number().int().min(0),
  runners: z.number().int().min(0),
  isotonic: IsotonicSchema,
  temperature: z.object({ tau: z.number().positive() }),
  platt: z.object({ a: Finite, b: Finite }),
  bins: BinCountsSchema.optional(),
  conformal: ConformalSchema.optional(),
  bootstrap: BootstrapSchema.optional(),
});
export type GroupCalibration = z.infer<typeof GroupCalibrationSchema>;

export const HarvilleLambdasSchema = z.object({
  lambda2: z.number().positive(),
  lambda3: z.number().positive(),
  /** False when no training race had a finishing order and the SPEC defaults were kept. */
  fitted: z.boolean(),
  races: z.number().int().min(0),
});
export type HarvilleLambdas = z.infer<typeof HarvilleLambdasSchema>;

export const MarketBlendSchema = z.object({ alpha: Finite, beta: Finite, races: z.number().int().min(0) });
export type MarketBlend = z.infer<typeof MarketBlendSchema>;

/**
 * The one-stage blend (SPEC 6.4, agents/fit/rich-blend.ts): coefficients on named terms computed from
 * the agents' input and the market; when present it gives the final probabilities instead of the
 * two-stage blend.
 */
/** The one-stage blend's terms: the base set (default) and the extras read from optional agent-input fields. */
export const RICH_BLEND_BASE_TERMS = [
  'ln_market',
  'ln_market_sq',
  'ln_quant',
  'ln_lr',
  'ln_chemistry',
  'distance',
  'weather',
] as const;
/** Terms that read the optional AgentRunnerInput extras (lrGroups, quantMembers). */
export const RICH_BLEND_EXTENDED_TERMS = [
  'ln_lr_form',
  'ln_lr_conditions',
  'ln_lr_tactics',
  'ln_lr_context',
  'ln_clogit',
  'ln_lgbm',
] as const;
const RichBlendTermsSchema = z.array(
  z.object({ name: z.enum([...RICH_BLEND_BASE_TERMS, ...RICH_BLEND_EXTENDED_TERMS]), coef: Finite }),
);
const BaseTermsSchema = z.array(z.object({ name: z.enum(RICH_BLEND_BASE_TERMS), coef: Finite }));
const isExtended = (name: string): boolean => (RICH_BLEND_EXTENDED_TERMS as readonly string[]).includes(name);

/**
 * How the stacked second stage (agents/fit/stacked.ts) chose its terms and penalty: time-blocked CV on
 * the training races, one row per candidate and ridge penalty, log loss per race and the paired
 * difference against the reference (market-only) candidate.
 */
export const StackedCvSchema = z.object({
  folds: z.number().int().positive(),
  races: z.number().int().min(0),
  reference: z.string(),
  table: z.array(
    z.object({
      candidate: z.string(),
      l2: z.number().min(0),
      logLoss: Finite,
      deltaVsReference: Finite,
      pairedSE: z.number().min(0),
    }),
  ),
});
export type StackedCv = z.infer<typeof StackedCvSchema>;

export const RichBlendSchema = z
  .object({
    kind: z.literal('conditional-logit'),
    terms: RichBlendTermsSchema,
    races: z.number().int().min(0),
    l2: z.number().min(0),
    /** Where the fitted model inputs came from (they must be out-of-sample for the training races). */
    source: z.string(),
    /**
     * Base terms only, fitted on the same races: used for a race where a runner lacks an input an
     * extended term needs (agents' inputs recorded before lrGroups/quantMembers existed).
     */
    fallback: z.object({ terms: BaseTermsSchema, races: z.number().int().min(0) }).optional(),
    /** Set when the blend is the CV-chosen stacked stage: its choice, each term's SE and the CV table. */
    stacked: z
      .object({
        candidate: z.string(),
        se: z.record(z.string(), z.number().min(0)),
        cv: StackedCvSchema,
      })
      .optional(),
  })
  .refine(
    (b) => b.fallback !== undefined || !b.terms.some((t) => isExtended(t.name)),
    'a blend with extended terms needs a base-term fallback',
  );
export type RichBlend = z.infer<typeof RichBlendSchema>;

export const DEFAULT_GROUP = 'default';

export const CalibrationArtefactsSchema = z
  .object({
    version: z.string().min(1),
    fittedOn: z.object({
      fromRaceId: z.string().optional(),
      untilRaceId: z.string(),
      races: z.number().int().min(0),
    }),
    /** strategy name -> calibration group -> calibrators; every strategy has a "default" group. */
    strategies: z.record(z.string(), z.record(z.string(), GroupCalibrationSchema)),
    harville: HarvilleLambdasSchema,
    marketBlend: MarketBlendSchema.nullable(),
    richBlend: RichBlendSchema.optional(),
  })
  .refine(
    (a) => Object.values(a.strategies).every((groups) => DEFAULT_GROUP in groups),
    'every strategy needs a "default" calibration group',
  );
export type CalibrationArtefacts = z.infer<typeof CalibrationArtefactsSchema>;
