import { z } from 'zod';
import { AgentInputSchema, AgentOutputSchema, type AgentInput, type AgentRunnerInput } from './agent.js';
import type { QualOutput, QualRunner } from './qual.js';
import type { QuantOutput, QuantRunner } from './quant.js';

export const SANDBOX_KINDS = ['inline', 'process', 'e2b'] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

/** One agent activity's answer: the pure agent output plus where and how long it ran. */
export const AgentRunSchema = z.object({
  output: AgentOutputSchema,
  sandboxKind: z.enum(SANDBOX_KINDS),
  bundleHash: z.string().optional(),
  durationMs: z.number().min(0),
});
export type AgentRun = z.infer<typeof AgentRunSchema>;

export const AgentTaskSchema = z.object({
  strategy: z.string(),
  input: AgentInputSchema,
  /** 'default' lets the worker pick: its SANDBOX setting, E2B when a key is set, else the local process. */
  sandbox: z.enum([...SANDBOX_KINDS, 'default']),
  /** The artefact version pinned when the run was recorded; absent: the worker's current one. */
  calibrationVersion: z.string().optional(),
});
export type AgentTask = z.infer<typeof AgentTaskSchema>;

/** Joins quant and qual runners by horse id into the agents' per-runner input, in the quant order. */
export function joinAgentRunners(
  quant: readonly QuantRunner[],
  qual: readonly QualRunner[],
): AgentRunnerInput[] {
  const qualById = new Map(qual.map((r) => [r.horseId, r]));
  return quant.map((q) => {
    const l = qualById.get(q.horseId);
    if (!l) throw new Error(`qualitative output has no runner ${q.horseId}`);
    return {
      horseId: q.horseId,
      winProbBase: q.winProbBase,
      winProbLower: q.winProbLower,
      winProbUpper: q.winProbUpper,
      quantConfidence: q.confidence,
      lrProduct: l.lrProduct,
      chemistry: l.matrix.chemistry,
      distance: l.matrix.distance,
      weather: l.matrix.weather,
      qualConfidence: l.confidence,
      lrGroups: { ...l.lr },
      quantMembers: { ...q.modelScores },
    };
  });
}

/**
 * Joins the quant and qual outputs into the agents' input. Pure and deterministic, so the workflow can
 * build it once instead of shipping both outputs to each of fifteen activities.
 */
export function joinAgentInput(quant: QuantOutput, qual: QualOutput): AgentInput {
  return {
    raceId: quant.raceId,
    placesPaid: quant.placesPaid,
    calibrationGroup: quant.calibrationGroup,
    runners: joinAgentRunners(quant.runners, qual.runners),
  };
}
