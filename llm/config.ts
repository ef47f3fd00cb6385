import { inspect } from 'node:util';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { z } from 'zod';
import { LlmConfigurationError } from './errors.js';
import { STRUCTURED_OUTPUT_METHODS, type StructuredOutputMethod } from './structured-output.js';

export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';

/**
 * USD per million tokens (input, output) for the models we have priced. A model outside this table
 * needs LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK, so a run never reports a made-up cost;
 * a free local server sets both to 0.
 */
const KNOWN_PRICES: Readonly<Record<string, readonly [number, number]>> = {
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4o': [2.5, 10],
  'gpt-4.1-mini': [0.4, 1.6],
};

/** p-retry (inside LangChain) waits 1-2 s before its first retry and doubles after that. */
const RETRY_BACKOFF_ALLOWANCE_MS = 2000;
/** Time left after our deadline for the activity to turn the error into a failure before Temporal's timeout. */
export const ACTIVITY_SAFETY_MARGIN_MS = 1000;

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().min(1).optional());
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(emptyToUndefined, z.coerce.number().pipe(schema).optional());

const EnvSchema = z.object({
  OPENAI_API_KEY: optionalString,
  LLM_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  LLM_MODEL: z.preprocess(emptyToUndefined, z.string().trim().min(1).default(DEFAULT_LLM_MODEL)),
  LLM_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(60_000)),
  LLM_MAX_RETRIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(5).default(1)),
  LLM_TEMPERATURE: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(2).default(0)),
  LLM_PRICE_INPUT_PER_MTOK: optionalNumber(z.number().min(0)),
  LLM_PRICE_OUTPUT_PER_MTOK: optionalNumber(z.number().min(0)),
  LLM_STRUCTURED_OUTPUT: z.preprocess(
    emptyToUndefined,
    z.enum(STRUCTURED_OUTPUT_METHODS).default('tool-calling'),
  ),
  LLM_RUNNERS_PER_CALL: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(0)),
  LLM_CALIBRATION_FILE: optionalString,
});

export type LlmEnv = Readonly<Record<string, string | undefined>>;

/** True when the LLM analyst can be used: a key for the hosted API, or a compatible server's address. */
export function isLlmConfigured(env: LlmEnv): boolean {
  const set = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';
  return set(env.OPENAI_API_KEY) || set(env.LLM_BASE_URL);
}

export interface LlmConfigView {
  model: string;
  baseURL: string | undefined;
  apiKey: '[redacted]' | undefined;
  timeoutMs: number;
  maxRetries: number;
  temperature: number;
  priceInputPerMTok: number;
  priceOutputPerMTok: number;
  structuredOutput: StructuredOutputMethod;
  /** Runners per model call; 0 = the whole field in one call. */
  runnersPerCall: number;
  /** A fitted LLM calibration to use instead of the one models/llm holds for this model and prompt. */
  calibrationFile: string | undefined;
  activityStartToCloseMs: number;
  budgetMs: number;
}

/**
 * Validated LLM settings. The API key lives in a private field: it is not enumerable, JSON.stringify
 * and util.inspect show the redacted view, and only the adapter reads it through `revealApiKey()`.
 */
export class LlmConfig {
  readonly model: string;
  readonly baseURL: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly temperature: number;
  readonly priceInputPerMTok: number;
  readonly priceOutputPerMTok: number;
  readonly structuredOutput: StructuredOutputMethod;
  readonly runnersPerCall: number;
  readonly calibrationFile: string | undefined;
  readonly activityStartToCloseMs: number;
  readonly #apiKey: string | undefined;

  constructor(fields: Omit<LlmConfigView, 'apiKey' | 'budgetMs'> & { apiKey: string | undefined }) {
    this.model = fields.model;
    this.baseURL = fields.baseURL;
    this.timeoutMs = fields.timeoutMs;
    this.maxRetries = fields.maxRetries;
    this.temperature = fields.temperature;
    this.priceInputPerMTok = fields.priceInputPerMTok;
    this.priceOutputPerMTok = fields.priceOutputPerMTok;
    this.structuredOutput = fields.structuredOutput;
    this.runnersPerCall = fields.runnersPerCall;
    this.calibrationFile = fields.calibrationFile;
    this.activityStartToCloseMs = fields.activityStartToCloseMs;
    this.#apiKey = fields.apiKey;
    Object.freeze(this);
  }

  get hasApiKey(): boolean {
    return this.#apiKey !== undefined;
  }

  /** For the HTTP client only; never put the result in a log line, an error or a returned object. */
  revealApiKey(): string | undefined {
    return this.#apiKey;
  }

