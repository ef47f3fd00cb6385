import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AgentOutput } from '../../../schemas/agent.js';
import { agentBundle } from '../../../sandboxes/bundle.js';
import { createE2bRunner, E2B_WORKDIR, type E2bRunnerOptions } from '../../../sandboxes/e2b.js';
import { createInlineRunner } from '../../../sandboxes/inline.js';
import {
  SandboxAuthError,
  SandboxCrashed,
  SandboxTimeout,
  SandboxUnavailable,
} from '../../../sandboxes/runner.js';
import { startE2bStub, type E2bStub } from '../../support/e2b-stub.js';
import { ctx, raceInput } from './fixtures/race.js';

/**
 * The E2B runner through the real e2b SDK against test/support/e2b-stub.ts: create, upload, run
 * (the real bundle, executed locally by the stub), reuse, kill, and the error mapping.
 */
const withoutTiming = (o: AgentOutput) => ({ ...o, timingsMs: null });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 9;
}

describe('E2B runner against a local E2B stub', () => {
  let stub: E2bStub;
  const options = (over: Partial<E2bRunnerOptions> = {}): E2bRunnerOptions => ({
    bundle: agentBundle(),
    artefacts: null,
    apiKey: stub.apiKey,
    template: 'race-agents',
    apiUrl: stub.apiUrl,
    sandboxUrl: stub.sandboxUrl,
    timeoutMs: 5_000,
    ...over,
  });
  before(async () => {
    stub = await startE2bStub();
  });
  after(() => stub.close());

  it('creates one sandbox per race, uploads the bundle once, runs jobs in it and kills it on close', async () => {
    const runner = createE2bRunner(options());
    const created = stub.created.length;
    const uploaded = stub.uploads.length;
    const input = raceInput('e2b-reuse');
    const inline = createInlineRunner(null);
    const strategies = ['BayesianUpdater_Balanced', 'CalibrationAgent_Platt', 'FieldNormalizer_HardNorm'];
    const results = await Promise.all(strategies.map((strategy) => runner.run({ strategy, input }, ctx())));
    for (const [i, res] of results.entries()) {
      const expected = await inline.run({ strategy: strategies[i] ?? '', input }, ctx());
      assert.deepStrictEqual(withoutTiming(res.output), withoutTiming(expected.output));
      assert.equal(res.bundleHash, agentBundle().hash);
    }
    const mine = stub.created.slice(created);
    assert.equal(mine.length, 1, 'one sandbox for the race');
    assert.equal(
      stub.uploads.slice(uploaded).filter((p) => p === `${E2B_WORKDIR}/agent-bundle.cjs`).length,
      1,
      'bundle uploaded once',
    );
    assert.ok(!stub.killed.includes(mine[0] ?? ''), 'kept warm between jobs of the race');
    await runner.close();
    assert.ok(stub.killed.includes(mine[0] ?? ''), 'killed on close');
  });

  it('kills an idle race sandbox after its TTL', async () => {
    const runner = createE2bRunner(options({ idleTtlMs: 50 }));
    await runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput('e2b-idle') }, ctx());
    const id = stub.created.at(-1) ?? '';
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(stub.killed.includes(id));
    await runner.close();
  });

  it('passes agent errors through by name and keeps the sandbox', async () => {
    const runner = createE2bRunner(options());
    await assert.rejects(
      runner.run({ strategy: 'NoSuchStrategy', input: raceInput('e2b-agent-error') }, ctx()),
      { name: 'UnknownStrategy' },
    );
    assert.ok(!stub.killed.includes(stub.created.at(-1) ?? ''));
    await runner.close();
  });

  it('maps a command past its limit to SandboxTimeout and kills that sandbox', async () => {
    stub.setCommand({ kind: 'hang' });
    const runner = createE2bRunner(options({ timeoutMs: 500 }));
    try {
      await assert.rejects(
        runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput('e2b-timeout') }, ctx()),
        SandboxTimeout,
      );
      assert.ok(stub.killed.includes(stub.created.at(-1) ?? ''));
    } finally {
      stub.setCommand({ kind: 'run' });
      await runner.close();
    }
  });

  it('maps 401 to the non-retryable SandboxAuthError without echoing the key', async () => {
    const runner = createE2bRunner(options({ apiKey: 'e2b_wrong_key' }));
    await assert.rejects(
      runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput('e2b-401') }, ctx()),
      (err: Error) => err instanceof SandboxAuthError && !err.message.includes('e2b_wrong_key'),
    );
    await runner.close();
  });

  for (const [status, pattern] of [
    [429, /rate limit/],
    [500, /500/],
    [503, /busy/],
  ] as const) {
    it(`maps ${status} on create to the retryable SandboxUnavailable (a SandboxCrashed)`, async () => {
      stub.setCreate([{ kind: 'status', status }]);
      const runner = createE2bRunner(options());
      await assert.rejects(
        runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput(`e2b-${status}`) }, ctx()),
        (err: Error) =>
          err instanceof SandboxUnavailable && err instanceof SandboxCrashed && pattern.test(err.message),
      );
      await runner.close();
    });
  }

  it('maps an unreachable API to SandboxUnavailable', async () => {
    const runner = createE2bRunner(
      options({ apiUrl: `http://127.0.0.1:${await closedPort()}`, requestTimeoutMs: 2_000 }),
    );
    await assert.rejects(
      runner.run({ strategy: 'BayesianUpdater_Balanced', input: raceInput('e2b-down') }, ctx()),
      SandboxUnavailable,
    );
    await runner.close();
  });
});
