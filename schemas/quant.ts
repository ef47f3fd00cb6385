import { z } from 'zod';

const Prob = z.number().min(0).max(1);

export const QuantRunnerSchema = z.object({
  horseId: z.string(),
  winProbBase: Prob,
  placeProbBase: Prob,
  winProbLower: Prob,
  winProbUpper: Prob,
  placeProbLower: Prob,
  placeProbUpper: Prob,
  /** Each ensemble member's win probability, by model name. */
  modelScores: z.record(z.string(), Prob),
  topFeatures: z.array(z.object({ name: z.string(), value: z.number(), contribution: z.number() })).max(10),
  confidence: Prob,
});
export type QuantRunner = z.infer<typeof QuantRunnerSchema>;

export const QuantOutputSchema = z.object({
  raceId: z.string(),
  placesPaid: z.number().int().min(1).max(3),
  runners: z.array(QuantRunnerSchema).min(2),
  modelVersion: z.string(),
  featureVersion: z.string(),
  calibrationGroup: z.string(),
  timingsMs: z.object({ history: z.number(), features: z.number(), inference: z.number() }),
});
export type QuantOutput = z.infer<typeof QuantOutputSchema>;
