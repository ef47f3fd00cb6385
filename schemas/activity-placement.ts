import { z } from 'zod';
import type { SandboxKind } from './agent-run.js';

/**
 * Where each stage of a race runs. A remote activity costs one workflow task round trip through the
 * server (about 7-10 ms on the tuned dev server, stack/temporal-server-tuning.ts; 50 ms untuned); a
 * local activity runs on the worker that holds the workflow task and reports in the same task (about
 * 1-5 ms). What local activities give up: no heartbeats (a hang is ended by the start-to-close timeout
 * instead of the heartbeat timeout), no pending-activity view in the UI, and they are retried by the
 * workflow task (a worker crash re-runs every unfinished local activity of that task on the next
 * worker). So only short stages with their own time limit run locally.
 */
export const ACTIVITY_PLACEMENTS = ['auto', 'remote'] as const;
export const PlacementModeSchema = z.enum(ACTIVITY_PLACEMENTS);
export type PlacementMode = z.infer<typeof PlacementModeSchema>;

export const STAGE_PLACEMENTS = ['local', 'remote'] as const;
const Placement = z.enum(STAGE_PLACEMENTS);

/** The plan a run used, recorded in its result's provenance. */
export const ActivityPlanSchema = z.object({
  mode: PlacementModeSchema,
  record: Placement,
  quant: Placement,
  qual: Placement,
  agents: Placement,
  synthesis: Placement,
  persist: Placement,
});
export type ActivityPlan = z.infer<typeof ActivityPlanSchema>;

/** What the worker resolved the run's 'default' sandbox and 'auto' analyst to (recordRun reports it). */
export interface ResolvedRun {
  sandbox: SandboxKind;
  qual: 'evidence' | 'llm';
}

/**
 * 'auto': local for the stages that take milliseconds and need no heartbeat (record, quant, the evidence
 * model, agents in the inline or process sandbox, which kills a job past its own 10 s limit, synthesis,
 * persist); remote for the LLM analyst (minutes, heartbeats tell slow from dead) and E2B agents (a
 * cloud sandbox per call, heartbeats while it runs). 'remote': every stage a remote activity, as before.
 */
export function planActivities(mode: PlacementMode, resolved: ResolvedRun): ActivityPlan {
  if (mode === 'remote')
    return {
      mode,
      record: 'remote',
      quant: 'remote',
      qual: 'remote',
      agents: 'remote',
      synthesis: 'remote',
      persist: 'remote',
    };
  return {
    mode,
    record: 'local',
    quant: 'local',
    qual: resolved.qual === 'llm' ? 'remote' : 'local',
    agents: resolved.sandbox === 'e2b' ? 'remote' : 'local',
    synthesis: 'local',
    persist: 'local',
  };
}
