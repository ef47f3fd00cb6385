import { WORKFLOW_BUNDLE_PATH, writeWorkflowBundle } from '../worker/workflow-bundle.js';

/** `npm run build`: writes the workflow bundle that long-running workers (cli/worker.ts, the image) load. */
await writeWorkflowBundle(WORKFLOW_BUNDLE_PATH);
process.stdout.write(`wrote ${WORKFLOW_BUNDLE_PATH}\n`);
