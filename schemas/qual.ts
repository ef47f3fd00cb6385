import { z } from 'zod';

/** Ranges from SPEC section 2: an analyst's answer outside them is clipped and flagged. */
export const LR_RANGE = [0.1, 10] as const;
export const LR_PRODUCT_RANGE = [0.01, 100] as const;
export const MATRIX_RANGES = {
  chemistry: [0.9, 1.15],
  distance: [-0.08, 0.1],
  weather: [-0.12, 0.08],
} as const;
export const LR_GROUPS = ['formFitness', 'conditions', 'tactics', 'context'] as const;
export type LrGroup = (typeof LR_GROUPS)[number];

const Lr = z.number().min(LR_RANGE[0]).max(LR_RANGE[1]);

export const QualRunnerSchema = z.object({
  horseId: z.string(),
  lr: z.object({ formFitness: Lr, conditions: Lr, tactics: Lr, context: Lr }),
  lrProduct: z.number().min(LR_PRODUCT_RANGE[0]).max(LR_PRODUCT_RANGE[1]),
  matrix: z.object({
    chemistry: z.number().min(MATRIX_RANGES.chemistry[0]).max(MATRIX_RANGES.chemistry[1]),
    distance: z.number().min(MATRIX_RANGES.distance[0]).max(MATRIX_RANGES.distance[1]),
    weather: z.number().min(MATRIX_RANGES.weather[0]).max(MATRIX_RANGES.weather[1]),
  }),
  confidence: z.number().min(0).max(1),
  keyStrengths: z.array(z.string().max(200)).max(5),
  keyConcerns: z.array(z.string().max(200)).max(5),
  narrative: z.string().max(300),
  /** e.g. 'lr-clipped:tactics' when the analyst's answer had to be clipped. */
  flags: z.array(z.string()),
});
export type QualRunner = z.infer<typeof QualRunnerSchema>;

export const QualSourceSchema = z.object({
  kind: z.enum(['evidence-model', 'llm']),
  model: z.string().optional(),
  promptVersion: z.string().optional(),
  evidenceVersion: z.string().optional(),
  /** LLM only: the calibration applied to its LRs (its version), or 'none: <why>' when the raw LRs were used. */
  calibration: z.string().optional(),
});

export const UsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
});
export type Usage = z.infer<typeof UsageSchema>;

export const QualOutputSchema = z.object({
  raceId: z.string(),
  runners: z.array(QualRunnerSchema).min(2),
  source: QualSourceSchema,
  usage: UsageSchema,
  /** Set when the LLM path failed and the evidence model answered instead. */
  fallbackReason: z.string().optional(),
  timingsMs: z.object({ total: z.number() }),
});
export type QualOutput = z.infer<typeof QualOutputSchema>;
