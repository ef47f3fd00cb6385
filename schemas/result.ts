import { z } from 'zod';
import { QualSourceSchema, UsageSchema } from './qual.js';
import { ActivityPlanSchema } from './activity-placement.js';

const Prob = z.number().min(0).max(1);

/** SPEC 6.5 pricing, the same for a runner and for a betting interest. */
const PRICE_FIELDS = {
  fairOdds: z.number().positive(),
  marketWinOdds: z.number().optional(),
  marketProb: Prob.optional(),
  edge: z.number().optional(),
  kellyFraction: z.number().min(0).optional(),
  stake: z.number().min(0).optional(),
};

export const PricedRunnerSchema = z.object({
  horseId: z.string(),
  horseNo: z.string(),
  /** The betting interest this runner is priced in (equal to horseNo unless coupled). */
  bettingInterest: z.string().optional(),
  horseName: z.string().optional(),
  winProbBase: Prob,
  lrProduct: z.number(),
  /** Confidence-weighted consensus of the kept agents. */
  winProbModel: Prob,
  /** After the market blend (equal to winProbModel when no blend applies). */
  winProbFinal: Prob,
  placeProb: Prob,
  lower: Prob,
  upper: Prob,
  confidence: Prob,
  consensusScore: Prob,
  ...PRICE_FIELDS,
  flags: z.array(z.string()),
});
export type PricedRunner = z.infer<typeof PricedRunnerSchema>;

/**
 * One betting interest (a runner, or a coupled entry of several): what a bettor can actually back.
 * Its probabilities are the sums over its members; market probability and pricing are per interest.
 */
export const PricedInterestSchema = z.object({
  bettingInterest: z.string(),
  horseIds: z.array(z.string()).min(1),
  winProbFinal: Prob,
  /** Sum of the members' place probabilities (members can both place). */
  expectedPlaces: z.number().min(0),
  ...PRICE_FIELDS,
});
export type PricedInterest = z.infer<typeof PricedInterestSchema>;

export const AgentFailureSchema = z.object({
  strategy: z.string(),
  errorType: z.string(),
  message: z.string(),
});
export type AgentFailure = z.infer<typeof AgentFailureSchema>;

export const SynthesisSummarySchema = z.object({
  quorum: z.number().int(),
  agentsSucceeded: z.number().int(),
  agentsFailed: z.array(AgentFailureSchema),
  outlierAgents: z.array(z.string()),
  droppedValues: z.number().int(),
  consensusScore: z.number(),
  effectiveEstimates: z.number(),
  marketBlend: z.object({ alpha: z.number(), beta: z.number(), version: z.string() }).nullable(),
  /** The one-stage market blend's coefficients by term, when it gave the final probabilities. */
  richBlend: z.object({ terms: z.record(z.string(), z.number()), version: z.string() }).optional(),
});

export const RaceResultSchema = z.object({
  raceId: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  degraded: z.boolean(),
  placesPaid: z.number().int(),
  runners: z.array(PricedRunnerSchema),
  /** Per betting interest; results stored before coupled entries existed have none. */
  interests: z.array(PricedInterestSchema).optional(),
  synthesis: SynthesisSummarySchema,
  explanation: z.object({
    topQualitativeFactors: z.array(z.string()),
    topQuantitativeFeatures: z.array(z.string()),
    summary: z.string(),
  }),
  provenance: z.object({
    modelVersion: z.string(),
    /** The calibration artefact (and market blend) every agent and the synthesis used. */
    calibrationVersion: z.string(),
    featureVersion: z.string(),
    calibratorVersions: z.record(z.string(), z.string()),
    qualSource: z.string(),
    promptVersion: z.string().optional(),
    qualFallbackReason: z.string().optional(),
    /** Which analyst answered (model, prompt version) and what its answer cost, as the qual activity reported it. */
    qualAnalysis: z.object({ source: QualSourceSchema, usage: UsageSchema }).optional(),
    sandboxKind: z.string(),
    bundleHash: z.string().optional(),
    /** Which stages ran as local and which as remote activities (schemas/activity-placement.ts). */
    activityPlan: ActivityPlanSchema.optional(),
  }),
  timingsMs: z.record(z.string(), z.number()),
  usage: UsageSchema.extend({ sandboxSeconds: z.number().min(0) }),
});
export type RaceResult = z.infer<typeof RaceResultSchema>;
