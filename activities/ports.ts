import type { Policy } from '../book/policies.js';
import type { RaceDefaults } from '../config/defaults.js';
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

export interface ActivityDeps {
  db: Db;
  quantModel: QuantModel;
  evidenceAnalyst: EvidenceAnalyst;
  llmAnalyst?: LlmAnalyst;
  /** Built lazily: a process pool or an E2B client costs nothing until a race asks for it. */
  sandbox: (kind: SandboxKind | 'default', calibration: ArtefactsRef) => SandboxRunner;
  /** What 'default' means on this worker (SANDBOX, else E2B with a key, else process); absent: unknown. */
  defaultSandbox?: SandboxKind;
  /** Calibration artefacts by version: the shipped file, or the latest promoted by recalibration. */
  calibration: CalibrationStore;
  /** Quorum, Kelly fraction and minimum edge for races whose options leave them unset (QUORUM, ...). */
  raceDefaults?: RaceDefaults;
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
