import { loadEnv } from '../config/env.js';
import { runWorker } from '../worker/run-worker.js';

await runWorker(loadEnv());
