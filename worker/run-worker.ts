import type { createActivities } from '../activities/index.js';
import type { ActivityDeps } from '../activities/ports.js';
import { runtimeLogLevel, type Env } from '../config/env.js';
import { ensureStack } from '../stack/index.js';
import { createRaceWorker } from './create-worker.js';
import { buildActivityDeps } from './deps.js';
import { EngineMetrics, startMetricsServer, temporalTelemetry } from './metrics.js';
import { installRuntime } from './runtime.js';
import { prebuiltWorkflowBundle } from './workflow-bundle.js';

/**
 * A long-running worker on the settings it is given (config/env.ts read them once): uses the configured
 * stack (or starts the embedded one) and polls until stopped. `activities` lets a test-only entry
 * (test/support/faulty-worker.ts) register faulty activities.
 */
export async function runWorker(
  env: Env,
  opts: { activities?: (deps: ActivityDeps) => ReturnType<typeof createActivities> } = {},
): Promise<void> {
  // Prometheus: ours on METRICS_PORT, Temporal's runtime metrics on TEMPORAL_METRICS_PORT (both off when unset).
  const {
    METRICS_PORT: metricsPort,
    TEMPORAL_METRICS_PORT: temporalMetricsPort,
    METRICS_HOST: metricsHost,
  } = env;
  installRuntime(
    runtimeLogLevel(env),
    temporalMetricsPort !== undefined
      ? temporalTelemetry(`${metricsHost}:${temporalMetricsPort}`)
      : undefined,
  );
  const metrics = new EngineMetrics();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await ensureStack(env, { log });
  const deps = await buildActivityDeps(env, stack.databaseUrl, {
    ...(stack.llmEnv ? { llmOverrides: stack.llmEnv } : {}),
  });
  const prebuilt = prebuiltWorkflowBundle();
  log(
    'codePath' in prebuilt
      ? `using the prebuilt workflow bundle ${prebuilt.codePath}`
      : `${prebuilt.reason}: bundling the workflows at start (npm run build writes the bundle)`,
  );
  const { worker, connection } = await createRaceWorker({
    ...stack.temporal.connectOptions(),
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    deps,
    ...(opts.activities ? { activities: opts.activities(deps) } : {}),
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    interceptors: { activity: [metrics.interceptor()] },
    ...('codePath' in prebuilt ? { workflowBundle: { codePath: prebuilt.codePath } } : {}),
  });
  const metricsServer =
    metricsPort !== undefined
      ? (await startMetricsServer(metrics, metricsPort, metricsHost)).server
      : undefined;
  log(
    `worker polling ${env.TEMPORAL_TASK_QUEUE} on ${stack.temporal.address}${stack.uiUrl ? ` (UI ${stack.uiUrl})` : ''}`,
  );
  try {
    await worker.run();
  } finally {
    metricsServer?.close();
    await connection.close();
    await deps.close();
    await stack.stop();
  }
}
