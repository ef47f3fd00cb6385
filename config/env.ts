import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../schemas/constants.js';

/** The project root, whatever the caller's working directory. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

const Bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const Int = (d: number) => z.coerce.number().int().default(d);

/**
 * Every setting the system reads, validated once. `.env.example` lists the same names.
 * Secrets are kept here only so they can be checked at start-up; they are never passed to workflows.
 */
export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default(DEFAULT_NAMESPACE),
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  TEMPORAL_UI_PORT: Int(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  /** When false, commands never start the embedded Temporal/PostgreSQL stack themselves. */
  EMBEDDED_STACK: Bool.default(true),
  DATA_DIR: z.string().default(path.join(PROJECT_ROOT, 'data')),
  DATABASE_URL: z.string().optional(),
  EMBEDDED_PG_PORT: Int(54329),
  MODELS_DIR: z.string().default(path.join(PROJECT_ROOT, 'models')),
  SANDBOX: z.enum(['inline', 'process', 'e2b']).optional(),
  E2B_API_KEY: z.string().optional(),
  E2B_TEMPLATE: z.string().default('base'),
  OPENAI_API_KEY: z.string().optional(),
  LLM_BASE_URL: z.string().optional(),
  LLM_MODEL: z.string().optional(),
  /** Start the local model server (`npm run setup:llm`) with the stack and point the LLM analyst at it. */
  LLM_LOCAL: Bool.default(false),
  /** Its port; 0 picks a free one. */
  LLM_LOCAL_PORT: Int(0),
  QUORUM: Int(10),
  KELLY_FRACTION: z.coerce.number().min(0).max(1).default(0.25),
  MIN_EDGE: z.coerce.number().min(0).default(0.05),
  /** The paper book's staking policy: a name from book/policies.ts or a policy as JSON. */
  BOOK_POLICY: z.string().default('kelly-quarter'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: Int(64),
  /** The HTTP API and pages (`npm run web`). */
  WEB_PORT: Int(3000),
  WEB_HOST: z.string().default('127.0.0.1'),
  /** Comma-separated SHA-256 hex digests of the API keys; a bare digest reads and writes, `<digest>:read` only reads. */
  API_KEYS: z.string().optional(),
  /** API requests per key per minute. */
  WEB_RATE_LIMIT: Int(120),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  HK_DATA_DIR: z.string().default(path.join(PROJECT_ROOT, '..', 'shared', 'data', 'hkracing')),
  ALERT_WEBHOOK_URL: z.url().optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where both metrics endpoints listen; 0.0.0.0 so a container's port mapping reaches them. */
  METRICS_HOST: z.string().default('0.0.0.0'),
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
