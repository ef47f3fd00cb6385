import type { Db } from '../db/pool.js';
import type { CalibrationArtefacts } from '../agents/index.js';
import type { RunnerHistory } from '../schemas/history.js';
import type { QualOutput } from '../schemas/qual.js';
import type { QuantOutput } from '../schemas/quant.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { SandboxKind } from '../schemas/agent-run.js';
import type { SandboxRunner } from '../sandboxes/runner.js';

export type Histories = Map<string, RunnerHistory>;

/** The quantitative model as the activity sees it: one ONNX session, created once per worker. */
export interface QuantModel {
  readonly modelVersion: string;
  /** The full output; timingsMs.history is the caller's to fill in. */
  score(card: RaceCard, histories: Histories): Promise<QuantOutput>;
}

export type QualAnswer = Pick<QualOutput, 'runners' | 'source' | 'usage'>;

export interface EvidenceAnalyst {
  readonly version: string;
  analyse(card: RaceCard, histories: Histories): QualAnswer;
}

export interface LlmAnalyst {
  readonly model: string;
  analyse(card: RaceCard, histories: Histories, opts: { signal: AbortSignal }): Promise<QualAnswer>;
}

/** Test-only fault injection: lets integration tests prove that retries and degraded mode work. */
export interface AgentFaults {
  /** Throw a retryable error on these attempts (1-based) for matching strategies. */
  failAttempts?: { strategies: string[] | 'all'; attempts: number[] };
  /** Always fail these strategies (to push a race below quorum). */
  alwaysFail?: string[];
  /** Return output that breaks the schema for these strategies. */
  malformed?: string[];
}

export interface ActivityDeps {
  db: Db;
  quantModel: QuantModel;
  evidenceAnalyst: EvidenceAnalyst;
  llmAnalyst?: LlmAnalyst;
  /** Built lazily: a process pool or an E2B client costs nothing until a race asks for it. */
  sandbox: (kind: SandboxKind | 'default') => SandboxRunner;
  artefacts: CalibrationArtefacts | null;
  faults?: AgentFaults;
}
