import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RaceClient } from '../../client/index.js';
import { STRATEGY_NAMES } from '../../schemas/constants.js';
import type { RaceCard } from '../../schemas/race-card.js';
import type { AgentRun } from '../../schemas/agent-run.js';
import type { RaceResult } from '../../schemas/result.js';
import { injectedFailureDecides } from '../support/agent-faults.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts, localActivityMarkers } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { countRows, storedRows, waitUntil, winVector } from '../support/reliability.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/**
 * The default activity plan ('auto'): the short stages run as local activities. The remote plan's own
 * mechanics (heartbeat timeouts, pending activities, mid-flight queries) are tested in
 * race-workflow.test.ts and test/reliability/ with placement 'remote'.
 */
describe('local activities (the default plan) on a real Temporal dev server', () => {
  let stack: TestStack;
  let cards: RaceCard[];
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startTestStack();
    cards = await seedRaceDay(stack.db, 53, 5);
  });
  after(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await stack?.stop();
  });

  test('inline agents and the evidence model run locally: same result as all-remote, no remote activity, stored once', async () => {
    const card = cards[0]!;
    const w = await stack.startWorker();
    try {
      const remote = await w.client.runRace(card, {
        sandbox: 'inline',
        qual: 'evidence',
        placement: 'remote',
        workflowId: `race-${card.raceId}-remote`,
      });
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline', qual: 'evidence' });
      const result = await w.client.result(workflowId, runId);
      assert.deepEqual(winVector(result), winVector(remote), 'placement does not change the numbers');
      assert.deepEqual(result.provenance.activityPlan, {
        mode: 'auto',
        record: 'local',
        quant: 'local',
        qual: 'local',
        agents: 'local',
        synthesis: 'local',
        persist: 'local',
      });
      assert.equal(remote.provenance.activityPlan?.agents, 'remote');
      assert.deepEqual(await activityAttempts(w.client.temporal, workflowId, runId), []);
      const markers = await localActivityMarkers(w.client.temporal, workflowId, runId);
      const agents = markers.filter((m) => m.activityType === 'runFusionAgent');
      assert.deepEqual(
        agents.map((m) => (m.result as AgentRun).output.strategy).sort(),
        [...STRATEGY_NAMES].sort(),
      );
      assert.deepEqual(
        markers
          .filter((m) => m.activityType !== 'runFusionAgent')
          .map((m) => m.activityType)
          .sort(),
        ['persistRace', 'qualAnalysis', 'quantAnalysis', 'recordRun', 'synthesise'],
      );
      assert.deepEqual(await storedRows(stack.db, runId), {
        runs: 1,
        predictions: 1,
        runners: result.runners.length,
        agents: 15,
        status: 'completed',
      });
    } finally {
      await w.stop();
    }
  });

  test("the worker resolves the plan: 'auto' analyst without an LLM runs locally, E2B agents stay remote", async () => {
    const card = cards[1]!;
    const w = await stack.startWorker();
    try {
      // No LLM configured on this worker: 'auto' resolves to the evidence model, so qual is local too.
      const auto = await w.client.runRace(card, {
        sandbox: 'inline',
        workflowId: `race-${card.raceId}-auto`,
      });
      assert.equal(auto.provenance.activityPlan?.qual, 'local');
      // An E2B sandbox is remote: the factory is asked for it and fails without a key, so every agent
      // fails as a remote activity, and the race completes degraded with the others local.
      const e2b = await w.client.runRace(card, { sandbox: 'e2b', workflowId: `race-${card.raceId}-e2b` });
      assert.equal(e2b.provenance.activityPlan?.agents, 'remote');
      assert.equal(e2b.provenance.activityPlan?.synthesis, 'local');
      assert.equal(e2b.degraded, true);
    } finally {
      await w.stop();
    }
  });

  test('30% transient agent faults are retried as local activities: exactly the predicted attempts complete', async () => {
    const card = cards[2]!;
    const failRate = { rate: 0.3, seed: 'local-30' };
    const expected = Object.fromEntries(
      STRATEGY_NAMES.map((s) => [
        s,
        [1, 2, 3].find((a) => !injectedFailureDecides(failRate.rate, failRate.seed, card.raceId, s, a)) ??
          null,
      ]),
    );
    assert.ok(Object.values(expected).filter((a) => a !== null && a > 1).length >= 3, 'several agents retry');
    const w = await stack.startWorker({ faults: { failRate } });
    try {
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline' });
      const result = await w.client.result(workflowId, runId);
      const exhausted = STRATEGY_NAMES.filter((s) => expected[s] === null);
      assert.deepEqual(result.synthesis.agentsFailed.map((f) => f.strategy).sort(), [...exhausted].sort());
      const completed = Object.fromEntries(
        (await localActivityMarkers(w.client.temporal, workflowId, runId))
          .filter((m) => m.activityType === 'runFusionAgent' && !m.failed)
          .map((m) => [(m.result as AgentRun).output.strategy, m.attempt]),
      );
      for (const s of STRATEGY_NAMES)
        assert.equal(completed[s] ?? null, expected[s], `${s}: completing attempt`);
      assert.equal((await storedRows(stack.db, runId)).agents, 15);
    } finally {
      await w.stop();
    }
  });

  test('SIGKILL of the worker while local agents run: the next worker re-runs the workflow task, same result, stored once', async () => {
    const card = cards[3]!;
    const clean = await stack.startWorker();
    let baseline: RaceResult;
    try {
      baseline = await clean.client.runRace(card, {
        sandbox: 'inline',
        workflowId: `race-${card.raceId}-base`,
      });
    } finally {
      await clean.stop();
    }
    const taskQueue = stack.newTaskQueue();
    const spawn = (faults?: { delayMs: number }) =>
      spawnWorkerProcess({
        temporalAddress: stack.temporal.address,
        databaseUrl: stack.databaseUrl,
        taskQueue,
        faults,
      }).then((w) => (workers.push(w), w));
    const first = await spawn({ delayMs: 8_000 });
    const client = new RaceClient({ connection: stack.connection, taskQueue });
    const { workflowId, runId } = await client.startRace(card, { sandbox: 'inline' });
    // recordRun (local) has written the run, so the first worker holds the task and is in the agents.
    const recorded = await waitUntil(
      () => countRows(stack.db, 'SELECT count(*) AS n FROM race_runs WHERE run_id = $1', [runId]),
      (n) => n === 1,
    );
    assert.equal(recorded, 1);
    await first.kill('SIGKILL');
    await spawn();
    const result = await client.result(workflowId, runId);
    assert.equal(result.synthesis.agentsSucceeded, 15);
    assert.deepEqual(winVector(result), winVector(baseline), 'same numbers as the run without a crash');
    const agents = (await localActivityMarkers(client.temporal, workflowId, runId)).filter(
      (m) => m.activityType === 'runFusionAgent',
    );
    assert.equal(agents.length, 15, 'each agent recorded once');
    assert.deepEqual(await storedRows(stack.db, runId), {
      runs: 1,
      predictions: 1,
      runners: result.runners.length,
      agents: 15,
      status: 'completed',
    });
  });

  test('a database outage during local persistence: retried until the database is back, stored exactly once', async () => {
    const card = cards[4]!;
    const url = new URL(stack.databaseUrl);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const viaProxy = new URL(stack.databaseUrl);
    viaProxy.port = String(proxy.port);
    const w = await stack.startWorker({ databaseUrl: viaProxy.toString(), faults: { delayMs: 2_000 } });
    try {
      const { workflowId, runId } = await w.client.startRace(card, { sandbox: 'inline' });
      await waitUntil(
        () => countRows(stack.db, 'SELECT count(*) AS n FROM race_runs WHERE run_id = $1', [runId]),
        (n) => n === 1,
      );
      proxy.cut();
      // Agents take 2 s; persistence then meets the outage and retries until the connection is refused a few times.
      const refused = await waitUntil(
        async () => proxy.refused,
        (n) => n >= 3,
      );
      assert.ok(refused >= 3, 'persistence kept trying during the outage');
      assert.equal((await storedRows(stack.db, runId)).predictions, 0);
      proxy.restore();
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.provenance.activityPlan?.persist, 'local');
      assert.deepEqual(await storedRows(stack.db, runId), {
        runs: 1,
        predictions: 1,
        runners: result.runners.length,
        agents: 15,
        status: 'completed',
      });
    } finally {
      proxy.restore();
      await proxy.close();
      await w.stop();
    }
  });
});
