import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { RaceClient } from '../../client/index.js';
import { llmSettings, loadEnv, type Env } from '../../config/env.js';
import type { TemporalConnectOptions } from '../../config/temporal-connection.js';
import { migrate } from '../../db/migrate.js';
import { DEFAULT_NAMESPACE } from '../../schemas/constants.js';
import { createPool, type Db } from '../../db/pool.js';
import { freePort } from '../../stack/net.js';
import { addSearchAttributes } from '../../stack/index.js';
import { resolveTemporalBinary } from '../../stack/temporal-binary.js';
import { startTemporalDevServer } from '../../stack/temporal-dev-server.js';
import { createRaceWorker, PAYLOAD_CONVERTER_PATH, WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { buildActivityDeps, type WorkerDeps } from '../../worker/deps.js';
import { installRuntime } from '../../worker/runtime.js';
import { faultyActivities, type AgentFaults } from './agent-faults.js';
import { startTestDatabase } from './test-database.js';

/**
 * A real Temporal dev server (in memory, headless, own port) and a real PostgreSQL (embedded in a temp
 * folder, or a fresh database on TEST_DATABASE_URL's server) for one test file.
 */
export interface TestStack {
  env: Env;
  /** The current Temporal server (a new object after restartTemporal). */
  readonly temporal: { address: string; stop(): Promise<void> };
  /** With `timeSkipping`: its client, whose `workflow.result()` lets the server skip to the next timer. */
  timeSkippingClient?: TestWorkflowEnvironment['client'];
  /** The server's clock: the time-skipping server's runs ahead of the wall clock once it has skipped. */
  serverTimeMs(): Promise<number>;
  databaseUrl: string;
  db: Db;
  connection: Connection;
  /** A client on a fresh task queue, plus a worker polling it; stopped by the returned function. */
  startWorker(opts?: {
    faults?: AgentFaults;
    env?: Partial<Env>;
    /** The worker's LLM settings (none by default, whatever the developer's environment holds). */
    llmEnv?: Record<string, string | undefined>;
    /** The database the worker's activities use (default: the stack's), e.g. through a test proxy. */
    databaseUrl?: string;
    /** How the worker reaches Temporal (default: the dev server's plain address), e.g. through a TLS proxy. */
    server?: TemporalConnectOptions;
  }): Promise<{
    client: RaceClient;
    taskQueue: string;
    worker: Worker;
    deps: WorkerDeps;
    stop(): Promise<void>;
  }>;
  /** Stops the dev server and starts it again on the same port and SQLite file (durableTemporal only). */
  restartTemporal(): Promise<void>;
  /** A fresh task queue name, for workers started outside this process. */
  newTaskQueue(): string;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /** Keep the dev server's state in a SQLite file, so it survives restartTemporal. */
  durableTemporal?: boolean;
  /**
   * The time-skipping test server (the installed temporal-test-server) instead of the dev server, for
   * workflows that wait hours: awaiting a result through `timeSkippingClient` jumps over their timers.
   */
  timeSkipping?: boolean;
}

/** The time-skipping server as the stack sees it: an address, a stop, and the client that skips. */
async function startTimeSkippingServer() {
  const testEnv = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalBinary('test-server') } },
  });
  const { address, client, connection } = testEnv;
  await addSearchAttributes(connection, DEFAULT_NAMESPACE);
  return {
    address,
    client,
    connection,
    currentTimeMs: () => testEnv.currentTimeMs(),
    stop: () => testEnv.teardown(),
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let queueCounter = 0;

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  installRuntime('ERROR');
  const dir = mkdtempSync(path.join(tmpdir(), 'race-engine-test-'));
  // The embedded server runs as the postgres user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  const temporalOptions = {
    port: await freePort(),
    headless: true,
    logFile: path.join(dir, 'temporal.log'),
    ...(opts.durableTemporal ? { dbFile: path.join(dir, 'temporal.sqlite') } : {}),
  };
  const skipping = opts.timeSkipping ? await startTimeSkippingServer() : undefined;
  let temporal = skipping ?? (await startTemporalDevServer(temporalOptions));
  let databaseUrl = '';
  let stopPg = async () => {};
  let db: Db | undefined;
  let connection: Connection;
  try {
    const database = await startTestDatabase('race_engine_test');
    databaseUrl = database.url;
    stopPg = () => database.stop();
    await migrate(databaseUrl);
    db = createPool(databaseUrl, 5);
    connection = skipping ? skipping.connection : await Connection.connect({ address: temporal.address });
  } catch (err) {
    // Without this the Temporal server outlives a failed start and the test file hangs until its timeout,
    // hiding the real error (PostgreSQL not starting, say) behind a 600 s cancellation.
    await db?.end().catch(() => {});
    await stopPg().catch(() => {});
    await temporal.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `test stack did not start (${dir}): ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  const pool = db;
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const env = loadEnv({
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: databaseUrl,
    EMBEDDED_STACK: 'false',
  });

  const newTaskQueue = () => `test-${process.pid}-${++queueCounter}-${Date.now().toString(36)}`;
  return {
    env,
    get temporal() {
      return temporal;
    },
    databaseUrl,
    db: pool,
    connection,
    ...(skipping ? { timeSkippingClient: skipping.client } : {}),
    serverTimeMs: async () => (skipping ? skipping.currentTimeMs() : Date.now()),
    async startWorker(opts = {}) {
      const taskQueue = newTaskQueue();
      const workerEnv = { ...env, ...opts.env };
      const noLlm = Object.fromEntries(Object.keys(llmSettings(env)).map((k) => [k, undefined]));
      const deps = await buildActivityDeps(workerEnv, opts.databaseUrl ?? databaseUrl, {
        llmOverrides: { ...noLlm, ...opts.llmEnv },
      });
      const { worker, connection: workerConnection } = await createRaceWorker({
        ...(opts.server ?? { address: temporal.address }),
        taskQueue,
        deps,
        activities: faultyActivities(deps, opts.faults),
        workflowBundle: await bundle,
      });
      const running = worker.run();
      const client = new RaceClient({ connection, taskQueue });
      return {
        client,
        taskQueue,
        worker,
        deps,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          await workerConnection.close();
          await deps.close();
        },
      };
    },
    async restartTemporal() {
      if (!opts.durableTemporal || skipping)
        throw new Error('restartTemporal needs startTestStack({ durableTemporal: true })');
      await temporal.stop();
      temporal = await startTemporalDevServer(temporalOptions);
    },
    newTaskQueue,
    async stop() {
      // The time-skipping environment closes its own connection in teardown.
      if (!skipping) await connection.close();
      await pool.end();
      await stopPg();
      await temporal.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
