import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CalibrationArtefactsSchema, type CalibrationArtefacts } from '../agents/index.js';
import { resolvePolicy } from '../book/policies.js';
import type { ActivityDeps, EvidenceAnalyst, LlmAnalyst } from '../activities/ports.js';
import { defaultSandboxKind, llmSettings, raceDefaults, type Env } from '../config/env.js';
import { createPool } from '../db/pool.js';
import { analyseWithEvidenceModel, loadEvidenceArtefact } from '../models/qual/index.js';
import { createLlmAnalyst } from '../llm/analyst.js';
import { isLlmConfigured, loadLlmConfig } from '../llm/config.js';
import { chooseCalibrationFor } from '../models/llm/calibration.js';
import { ACTIVITY_OPTIONS } from '../workflows/activity-options.js';
import { QuantScorer } from '../models/quant/scorer.js';
import { createSandboxFactory } from '../sandboxes/index.js';
import { sandboxBuilders } from '../sandboxes/builders.js';
import { createCalibrationStore } from '../db/calibration-store.js';

const PointerSchema = (raw: unknown, file: string): string => {
  const f = (raw as { file?: unknown }).file;
  if (typeof f !== 'string') throw new Error(`${file} must name the current artefact as {"file": "..."}`);
  return f;
};

/** The calibration artefact models/artefacts/current.json points at; null (identity calibration) when none is fitted. */
export function loadCalibrationArtefacts(modelsDir: string): CalibrationArtefacts | null {
  const pointer = path.join(modelsDir, 'artefacts', 'current.json');
  if (!existsSync(pointer)) return null;
  const file = path.join(
    modelsDir,
    'artefacts',
    PointerSchema(JSON.parse(readFileSync(pointer, 'utf8')), pointer),
  );
  return CalibrationArtefactsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function loadEvidenceAnalyst(modelsDir: string): EvidenceAnalyst {
  const pointer = path.join(modelsDir, 'qual', 'current.json');
  const file = path.join(
    modelsDir,
    'qual',
    PointerSchema(JSON.parse(readFileSync(pointer, 'utf8')), pointer),
  );
  const artefact = loadEvidenceArtefact(file);
  return {
    version: artefact.version,
    analyse: (card, histories) => ({
      runners: analyseWithEvidenceModel(card, histories, artefact),
      source: { kind: 'evidence-model', evidenceVersion: artefact.version },
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    }),
  };
}

export function loadLlmAnalyst(env: Record<string, string | undefined>): LlmAnalyst | undefined {
  if (!isLlmConfigured(env)) return undefined;
  const config = loadLlmConfig(env, { activityStartToClose: ACTIVITY_OPTIONS.qual.startToCloseTimeout });
  const analyst = createLlmAnalyst({ config, calibration: chooseCalibrationFor(config) });
  return {
    model: config.model,
    analyse: async (card, histories, { signal }) => {
      const a = await analyst.analyse(card, histories, { signal });
      // Race-level findings (e.g. 'llm-absurd') travel on every runner so synthesis and the table show them.
      const runners = a.runners.map((r) => ({ ...r, flags: [...new Set([...r.flags, ...a.flags])] }));
      return { runners, source: a.source, usage: a.usage };
    },
  };
}

export interface WorkerDeps extends ActivityDeps {
  close(): Promise<void>;
}

/** Everything the activities need, loaded once per worker: ONNX session, artefacts, pools, analysts. */
export async function buildActivityDeps(
  env: Env,
  databaseUrl: string,
  /** LLM settings that win over env's: the local model server a stack started (Stack.llmEnv), a test's stub. */
  extras: { llmOverrides?: Record<string, string | undefined> } = {},
): Promise<WorkerDeps> {
  const db = createPool(databaseUrl, 20);
  const quantModel = await QuantScorer.load();
  const calibration = createCalibrationStore(db, loadCalibrationArtefacts(env.MODELS_DIR));
  const defaultSandbox = defaultSandboxKind(env);
  const sandbox = createSandboxFactory({
    defaultKind: defaultSandbox,
    builders: sandboxBuilders(env),
  });
  return {
    db,
    quantModel,
    evidenceAnalyst: loadEvidenceAnalyst(env.MODELS_DIR),
    llmAnalyst: loadLlmAnalyst({ ...llmSettings(env), ...extras.llmOverrides }),
    sandbox,
    defaultSandbox,
    calibration,
    raceDefaults: raceDefaults(env),
    bookPolicy: resolvePolicy(env.BOOK_POLICY),
    async close() {
      await sandbox.closeAll();
      await quantModel.release();
      await db.end();
    },
  };
}
