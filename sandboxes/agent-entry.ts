import type { CalibrationArtefacts } from '../agents/artefacts.js';
import { runStrategy } from '../agents/strategies.js';
import type { AgentInput } from '../schemas/agent.js';
import { serveJobs } from './harness.js';

/**
 * Entry of the agent bundle that process and E2B sandboxes run: the fusion library and nothing
 * else. Input and artefacts are validated by the worker before they are sent; the output is
 * validated by the activity when it comes back.
 */
serveJobs((job, artefacts) =>
  runStrategy(job.strategy, job.input as AgentInput, artefacts as CalibrationArtefacts | null),
);
