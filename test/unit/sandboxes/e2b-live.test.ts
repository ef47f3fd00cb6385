import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadEnv } from '../../../config/env.js';
import { agentBundle } from '../../../sandboxes/bundle.js';
import { createE2bRunner } from '../../../sandboxes/e2b.js';
import { ctx, raceInput } from './fixtures/race.js';

const env = loadEnv();
const skip = env.E2B_API_KEY ? false : 'needs E2B_API_KEY (live E2B cloud sandbox)';

it(
  'runs one fusion agent in a live E2B sandbox (needs E2B_API_KEY)',
  { skip, timeout: 120_000 },
  async () => {
    const runner = createE2bRunner({
      bundle: agentBundle(),
      artefacts: null,
      apiKey: env.E2B_API_KEY ?? '',
      template: env.E2B_TEMPLATE,
      timeoutMs: 60_000,
    });
    try {
      const res = await runner.run(
        { strategy: 'BayesianUpdater_Balanced', input: raceInput('e2b-live') },
        ctx(),
      );
      assert.equal(res.output.runners.length, 14);
      assert.equal(res.bundleHash, agentBundle().hash);
    } finally {
      await runner.close();
    }
  },
);
