import type { AgentInput, AgentOutput } from '../schemas/agent.js';
import type { SandboxKind } from '../schemas/agent-run.js';

/** What a sandbox executes: one strategy of the fusion library over one race. Plain JSON both ways. */
export interface AgentJob {
  strategy: string;
  input: AgentInput;
}

export interface RunContext {
  /** Aborted when Temporal cancels the activity or its timeout passes. */
  signal: AbortSignal;
  /** Called while waiting, so a stuck sandbox shows up as a missed heartbeat. */
  heartbeat: () => void;
}

export interface SandboxResult {
  output: AgentOutput;
  bundleHash?: string;
}

/** Where an agent runs. Every implementation must give bit-identical outputs for the same job. */
export interface SandboxRunner {
  readonly kind: SandboxKind;
  run(job: AgentJob, ctx: RunContext): Promise<SandboxResult>;
  close(): Promise<void>;
}

/** The agent broke a sandbox rule (file system, network, child process): retrying cannot help. */
export class SandboxPolicyViolation extends Error {
  override name = 'SandboxPolicyViolation';
}
/** The agent ran past its wall-clock limit and was killed: worth retrying. */
export class SandboxTimeout extends Error {
  override name = 'SandboxTimeout';
}
/** The sandbox itself failed (crash, out of memory, infrastructure): worth retrying. */
export class SandboxCrashed extends Error {
  override name = 'SandboxCrashed';
}
/** The sandbox provider refused our credentials (e.g. a wrong E2B_API_KEY): retrying cannot help. */
export class SandboxAuthError extends Error {
  override name = 'SandboxAuthError';
}
/**
 * The sandbox provider is temporarily unavailable (rate limit, 5xx, network): worth retrying.
 * A SandboxCrashed, so callers that retry crashes retry this too; its name tells the cause apart.
 */
export class SandboxUnavailable extends SandboxCrashed {
  override name = 'SandboxUnavailable';
}
