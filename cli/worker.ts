import { loadEnv } from '../config/env.js';
import { ensureStack } from '../stack/index.js';
import { createRaceWorker } from '../worker/create-worker.js';
import { buildActivityDeps } from '../worker/deps.js';
import { installRuntime } from '../worker/runtime.js';

/** A long-running worker: uses the configured stack (or starts the embedded one) and polls until Ctrl-C. */
installRuntime('INFO');
const env = loadEnv();
const log = (line: string) => process.stderr.write(`${line}\n`);
const stack = await ensureStack(env, { log });
const deps = await buildActivityDeps(env, stack.databaseUrl);
const { worker, connection } = await createRaceWorker({
  address: stack.temporalAddress,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  deps,
  maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
});
if (deps.faults) log('WARNING: RACE_ENGINE_TEST_FAULTS is set: agent faults are being injected (for tests only)');
log(`worker polling ${env.TEMPORAL_TASK_QUEUE} on ${stack.temporalAddress}${stack.uiUrl ? ` (UI ${stack.uiUrl})` : ''}`);
try {
  await worker.run();
} finally {
  await connection.close();
  await deps.close();
  await stack.stop();
}
