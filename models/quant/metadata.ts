import { readFileSync } from 'node:fs';
import { z } from 'zod';

const RaceMetricsSchema = z.object({
  races: z.number().int(),
  logLoss: z.number(),
  uniformLogLoss: z.number(),
  pseudoR2: z.number(),
});

export const IntervalBinSchema = z.object({
  lo: z.number(),
  hi: z.number(),
  n: z.number().int().min(0),
  meanPred: z.number().nullable(),
  observed: z.number().nullable(),
});
export type IntervalBin = z.infer<typeof IntervalBinSchema>;

const MemberSchema = z.object({
  name: z.string().min(1),
  onnxFile: z.string().min(1),
  input: z.string(),
  output: z.string(),
});
export type QuantMember = z.infer<typeof MemberSchema>;

/**
 * Written by models/training/train_quant.py beside the ONNX files: one member per ONNX graph (a
 * linear conditional logit and a LightGBM boosted conditional logit), combined by a log-linear pool,
 * p_i proportional to exp(sum_k weight_k * score_k,i) over the race.
 */
export const QuantModelMetadataSchema = z.object({
  kind: z.literal('quant-ensemble'),
  modelVersion: z.string().min(1),
  featureVersion: z.string().min(1),
  featureNames: z.array(z.string()).min(1),
  /** Speed-figure par times the features were built with (models/features/pars.ts), beside this file. */
  parsFile: z.string().min(1),
  members: z.array(MemberSchema).min(1),
  pool: z.object({
    kind: z.literal('log-linear'),
    weights: z.record(z.string(), z.number()),
    source: z.string(),
  }),
  trainUntilRaceId: z.number().int(),
  trainingRaces: z.number().int().positive(),
  trainingRunners: z.number().int().positive(),
  l2: z.number(),
  standardiser: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  /** Weights of the conditional-logit member on the standardised features: the explanation's contributions use them. */
  coefficients: z.array(z.number()),
  metrics: z.object({
    /** Null when the trainer was given no race at or after the cut (the walk-forward blocks). */
    heldOut: z
      .object({
        fromRaceId: z.number().int(),
        members: z.record(z.string(), RaceMetricsSchema),
        model: RaceMetricsSchema,
        market: RaceMetricsSchema.nullable(),
        note: z.string(),
      })
      .nullable(),
    crossFittedTraining: z.object({
      folds: z.number().int(),
      members: z.record(z.string(), RaceMetricsSchema),
      model: RaceMetricsSchema,
    }),
  }),
  intervalBins: z.object({ source: z.string(), bins: z.array(IntervalBinSchema).min(1) }),
  onnxParityMaxGap: z.number(),
  trainSeconds: z.number(),
});
export type QuantModelMetadata = z.infer<typeof QuantModelMetadataSchema>;

/** models/quant/current.json: which model the scorer loads by default. */
export const CurrentModelPointerSchema = z.object({
  modelVersion: z.string().min(1),
  metadataFile: z.string().min(1),
});

export class QuantModelError extends Error {
  override name = 'QuantModelError';
}

export function readJsonWith<S extends z.ZodType>(path: string, schema: S, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new QuantModelError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new QuantModelError(`${what} ${path} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export function loadQuantMetadata(path: string): QuantModelMetadata {
  const meta = readJsonWith(path, QuantModelMetadataSchema, 'quant model metadata');
  const f = meta.featureNames.length;
  if (
    meta.coefficients.length !== f ||
    meta.standardiser.mean.length !== f ||
    meta.standardiser.std.length !== f
  )
    throw new QuantModelError(
      `quant model metadata ${path}: coefficient/standardiser length differs from ${f} features`,
    );
  for (const m of meta.members)
    if (meta.pool.weights[m.name] === undefined)
      throw new QuantModelError(`quant model metadata ${path}: no pool weight for member ${m.name}`);
  return meta;
}
