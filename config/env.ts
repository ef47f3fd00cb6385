import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../schemas/constants.js';
import { DEFAULTS, type RaceDefaults } from './defaults.js';

/** The project root, whatever the caller's working directory. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

const Bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const Port = z.coerce.number().int().min(0).max(65535);
const fromRoot = (relative: string) => path.join(PROJECT_ROOT, relative);
/** An address to listen on: an IP or a host name, nothing with a scheme or a port. */
const BindHost = z.union([z.ipv4(), z.ipv6(), z.hostname()], {
  error: 'expected an IP address or a host name to listen on',
});
/** Text the LLM client checks itself (llm/config.ts owns those rules); read here with everything else. */
const LlmText = z.string().optional();

/**
 * Every setting the system reads, validated once. `.env.example` lists the same names.
 * Secrets are kept here only so they can be checked at start-up; they are never passed to workflows.
 */
export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default(DEFAULTS.temporalAddress),
  TEMPORAL_NAMESPACE: z.string().default(DEFAULT_NAMESPACE),
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  TEMPORAL_UI_PORT: Port.default(DEFAULTS.temporalUiPort),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().optional(),
  /** TLS to the server with the system's root CAs (config/temporal-connection.ts turns these into options). */
  TEMPORAL_TLS: Bool.optional(),
  /** mTLS: the client certificate and its key (PEM files); one without the other is refused. */
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  /** The server's root CA (PEM), for a cluster whose certificate the system does not trust. */
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  /** The name the server's certificate is checked against (SNI) when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** A Temporal Cloud API key, sent as a bearer token; turns TLS on unless TEMPORAL_TLS=false. Never logged. */
  TEMPORAL_API_KEY: z.string().optional(),
  /** When false, commands never start the embedded Temporal/PostgreSQL stack themselves. */
  EMBEDDED_STACK: Bool.default(true),
  DATA_DIR: z.string().default(fromRoot(DEFAULTS.dataDir)),
  DATABASE_URL: z.string().optional(),
  /** Integration tests create a fresh database per test file on this server instead of an embedded one. */
  TEST_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_PG_PORT: Port.default(DEFAULTS.embeddedPgPort),
  MODELS_DIR: z.string().default(fromRoot(DEFAULTS.modelsDir)),
  SANDBOX: z.enum(['inline', 'process', 'e2b']).optional(),
  E2B_API_KEY: z.string().optional(),
  E2B_TEMPLATE: z.string().default(DEFAULTS.e2bTemplate),
  OPENAI_API_KEY: z.string().optional(),
  LLM_BASE_URL: LlmText,
  LLM_MODEL: LlmText,
  LLM_TIMEOUT_MS: LlmText,
  LLM_MAX_RETRIES: LlmText,
  LLM_TEMPERATURE: LlmText,
  LLM_PRICE_INPUT_PER_MTOK: LlmText,
  LLM_PRICE_OUTPUT_PER_MTOK: LlmText,
  LLM_STRUCTURED_OUTPUT: LlmText,
  LLM_RUNNERS_PER_CALL: LlmText,
  /** Start the local model server (`npm run setup:llm`) with the stack and point the LLM analyst at it. */
  LLM_LOCAL: Bool.default(false),
  /** Its port; 0 picks a free one. */
  LLM_LOCAL_PORT: Port.default(0),
  /** What a race runs with when its options leave them unset (the worker's synthesis activity applies them). */
  QUORUM: z.coerce.number().int().min(1).max(15).default(DEFAULTS.race.quorum),
  KELLY_FRACTION: z.coerce.number().min(0).max(1).default(DEFAULTS.race.kellyFraction),
  MIN_EDGE: z.coerce.number().min(0).max(10).default(DEFAULTS.race.minEdge),
  /** The paper book's staking policy: a name from book/policies.ts or a policy as JSON. */
  BOOK_POLICY: z.string().default(DEFAULTS.bookPolicy),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULTS.workerMaxConcurrentActivities),
  /** The HTTP API and pages (`npm run web`). */
  WEB_PORT: Port.default(DEFAULTS.webPort),
  WEB_HOST: BindHost.default(DEFAULTS.webHost),
  /** Comma-separated SHA-256 hex digests of the API keys; a bare digest reads and writes, `<digest>:read` only reads. */
  API_KEYS: z.string().optional(),
  /** API requests per key per minute. */
  WEB_RATE_LIMIT: z.coerce.number().int().min(1).default(DEFAULTS.webRateLimit),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default(DEFAULTS.logLevel),
  HK_DATA_DIR: z.string().trim().min(1).default(fromRoot(DEFAULTS.hkDataDir)),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  METRICS_PORT: Port.optional(),
  TEMPORAL_METRICS_PORT: Port.optional(),
  /** Where both metrics endpoints listen; the image sets 0.0.0.0 so a container's port mapping reaches them. */
  METRICS_HOST: BindHost.default(DEFAULTS.metricsHost),
});
export type Env = z.infer<typeof EnvSchema>;

/** Empty strings count as unset, as in most .env tooling. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Sandbox kind when a race does not ask for one: E2B when a key is set, else the local isolated process. */
export function defaultSandboxKind(env: Env): 'inline' | 'process' | 'e2b' {
  return env.SANDBOX ?? (env.E2B_API_KEY ? 'e2b' : 'process');
}

/** The race settings a run falls back to when its options leave them unset. */
export const raceDefaults = (env: Env): RaceDefaults => ({
  quorum: env.QUORUM,
  kellyFraction: env.KELLY_FRACTION,
  minEdge: env.MIN_EDGE,
});

const LLM_KEYS = [
  'OPENAI_API_KEY',
  'LLM_BASE_URL',
  'LLM_MODEL',
  'LLM_TIMEOUT_MS',
  'LLM_MAX_RETRIES',
  'LLM_TEMPERATURE',
  'LLM_PRICE_INPUT_PER_MTOK',
  'LLM_PRICE_OUTPUT_PER_MTOK',
  'LLM_STRUCTURED_OUTPUT',
  'LLM_RUNNERS_PER_CALL',
] as const satisfies readonly (keyof Env)[];

/** The LLM settings as text, the way llm/config.ts reads and checks them. */
export function llmSettings(env: Env): Record<string, string | undefined> {
  return Object.fromEntries(LLM_KEYS.map((k) => [k, env[k]]));
}

/** LOG_LEVEL as the Temporal runtime's logger spells it. */
const RUNTIME_LOG_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;
export const runtimeLogLevel = (env: Pick<Env, 'LOG_LEVEL'>) => RUNTIME_LOG_LEVEL[env.LOG_LEVEL];
