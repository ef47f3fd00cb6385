import { z } from 'zod';
import { PlacementModeSchema } from './activity-placement.js';
import { SANDBOX_KINDS } from './agent-run.js';
import { RaceCardSchema } from './race-card.js';

/** Per-race choices a caller (CLI, SDK, Temporal UI, schedule) may make; unset means the worker's default. */
export const RaceOptionsSchema = z.strictObject({
  sandbox: z.enum([...SANDBOX_KINDS, 'default']).default('default'),
  qual: z.enum(['auto', 'evidence', 'llm']).default('auto'),
  /** Unset: the worker's QUORUM, KELLY_FRACTION and MIN_EDGE (config/defaults.ts when those are unset too). */
  quorum: z.number().int().min(1).max(15).optional(),
  kellyFraction: z.number().min(0).max(1).optional(),
  minEdge: z.number().min(0).max(10).optional(),
  /** 'sequential' runs the fifteen agents one after another: only for measuring what parallelism buys. */
  agentExecution: z.enum(['parallel', 'sequential']).default('parallel'),
  /** 'auto' runs the short stages as local activities; 'remote' makes every stage a remote activity. */
  placement: PlacementModeSchema.default('auto'),
});
export type RaceOptions = z.infer<typeof RaceOptionsSchema>;

export const RaceWorkflowInputSchema = z.strictObject({
  card: RaceCardSchema,
  options: RaceOptionsSchema.default(RaceOptionsSchema.parse({})),
});
export type RaceWorkflowInput = z.input<typeof RaceWorkflowInputSchema>;

/** Readable one-line-per-problem text for a failed parse: what the user sees in the UI and on stderr. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 20)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
