import type { CalibrationArtefacts } from '../agents/index.js';
import type { Env } from '../config/env.js';
import { agentBundle } from './bundle.js';
import { createE2bRunner } from './e2b.js';
import type { SandboxFactoryOptions } from './index.js';
import { createProcessRunner } from './process.js';

/**
 * The isolated runners this worker can build from its configuration: the local process pool
 * always, E2B when E2B_API_KEY is set. The agent bundle is built on first use, once per process.
 */
export function sandboxBuilders(env: Env): SandboxFactoryOptions['builders'] {
  const apiKey = env.E2B_API_KEY;
  return {
    process: (artefacts: CalibrationArtefacts | null) =>
      createProcessRunner({ bundle: agentBundle(), artefacts }),
    ...(apiKey && {
      e2b: (artefacts: CalibrationArtefacts | null) =>
        createE2bRunner({ bundle: agentBundle(), artefacts, apiKey, template: env.E2B_TEMPLATE }),
    }),
  };
}
