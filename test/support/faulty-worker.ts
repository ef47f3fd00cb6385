import { loadEnv } from '../../config/env.js';
import { runWorker } from '../../worker/run-worker.js';
import { AgentFaultsSchema, faultyActivities } from './agent-faults.js';

/**
 * Test-only worker entry: cli/worker.ts with faulty fusion agents. The faults come as JSON in
 * TEST_AGENT_FAULTS, set only by test/support/worker-process.ts; production code never reads it.
 */
const faults = AgentFaultsSchema.parse(JSON.parse(process.env.TEST_AGENT_FAULTS ?? '{}'));
process.stderr.write(`test worker: injecting agent faults ${JSON.stringify(faults)}\n`);
await runWorker(loadEnv(), { activities: (deps) => faultyActivities(deps, faults) });
