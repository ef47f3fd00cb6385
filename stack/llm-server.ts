import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config/env.js';
import { freePort } from './net.js';
import { ownProcess } from './owned-process.js';

/** Written by `npm run setup:llm` (scripts/setup-llm.mjs): where the venv's Python and the weights are. */
export const LOCAL_LLM_MANIFEST = path.join(PROJECT_ROOT, '.tools', 'llm', 'manifest.json');

const ManifestSchema = z.object({
  python: z.string().min(1),
  model: z.string().min(1),
  modelAlias: z.string().min(1),
  serverVersion: z.string().min(1),
});
export type LocalLlmManifest = z.infer<typeof ManifestSchema>;

/**
 * The context the prompt is written for (llm/prompt.ts keeps a 14-runner race inside it). One thread:
 * on a shared 2-core machine a second thread made prompt reading slower, not faster.
 */
export const LOCAL_LLM_CONTEXT = 2048;
const LOCAL_LLM_THREADS = 1;
/** Loading the 98 MB model takes about 5 s; a loaded machine gets ample slack. */
const READY_TIMEOUT_MS = 120_000;
/** Per request, inside the qual activity's 300 s start-to-close timeout. */
export const LOCAL_LLM_TIMEOUT_MS = 240_000;
/** Runners per call on the local server: a 14-runner field in one call fits LOCAL_LLM_CONTEXT. */
export const LOCAL_LLM_RUNNERS_PER_CALL = 14;

export class LocalLlmUnavailable extends Error {
  override name = 'LocalLlmUnavailable';
}

/** The manifest, or undefined when `npm run setup:llm` has not been run (or its files have gone). */
export function readLocalLlmManifest(file = LOCAL_LLM_MANIFEST): LocalLlmManifest | undefined {
  if (!existsSync(file)) return undefined;
  const manifest = ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return existsSync(manifest.python) && existsSync(manifest.model) ? manifest : undefined;
}

export interface LocalLlmServer {
  /** OpenAI-compatible API root, e.g. http://127.0.0.1:18300/v1. */
  baseURL: string;
  /** The name the server answers to (the `model` field of a request). */
  model: string;
  stop(): Promise<void>;
}

export interface LocalLlmServerOptions {
  /** 0 or undefined: a free port chosen now. */
  port?: number;
  logFile: string;
  manifest?: LocalLlmManifest;
}

async function serves(baseURL: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseURL}/models`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts llama-cpp-python's OpenAI-compatible server on the local model and waits until it answers
 * /v1/models (the weights are loaded by then). chatml-function-calling is the chat format that
 * honours a forced tool call; JSON mode with a schema works with it too.
 */
export async function startLocalLlmServer(opts: LocalLlmServerOptions): Promise<LocalLlmServer> {
  const manifest = opts.manifest ?? readLocalLlmManifest();
  if (!manifest)
    throw new LocalLlmUnavailable(
      'LLM_LOCAL=true but the local model server is not installed: run `npm run setup:llm` first',
    );
  const port = opts.port || (await freePort());
  const baseURL = `http://127.0.0.1:${port}/v1`;
  if (await serves(baseURL))
    throw new LocalLlmUnavailable(
      `something already answers at ${baseURL}; set LLM_LOCAL_PORT to a free port`,
    );
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = openSync(opts.logFile, 'a');
  const args = [
    '-m',
    'llama_cpp.server',
    '--model',
    manifest.model,
    '--model_alias',
    manifest.modelAlias,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--n_ctx',
    String(LOCAL_LLM_CONTEXT),
    '--n_threads',
    String(LOCAL_LLM_THREADS),
    '--chat_format',
    'chatml-function-calling',
  ];
  const child = spawn(manifest.python, args, { stdio: ['ignore', log, log] });
  const owned = ownProcess(child);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await serves(baseURL))) {
    if (owned.exited)
      throw new LocalLlmUnavailable(`the local model server exited at start; see ${opts.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalLlmUnavailable(
        `the local model server did not answer at ${baseURL} within ${READY_TIMEOUT_MS} ms; see ${opts.logFile}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseURL,
    model: manifest.modelAlias,
    stop: () => owned.stop(),
  };
}

/**
 * The LLM settings that point the engine at a started local server. The server's address and name
 * always win; prices and the structured-output method only fill in what the caller left unset
 * (the server is free, and it constrains JSON mode with the schema).
 */
export function localLlmEnv(
  server: Pick<LocalLlmServer, 'baseURL' | 'model'>,
  env: Record<string, string | undefined>,
) {
  const unset = (key: string): boolean => (env[key] ?? '').trim() === '';
  return {
    LLM_BASE_URL: server.baseURL,
    LLM_MODEL: server.model,
    ...(unset('LLM_PRICE_INPUT_PER_MTOK') ? { LLM_PRICE_INPUT_PER_MTOK: '0' } : {}),
    ...(unset('LLM_PRICE_OUTPUT_PER_MTOK') ? { LLM_PRICE_OUTPUT_PER_MTOK: '0' } : {}),
    ...(unset('LLM_STRUCTURED_OUTPUT') ? { LLM_STRUCTURED_OUTPUT: 'json-mode' } : {}),
    // Prompt v3 puts a 14-runner HK field in one call of about 1,050-1,150 prompt and 500-650 answer
    // tokens (inside 2048); a larger field is split so that each call still fits.
    ...(unset('LLM_RUNNERS_PER_CALL') ? { LLM_RUNNERS_PER_CALL: String(LOCAL_LLM_RUNNERS_PER_CALL) } : {}),
    // A retry inside the call would only repeat a slow answer: Temporal's attempt decides instead.
    ...(unset('LLM_TIMEOUT_MS') ? { LLM_TIMEOUT_MS: String(LOCAL_LLM_TIMEOUT_MS) } : {}),
    ...(unset('LLM_MAX_RETRIES') ? { LLM_MAX_RETRIES: '0' } : {}),
  };
}
