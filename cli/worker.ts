import { runWorker } from '../worker/run-worker.js';

await runWorker();
