import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CalibrationArtefactsSchema, type CalibrationArtefacts } from '../../../agents/artefacts.js';
import type { AgentOutput } from '../../../schemas/agent.js';
import { STRATEGY_NAMES } from '../../../schemas/constants.js';
import { agentBundle } from '../../../sandboxes/bundle.js';
import { createInlineRunner } from '../../../sandboxes/inline.js';
import { createProcessRunner } from '../../../sandboxes/process.js';
import { artefacts as fixtureArtefacts, ctx, raceInput } from './fixtures/race.js';

/** Compute time is wall-clock and differs run to run; everything else must match bit for bit. */
const withoutTiming = (o: AgentOutput) => ({ ...o, timingsMs: null });

describe('process runner (production agent bundle)', () => {
  let artefacts: CalibrationArtefacts;
  let runner: ReturnType<typeof createProcessRunner>;
  before(() => {
    artefacts = CalibrationArtefactsSchema.parse(fixtureArtefacts());
    runner = createProcessRunner({ bundle: agentBundle(), artefacts, poolSize: 2 });
  });
  after(() => runner.close());

  it('gives bit-identical outputs to the inline runner for all 15 strategies on a 14-runner race', async () => {
    const inline = createInlineRunner(artefacts);
    const input = raceInput();
    const results = await Promise.all(
      STRATEGY_NAMES.map(async (strategy) => {
        const [a, b] = await Promise.all([
          inline.run({ strategy, input }, ctx()),
          runner.run({ strategy, input }, ctx()),
        ]);
        return { strategy, inline: a.output, process: b.output };
      }),
    );
    for (const r of results) {
      assert.equal(r.process.runners.length, 14, r.strategy);
      assert.equal(r.process.calibratorVersion, 'test-2024-11/default', `${r.strategy} saw the artefacts`);
      assert.deepStrictEqual(withoutTiming(r.process), withoutTiming(r.inline), r.strategy);
    }
  });

  it('reports the bundle content hash with every result', async () => {
    const res = await runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput() }, ctx());
    assert.match(agentBundle().hash, /^[0-9a-f]{64}$/);
    assert.equal(res.bundleHash, agentBundle().hash);
  });

  it('serves a second job from an already-running process of the warm pool', async () => {
    const single = createProcessRunner({ bundle: agentBundle(), artefacts, poolSize: 1 });
    try {
      const first = await single.run({ strategy: 'CalibrationAgent_Platt', input: raceInput() }, ctx());
      const second = await single.run(
        { strategy: 'CalibrationAgent_Temperature', input: raceInput() },
        ctx(),
      );
      assert.equal(second.pid, first.pid);
      assert.equal(second.jobsServed, first.jobsServed + 1);
      assert.notEqual(first.pid, process.pid);
    } finally {
      await single.close();
    }
  });

  it('rebuilds agent errors with the same name and message as inline', async () => {
    const inline = createInlineRunner(artefacts);
    const job = { strategy: 'NoSuchStrategy', input: raceInput() };
    const inlineErr = await inline.run(job, ctx()).then(
      () => null,
      (e: unknown) => e as Error,
    );
    await assert.rejects(
      runner.run(job, ctx()),
      (err: Error) => err.name === inlineErr?.name && err.message === inlineErr.message,
    );
  });

  it('refuses work after close', async () => {
    const closing = createProcessRunner({ bundle: agentBundle(), artefacts: null, poolSize: 1 });
    await closing.close();
    await assert.rejects(closing.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput() }, ctx()), {
      name: 'SandboxCrashed',
    });
  });
});
