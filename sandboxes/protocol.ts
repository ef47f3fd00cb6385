import { z } from 'zod';

/**
 * The line protocol between a runner and the agent bundle, one JSON object per line:
 * runner -> bundle: first an init line `{artefacts}`, then jobs `{id, strategy, input}`;
 * bundle -> runner: `{ready, pid}` once initialised, then `{id, output}` or `{id, error}` per job.
 */
export const InitLineSchema = z.object({ artefacts: z.unknown().nullable() });

export const JobLineSchema = z.object({
  id: z.union([z.number(), z.string()]),
  strategy: z.string(),
  input: z.unknown(),
});
export type JobLine = z.infer<typeof JobLineSchema>;

export const ReplyLineSchema = z.union([
  z.object({ ready: z.literal(true), pid: z.number() }),
  z.object({ id: z.union([z.number(), z.string()]), output: z.unknown() }),
  z.object({
    id: z.union([z.number(), z.string()]),
    error: z.object({ type: z.string(), message: z.string() }),
  }),
]);
export type ReplyLine = z.infer<typeof ReplyLineSchema>;

/** Error type the bundle reports when a job broke a sandbox rule (permission model or network lock). */
export const POLICY_ERROR_TYPE = 'SandboxPolicyViolation';
/** Error code of the network lock installed by the harness. */
export const NETWORK_BLOCKED_CODE = 'ERR_SANDBOX_NETWORK_BLOCKED';
/** Codes that mean "the sandbox refused this", as opposed to a bug in the agent. */
export const POLICY_CODES: readonly string[] = ['ERR_ACCESS_DENIED', NETWORK_BLOCKED_CODE];

/** An agent error raised inside a sandbox, rebuilt in the worker with the same name and message as inline. */
export class RemoteAgentError extends Error {
  constructor(type: string, message: string) {
    super(message);
    this.name = type;
  }
}
