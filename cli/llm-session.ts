import path from 'node:path';
import { loadEnv } from '../config/env.js';
import { createLlmAnalyst, type LlmAnalyst } from '../llm/analyst.js';
import { loadLlmConfig, type LlmConfig } from '../llm/config.js';
import { chooseCalibrationFor } from '../models/llm/calibration.js';
import { localLlmEnv, startLocalLlmServer } from '../stack/llm-server.js';

/** Long enough for a 14-runner field on a loaded machine: a CLI run has no activity timeout to keep inside. */
const CLI_CALL_BUDGET_MS = 600_000;

export interface CliLlm {
  config: LlmConfig;
  /** Uncalibrated unless asked: the raw answers are what a calibration is fitted on. */
  analyst: LlmAnalyst;
  /** The calibration applied (its version), 'none' when refused, 'raw' when not asked: it names answer caches. */
  calibrationLabel: string;
  stop(): Promise<void>;
}

/**
 * The LLM for a command-line run: the local model server started for it with LLM_LOCAL=true (and
 * stopped by `stop`), otherwise whatever LLM_BASE_URL / OPENAI_API_KEY point at; with `calibrated`,
 * its LRs go through the fitted calibration for this model and prompt, like the worker's.
 */
export async function openCliLlm(
  log: (line: string) => void,
  opts: { calibrated: boolean },
): Promise<CliLlm> {
  const env = loadEnv();
  let llmEnv: NodeJS.ProcessEnv = process.env;
  let stop = async (): Promise<void> => {};
  if (env.LLM_LOCAL) {
    const server = await startLocalLlmServer({
      port: env.LLM_LOCAL_PORT,
      logFile: path.join(env.DATA_DIR, 'logs', 'llm-server.log'),
    });
    log(`started the local model server (${server.model}) at ${server.baseURL}`);
    llmEnv = { ...process.env, ...localLlmEnv(server, process.env) };
    stop = () => server.stop();
  }
  try {
    const config = loadLlmConfig(llmEnv, { activityStartToClose: CLI_CALL_BUDGET_MS });
    const calibration = opts.calibrated ? chooseCalibrationFor(config) : undefined;
    if (calibration)
      log(
        `LLM calibration: ${calibration.kind === 'applied' ? calibration.calibration.version : `none (${calibration.reason})`}`,
      );
    const calibrationLabel =
      calibration === undefined
        ? 'raw'
        : calibration.kind === 'applied'
          ? calibration.calibration.version
          : 'none';
    return { config, analyst: createLlmAnalyst({ config, calibration }), calibrationLabel, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
