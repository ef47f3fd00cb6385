import { z } from 'zod';

const Prob = z.number().min(0).max(1);

/**
 * What one fusion micro-agent receives: the race's quant and qual outputs joined per runner.
 * Plain JSON, so the same input runs inline, in a local process or in an E2B sandbox.
 */
export const AgentRunnerInputSchema = z.object({
  horseId: z.string(),
  winProbBase: Prob,
  winProbLower: Prob,
  winProbUpper: Prob,
  quantConfidence: Prob,
  lrProduct: z.number().positive(),
  chemistry: z.number(),
  distance: z.number(),
  weather: z.number(),
  qualConfidence: Prob,
  /**
   * Optional extras for the one-stage market blend (SPEC 6.4); the fusion strategies ignore them, and
   * inputs recorded before they existed still parse. lrGroups: the analyst's four group LRs
   * (QualRunner.lr); quantMembers: each quant ensemble member's win probability (QuantRunner.modelScores).
   */
  lrGroups: z
    .object({
      formFitness: z.number().positive(),
      conditions: z.number().positive(),
      tactics: z.number().positive(),
      context: z.number().positive(),
    })
    .optional(),
  quantMembers: z.record(z.string(), Prob).optional(),
});
export type AgentRunnerInput = z.infer<typeof AgentRunnerInputSchema>;

export const AgentInputSchema = z.object({
  raceId: z.string(),
  placesPaid: z.number().int().min(1).max(3),
  calibrationGroup: z.string(),
  runners: z.array(AgentRunnerInputSchema).min(2),
});
export type AgentInput = z.infer<typeof AgentInputSchema>;

export const AgentRunnerOutputSchema = z.object({
  horseId: z.string(),
  /** After the Bayesian update, matrix adjustments and field normalisation (SPEC 3, steps 1-4). */
  winProbFused: Prob,
  winProbCalibrated: Prob,
  placeProb: Prob,
  lower: Prob,
  upper: Prob,
  confidence: z.number().gt(0).max(1),
  flags: z.array(z.string()),
  reasoning: z.string().max(300),
});
export type AgentRunnerOutput = z.infer<typeof AgentRunnerOutputSchema>;

export const AgentOutputSchema = z.object({
  strategy: z.string(),
  parameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  calibratorVersion: z.string(),
  runners: z.array(AgentRunnerOutputSchema).min(2),
  timingsMs: z.object({ compute: z.number() }),
});
export type AgentOutput = z.infer<typeof AgentOutputSchema>;