  /**
   * Longest time one `analyse` call may take, after which the analyst aborts with LlmTimeout: every
   * attempt LangChain makes at the per-request timeout plus its back-off, but never past the
   * activity's start-to-close timeout less a margin (a late retry is cut short rather than letting
   * Temporal time the activity out with no error type).
   */
  get budgetMs(): number {
    let backoff = 0;
    for (let i = 0; i < this.maxRetries; i++) backoff += RETRY_BACKOFF_ALLOWANCE_MS * 2 ** i;
    const natural = this.timeoutMs * (this.maxRetries + 1) + backoff;
    return Math.min(natural, this.activityStartToCloseMs - ACTIVITY_SAFETY_MARGIN_MS);
  }

  toJSON(): LlmConfigView {
    return {
      model: this.model,
      baseURL: this.baseURL,
      apiKey: this.#apiKey === undefined ? undefined : '[redacted]',
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      temperature: this.temperature,
      priceInputPerMTok: this.priceInputPerMTok,
      priceOutputPerMTok: this.priceOutputPerMTok,
      structuredOutput: this.structuredOutput,
      runnersPerCall: this.runnersPerCall,
      calibrationFile: this.calibrationFile,
      activityStartToCloseMs: this.activityStartToCloseMs,
      budgetMs: this.budgetMs,
    };
  }

  [inspect.custom](): LlmConfigView {
    return this.toJSON();
  }
}

export interface LoadLlmConfigOptions {
  /** The qual activity's startToCloseTimeout (ms or a Temporal duration string such as '90s'). */
  activityStartToClose: Duration;
}

/** Reads and checks the LLM settings; throws LlmConfigurationError (non-retryable) with every problem. */
export function loadLlmConfig(env: LlmEnv, opts: LoadLlmConfigOptions): LlmConfig {
  if (!isLlmConfigured(env))
    throw new LlmConfigurationError(
      'set OPENAI_API_KEY, or LLM_BASE_URL for a local OpenAI-compatible server',
    );
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new LlmConfigurationError(`invalid LLM settings: ${problems}`);
  }
  const e = parsed.data;
  const known = KNOWN_PRICES[e.LLM_MODEL];
  const priceIn = e.LLM_PRICE_INPUT_PER_MTOK ?? known?.[0];
  const priceOut = e.LLM_PRICE_OUTPUT_PER_MTOK ?? known?.[1];
  if (priceIn === undefined || priceOut === undefined)
    throw new LlmConfigurationError(
      `no price known for model ${e.LLM_MODEL}: set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK (0 for a free local server)`,
    );
  const config = new LlmConfig({
    apiKey: e.OPENAI_API_KEY,
    baseURL: e.LLM_BASE_URL,
    model: e.LLM_MODEL,
    timeoutMs: e.LLM_TIMEOUT_MS,
    maxRetries: e.LLM_MAX_RETRIES,
    temperature: e.LLM_TEMPERATURE,
    priceInputPerMTok: priceIn,
    priceOutputPerMTok: priceOut,
    structuredOutput: e.LLM_STRUCTURED_OUTPUT,
    runnersPerCall: e.LLM_RUNNERS_PER_CALL,
    calibrationFile: e.LLM_CALIBRATION_FILE,
    activityStartToCloseMs: startToCloseMs(opts.activityStartToClose),
  });
  // The LLM call must be able to give up before Temporal does, so the failure carries our error type.
  if (config.timeoutMs > config.activityStartToCloseMs - ACTIVITY_SAFETY_MARGIN_MS)
    throw new LlmConfigurationError(
      `LLM_TIMEOUT_MS ${config.timeoutMs} must stay at least ${ACTIVITY_SAFETY_MARGIN_MS} ms below ` +
        `the qual activity's start-to-close timeout ${config.activityStartToCloseMs} ms`,
    );
  return config;
}

function startToCloseMs(value: Duration): number {
  let ms: number;
  try {
    ms = msToNumber(value);
  } catch {
    ms = Number.NaN;
  }
  if (!(Number.isFinite(ms) && ms > 0))
    throw new LlmConfigurationError(
      `the qual activity's start-to-close timeout must be a positive duration, got ${String(value)}`,
    );
  return ms;
}

/** USD for one call at the configured prices. */
export function costUsd(config: LlmConfig, inputTokens: number, outputTokens: number): number {
  return (inputTokens * config.priceInputPerMTok + outputTokens * config.priceOutputPerMTok) / 1_000_000;
}
