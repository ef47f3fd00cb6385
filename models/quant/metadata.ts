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

/** Written by models/training/train_quant.py beside each ONNX file. */
export const QuantModelMetadataSchema = z.object({
  kind: z.literal('quant-clogit'),
  modelVersion: z.string().min(1),
  featureVersion: z.string().min(1),
  featureNames: z.array(z.string()).min(1),
  onnxFile: z.string().min(1),
  input: z.string(),
  output: z.string(),
  trainUntilRaceId: z.number().int(),
  trainingRaces: z.number().int().positive(),
  trainingRunners: z.number().int().positive(),
  l2: z.number(),
  standardiser: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  /** Weights on the standardised features: the explanation's contributions use them. */
  coefficients: z.array(z.number()),
  metrics: z.object({
    heldOut: z.object({ fromRaceId: z.number().int(), model: RaceMetricsSchema, market: RaceMetricsSchema.nullable(), note: z.string() }),
    crossFittedTraining: z.object({ folds: z.number().int(), model: RaceMetricsSchema }),
  }),
  intervalBins: z.object({ source: z.string(), bins: z.array(IntervalBinSchema).min(1) }),
  onnxParityMaxGap: z.number(),
  trainSeconds: z.number(),
});
export type QuantModelMetadata = z.infer<typeof QuantModelMetadataSchema>;

/** models/quant/current.json: which model the scorer loads by default. */
export const CurrentModelPointerSchema = z.object({ modelVersion: z.string().min(1), metadataFile: z.string().min(1) });

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
  if (meta.coefficients.length !== f || meta.standardiser.mean.length !== f || meta.standardiser.std.length !== f)
    throw new QuantModelError(`quant model metadata ${path}: coefficient/standardiser length differs from ${f} features`);
  return meta;
}
