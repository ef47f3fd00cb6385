import path from 'node:path';
import { Connection } from '@temporalio/client';
import { migrate } from '../db/migrate.js';
import { llmSettings, type Env } from '../config/env.js';
import {
  connectTemporal,
  temporalConnection,
  type TemporalConnectOptions,
  type TemporalConnection,
} from '../config/temporal-connection.js';
import { SEARCH_ATTRIBUTES } from '../schemas/constants.js';
import { canConnect, splitAddress } from './net.js';
import { startEmbeddedPostgres } from './postgres.js';
import { localLlmEnv, startLocalLlmServer } from './llm-server.js';
import { startTemporalDevServer } from './temporal-dev-server.js';

export interface Stack {
  /** The server (its `address`) and how to reach it (TLS, API key): every client and worker connects with its connectOptions(). */
  temporal: TemporalConnection;
  databaseUrl: string;
  /** Set when this process started the dev server with its UI. */
  uiUrl?: string;
  startedTemporal: boolean;
  startedPostgres: boolean;
  /** With LLM_LOCAL: the LLM settings pointing at the model server this stack started. */
  llmEnv?: Record<string, string>;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export class StackUnavailable extends Error {
  override name = 'StackUnavailable';
}

const INDEXED_VALUE_TYPE: Record<string, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/**
 * Registers search attributes without listing first: the time-skipping test server implements only this
 * call of the operator service.
 */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: [string, string][] = Object.entries(SEARCH_ATTRIBUTES),
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(attributes.map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]!])),
  });
}

/**
 * Registers any of our search attributes the server lacks. The dev server registers them at first start,
 * but a SQLite file from an older version of the project, or an external cluster, may miss newer ones;
 * a workflow that sets an unregistered attribute fails every workflow task.
 */
export async function ensureSearchAttributes(
  server: TemporalConnectOptions,
  namespace: string,
): Promise<string[]> {
  const connection = await connectTemporal(server, (o) => Connection.connect(o));
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in (customAttributes ?? {})));
    if (missing.length === 0) return [];
    await addSearchAttributes(connection, namespace, missing).catch((err: unknown) => {
      // A managed cluster may keep this to its administrators (Temporal Cloud: tcld or the Cloud UI).
      const wanted = missing.map(([name, type]) => `${name}=${type}`).join(' ');
      throw new StackUnavailable(
        `Temporal at ${server.address} lacks search attributes the workflows set and refused to add them (${String(err)}); register them on namespace ${namespace}: ${wanted}`,
      );
    });
    return missing.map(([name]) => name);
  } finally {
    await connection.close();
  }
}

/** Waits until the frontend answers for the namespace, not just until the port opens. */
async function waitForNamespace(
  server: TemporalConnectOptions,
  namespace: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await connectTemporal(server, (o) =>
        Connection.connect({ ...o, connectTimeout: 2_000 }),
      );
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new StackUnavailable(
    `Temporal at ${server.address} did not serve namespace ${namespace}: ${String(lastError)}`,
  );
}

/**
 * Uses the configured Temporal server and database when they answer; otherwise, for a local plain address
 * (no TLS, no API key), starts the embedded ones (Temporal dev server with UI and a SQLite file, embedded
 * PostgreSQL) under DATA_DIR. Migrations always run, so every entry point sees the current schema.
 */
export async function ensureStack(env: Env, opts: { log?: (line: string) => void } = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  try {
    return await startStack(env, log, stops);
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    throw err;
  }
}

async function startStack(
  env: Env,
  log: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<Stack> {
  let temporal = temporalConnection(env);
  const { host, port } = splitAddress(env.TEMPORAL_ADDRESS);
  let uiUrl: string | undefined;
  let startedTemporal = false;
  if (!(await canConnect(host, port))) {
    // A cluster we reach over TLS or with a key is someone else's: a local dev server is no stand-in.
    if (temporal.secured) {
      throw new StackUnavailable(
        `No Temporal server answers at ${env.TEMPORAL_ADDRESS} (TLS or API key set, so no dev server is started in its place): check TEMPORAL_ADDRESS and that the cluster is up`,
      );
    }
    if (!env.EMBEDDED_STACK || !LOCAL_HOSTS.has(host)) {
      throw new StackUnavailable(
        `No Temporal server answers at ${env.TEMPORAL_ADDRESS}. Start one (temporal server start-dev) or point TEMPORAL_ADDRESS at it` +
          (env.EMBEDDED_STACK ? '' : ', or set EMBEDDED_STACK=true to let this command start the dev server'),
      );
    }
    log(`starting the Temporal dev server on ${host}:${port} (UI on ${env.TEMPORAL_UI_PORT})`);
    const server = await startTemporalDevServer({
      port,
      uiPort: env.TEMPORAL_UI_PORT,
      dbFile: path.join(env.DATA_DIR, 'temporal', 'dev.sqlite'),
      logFile: path.join(env.DATA_DIR, 'logs', 'temporal.log'),
    });
    stops.push(() => server.stop());
    temporal = temporalConnection({ ...env, TEMPORAL_ADDRESS: server.address });
    uiUrl = server.uiUrl;
    startedTemporal = true;
  } else if (LOCAL_HOSTS.has(host) && !temporal.secured) {
    uiUrl = `http://${host}:${env.TEMPORAL_UI_PORT}`;
  }
  await waitForNamespace(temporal.connectOptions(), env.TEMPORAL_NAMESPACE);
  const added = await ensureSearchAttributes(temporal.connectOptions(), env.TEMPORAL_NAMESPACE);
  if (added.length) log(`registered search attributes ${added.join(', ')}`);

  let databaseUrl = env.DATABASE_URL;
  let startedPostgres = false;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(env.DATA_DIR, 'postgres'),
      port: env.EMBEDDED_PG_PORT,
    });
    if (pg.owned) log(`started embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT}`);
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
    startedPostgres = pg.owned;
  }
  await migrate(databaseUrl);
  let llmEnv: Record<string, string> | undefined;
  if (env.LLM_LOCAL) {
    const server = await startLocalLlmServer({
      port: env.LLM_LOCAL_PORT,
      logFile: path.join(env.DATA_DIR, 'logs', 'llm-server.log'),
    });
    stops.push(() => server.stop());
    log(`started the local model server (${server.model}) at ${server.baseURL}`);
    llmEnv = localLlmEnv(server, llmSettings(env));
  }
  return {
    temporal,
    databaseUrl,
    uiUrl,
    startedTemporal,
    startedPostgres,
    llmEnv,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    },
  };
}
