import { Connection } from '@temporalio/client';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { RaceClient } from '../client/index.js';
import { loadEnv, type Env } from '../config/env.js';
import { connectTemporal } from '../config/temporal-connection.js';
import { createPool, type Db } from '../db/pool.js';
import { ensureStack, type Stack } from '../stack/index.js';
import { createRaceWorker } from '../worker/create-worker.js';
import { buildActivityDeps, type WorkerDeps } from '../worker/deps.js';
import { installRuntime } from '../worker/runtime.js';

export interface Session {
  env: Env;
  stack: Stack;
  client: RaceClient;
  db: Db;
  close(): Promise<void>;
}

/** Everything a command needs: the stack (started if needed), a client, a pool, and by default a worker. */
export async function openSession(opts: {
  withWorker: boolean;
  log: (line: string) => void;
  /** For the in-process worker, e.g. the metrics interceptor (worker/metrics.ts). */
  interceptors?: WorkerOptions['interceptors'];
}): Promise<Session> {
  installRuntime();
  const env = loadEnv();
  const stack = await ensureStack(env, { log: opts.log });
  try {
    return await connectSession(env, stack, opts.withWorker, opts.interceptors);
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

async function connectSession(
  env: Env,
  stack: Stack,
  withWorker: boolean,
  interceptors?: WorkerOptions['interceptors'],
): Promise<Session> {
  const connection = await connectTemporal(stack.temporal.connectOptions(), (o) => Connection.connect(o));
  const client = new RaceClient({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
  });
  const db = createPool(stack.databaseUrl, 5);
  let worker: Worker | undefined;
  let deps: WorkerDeps | undefined;
  let running: Promise<void> | undefined;
  let closeWorkerConnection: (() => Promise<void>) | undefined;
  if (withWorker) {
    deps = await buildActivityDeps(env, stack.databaseUrl, {
      ...(stack.llmEnv ? { llmOverrides: stack.llmEnv } : {}),
    });
    const created = await createRaceWorker({
      ...stack.temporal.connectOptions(),
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      deps,
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      interceptors,
    });
    worker = created.worker;
    closeWorkerConnection = () => created.connection.close();
    running = worker.run();
  }
  return {
    env,
    stack,
    client,
    db,
    async close() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await closeWorkerConnection?.();
      await deps?.close();
      await db.end();
      await connection.close();
      await stack.stop();
    },
  };
}

/**
 * Runs one CLI action with a session and reports a failure as `<ErrorType>: <message>` on stderr with exit
 * status 1, the same way for every command.
 */
export async function withClient(
  withWorker: boolean,
  fn: (client: RaceClient) => Promise<void>,
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const session = await openSession({ withWorker, log });
  try {
    await fn(session.client);
  } catch (err) {
    const type = (err as { type?: string }).type ?? (err as Error).name ?? 'Error';
    log(`${type}: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 1;
  } finally {
    await session.close();
  }
}
