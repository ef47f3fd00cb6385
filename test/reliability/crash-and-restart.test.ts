import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RaceClient } from '../../client/index.js';
import type { RaceCard } from '../../schemas/race-card.js';
import type { RaceResult } from '../../schemas/result.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import {
  countRows,
  pendingActivities,
  resultThroughOutages,
  storedRows,
  waitUntil,
  winVector,
} from '../support/reliability.js';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

describe('durability: a worker killed mid-race and a Temporal server restarted mid-day', () => {
  let stack: TestStack;
  let cards: RaceCard[];
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startTestStack({ durableTemporal: true });
    cards = await seedRaceDay(stack.db, 41, 5);
  });
  after(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await stack?.stop();
  });

  test('SIGKILL of the worker process while agents run: a new worker finishes the race with the same result, stored once', async () => {
    const card = cards[0]!;
    // The result this card gets with nothing going wrong (fusion is deterministic).
    const clean = await stack.startWorker();
    let baseline: RaceResult;
    try {
      baseline = await clean.client.runRace(card, {
        sandbox: 'inline',
        workflowId: `race-${card.raceId}-baseline`,
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
    const { workflowId, runId } = await client.startRace(card, { sandbox: 'inline', placement: 'remote' });
    const handle = client.temporal.workflow.getHandle(workflowId, runId);
    const inFlight = await waitUntil(
      async () => (await pendingActivities(handle)).filter((a) => a.type === 'runFusionAgent' && a.started),
      (a) => a.length === 15,
    );
    assert.equal(inFlight.length, 15, 'all fifteen agents were running on the first worker');
    await first.kill('SIGKILL');

    await spawn();
    const result = await client.result(workflowId, runId);
    assert.equal(result.degraded, false);
    assert.equal(result.synthesis.agentsSucceeded, 15);
    assert.deepEqual(
      winVector(result),
      winVector(baseline),
      'same winProbFinal vector as the run without a crash',
    );

    const agents = (await activityAttempts(client.temporal, workflowId, runId)).filter(
      (a) => a.activityType === 'runFusionAgent',
    );
    assert.equal(agents.length, 15, 'no agent was scheduled twice');
    assert.ok(
      agents.every((a) => a.attempts.length === 1 && a.attempts[0]! >= 2),
      'every agent finished on a retry after the crash',
    );
    const rows = await storedRows(stack.db, runId);
    assert.deepEqual(rows, {
      runs: 1,
      predictions: 1,
      runners: result.runners.length,
      agents: 15,
      status: 'completed',
    });
    assert.equal(
      await countRows(stack.db, 'SELECT count(*) AS n FROM predictions WHERE race_id = $1', [card.raceId]),
      2,
      'the baseline run and this run, one row each',
    );
  });

  test('the Temporal dev server stops and restarts on its SQLite file during a four-race day: every race completes once', async () => {
    const day = cards.slice(1, 5);
    const w = await stack.startWorker({ faults: { delayMs: 3_000 } });
    try {
      const started = await Promise.all(
        day.map((card) => w.client.startRace(card, { sandbox: 'inline', placement: 'remote' })),
      );
      // Restart while the races are mid-flight: every one has reached its agents.
      await waitUntil(
        async () =>
          Promise.all(
            started.map(async (s) =>
              (await pendingActivities(w.client.temporal.workflow.getHandle(s.workflowId, s.runId))).some(
                (a) => a.type === 'runFusionAgent',
              ),
            ),
          ),
        (flags) => flags.every(Boolean),
      );
      await stack.restartTemporal();
      const results = await Promise.all(
        started.map((s) => resultThroughOutages<RaceResult>(w.client.temporal, s.workflowId, s.runId)),
      );
      assert.deepEqual(
        results.map((r) => r.raceId),
        day.map((c) => c.raceId),
      );
      for (const [i, s] of started.entries()) {
        const rows = await storedRows(stack.db, s.runId);
        assert.deepEqual(rows, {
          runs: 1,
          predictions: 1,
          runners: results[i]!.runners.length,
          agents: 15,
          status: 'completed',
        });
      }
    } finally {
      await w.stop();
    }
  });
});
