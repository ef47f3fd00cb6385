import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { connectTemporal, type TemporalConnectOptions } from '../config/temporal-connection.js';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../schemas/constants.js';

const WORKFLOWS_PATH = path.join(import.meta.dirname, '..', 'workflows', 'index.ts');
/** Loaded by the worker for activities and bundled into the workflow code (worker/payload-converter.ts). */
const PAYLOAD_CONVERTER_PATH = path.join(import.meta.dirname, 'payload-converter.ts');

/** The server as TemporalConnection.connectOptions() gives it (address, TLS, API key), plus the worker's own. */
export interface RaceWorkerOptions extends TemporalConnectOptions {
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** The activities to register; createActivities(deps) unless a test swaps some (e.g. a faulty fusion agent). */
  activities?: ReturnType<typeof createActivities>;
  maxConcurrentActivityTaskExecutions?: number;
  /** Reuse a bundle across workers in one process (tests start many). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** E.g. the metrics interceptor (worker/metrics.ts). */
  interceptors?: WorkerOptions['interceptors'];
  /**
   * gRPC compression between this worker and the server. Off by default: the payloads are a few kilobytes
   * of JSON and gzip on every poll, completion and heartbeat cost both the worker and the server CPU
   * (measured: about 30% more races/s at concurrency 32 on the embedded stack without it). Turn it on for
   * a server across a slow or metered link.
   */
  grpcCompression?: 'gzip' | 'none';
}

export async function createRaceWorker(
  opts: RaceWorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const { address, tls, apiKey } = opts;
  const connection = await connectTemporal({ address, tls, apiKey }, (o) =>
    NativeConnection.connect({ ...o, grpcCompression: { codec: opts.grpcCompression ?? 'none' } }),
  );
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace ?? DEFAULT_NAMESPACE,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: opts.activities ?? createActivities(opts.deps),
    // A prebuilt bundle must be built with the same converter (writeWorkflowBundle, the test stack do).
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH },
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 64,
    ...(opts.interceptors ? { interceptors: opts.interceptors } : {}),
  });
  return { worker, connection };
}

export { PAYLOAD_CONVERTER_PATH, WORKFLOWS_PATH };
