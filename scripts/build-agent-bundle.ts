import { agentBundle } from '../sandboxes/bundle.js';

/** Builds the agent bundle that process and E2B sandboxes run, and prints where it is and its hash. */
process.stdout.write(`${JSON.stringify(agentBundle())}\n`);
