import type { Policy } from '../book/policies.js';
import type { Db } from '../db/pool.js';
import type { RunnerHistory } from '../schemas/history.js';
import type { QualOutput } from '../schemas/qual.js';
import type { QuantOutput } from '../schemas/quant.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { SandboxKind } from '../schemas/agent-run.js';
import type { ArtefactsRef } from '../sandboxes/index.js';
import type { SandboxRunner } from '../sandboxes/runner.js';
import type { CalibrationStore } from '../db/calibration-store.js';

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
  /** Every agent attempt takes this much longer (heartbeating meanwhile), so tests can act mid-flight. */
  delayMs?: number;
  /**
   * Fail this fraction of agent attempts with a retryable error, chosen deterministically by a seeded
   * hash of (seed, race, strategy, attempt): see `injectedFailureDecides` in activities/agent.ts.
   */
  failRate?: { rate: number; seed?: string };
  /** Hang without heartbeating on these attempts (1-based), so the heartbeat timeout has to rescue them. */
  hangAttempts?: { strategies: string[] | 'all'; attempts: number[] };
}

export interface ActivityDeps {
  db: Db;
  quantModel: QuantModel;
  evidenceAnalyst: EvidenceAnalyst;
  llmAnalyst?: LlmAnalyst;
  /** Built lazily: a process pool or an E2B client costs nothing until a race asks for it. */
  sandbox: (kind: SandboxKind | 'default', calibration: ArtefactsRef) => SandboxRunner;
  /** Calibration artefacts by version: the shipped file, or the latest promoted by recalibration. */
  calibration: CalibrationStore;
  faults?: AgentFaults;
  /** The paper book's staking policy (BOOK_POLICY); the default policy when absent. */
  bookPolicy?: Policy;
  /** Alert delivery; default from ALERT_WEBHOOK_URL (see activities/notifier.ts). */
  notifier?: Notifier;
}

/** Where alerts go: a webhook when ALERT_WEBHOOK_URL is set, the log otherwise; tests plug in their own. */
export interface Notifier {
  readonly kind: string;
  notify(alert: { key: string; severity: string; message: string; [k: string]: unknown }): Promise<void>;
}
