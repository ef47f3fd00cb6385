import type { RaceClient } from '../client/index.js';
import type { Db } from '../db/pool.js';
import type { ApiKey } from './auth.js';
import type { BookReader } from './book.js';

/** What the web server needs; the CLI builds it from a session, tests from the integration stack. */
export interface WebDeps {
  client: RaceClient;
  db: Db;
  namespace: string;
  keys: readonly ApiKey[];
  /** The book; absent until the process is wired to one (the book routes then answer 503). */
  book?: BookReader;
  /** Prometheus text of the engine's counters (the in-process worker's), served at /metrics. */
  metrics?: { expose(): string };
  /** The Temporal UI, for links to each run. */
  temporalUiUrl?: string;
  /** Requests per key (per client address without a key) in each window. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Fastify's logger (off in tests). */
  logger?: boolean;
}
