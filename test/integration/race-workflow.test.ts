import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { InvalidRaceCard } from '../../client/index.js';
import { STRATEGY_NAMES } from '../../schemas/constants.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  return last;
}

const count = async (stack: TestStack, sql: string, params: unknown[]) =>
  Number((await stack.db.query(sql, params)).rows[0].n);

describe('race workflow on a real Temporal dev server and PostgreSQL', () => {
  let stack: TestStack;
  let cards: RaceCard[];

  before(async () => {
    stack = await startTestStack();
    cards = await seedRaceDay(stack.db, 7, 3);
  });
  after(async () => stack?.stop());

  test('a race runs end to end with all fifteen agents and synthesis, and its result is stored once', async () => {
    const w = await stack.startWorker();
    try {
      const card = cards[0]!;
      // Every stage remote, so the history lists each agent activity; the default (local) path is in
      // test/integration/local-activities.test.ts.
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
      });
      assert.equal(workflowId, `race-${card.raceId}`);
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.raceId, card.raceId);
      assert.equal(result.degraded, false);
      assert.equal(result.synthesis.agentsSucceeded, 15);
      const active = card.runners.filter((r) => !r.scratched);
      assert.equal(result.runners.length, active.length);
      const winSum = result.runners.reduce((s, r) => s + r.winProbFinal, 0);
      assert.ok(Math.abs(winSum - 1) < 1e-9, `final win probabilities sum to ${winSum}`);
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM predictions WHERE race_id = $1', [card.raceId]),
        1,
      );
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM agent_outputs WHERE run_id = $1 AND succeeded', [
          runId,
        ]),
        15,
      );
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM runner_predictions WHERE run_id = $1', [runId]),
        active.length,
      );
      const run = await stack.db.query('SELECT status FROM race_runs WHERE run_id = $1', [runId]);
      assert.equal(run.rows[0].status, 'completed');
      const metadata = await w.client.temporal.workflow
        .getHandle(workflowId, runId)
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(metadata.currentDetails ?? '', /^top pick #\d+.* · 15\/15 agents · not degraded$/);
      const agentTypes = (await activityAttempts(w.client.temporal, workflowId, runId)).filter(
        (a) => a.activityType === 'runFusionAgent',
      );
      assert.deepEqual(
        agentTypes.map((a) => (a.input[0] as { strategy: string }).strategy).sort(),
        [...STRATEGY_NAMES].sort(),
      );
    } finally {
      await w.stop();
    }
  });

  test('a malformed card is refused by the client before anything starts', async () => {
    const w = await stack.startWorker();
    try {
      const bad = { ...cards[1]!, raceId: 'bad-card-client', distanceM: -5 };
      await assert.rejects(
        w.client.startRace(bad),
        (err: unknown) => err instanceof InvalidRaceCard && /distanceM/.test(err.message),
      );
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM race_runs WHERE race_id = $1', ['bad-card-client']),
        0,
      );
    } finally {
      await w.stop();
    }
  });

  test('a malformed card started around the client (as from the UI) fails with InvalidRaceCard and stores nothing', async () => {
    const w = await stack.startWorker();
    try {
      const bad = {
        ...cards[1]!,
        raceId: 'bad-card-ui',
        runners: cards[1]!.runners.map((r) => ({ ...r, marketWinOdds: 1 })),
      };
      const handle = await w.client.temporal.workflow.start('raceWorkflow', {
        taskQueue: w.taskQueue,
        workflowId: 'race-bad-card-ui',
        args: [{ card: bad }],
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'InvalidRaceCard');
        assert.equal(err.cause.nonRetryable, true);
        assert.match(err.cause.message, /marketWinOdds/);
        return true;
      });
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM race_runs WHERE race_id = $1', ['bad-card-ui']),
        0,
      );
      assert.equal(
        await count(stack, 'SELECT count(*) AS n FROM race_cards WHERE race_id = $1', ['bad-card-ui']),
        0,
      );
    } finally {
      await w.stop();
    }
  });

  test('an agent that fails transiently is retried and the race still completes', async () => {
    const w = await stack.startWorker({
      faults: { failAttempts: { strategies: ['CalibrationAgent_Platt'], attempts: [1] } },
    });
    try {
      const card = cards[1]!;
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
        workflowId: `race-${card.raceId}-retry`,
      });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.synthesis.agentsSucceeded, 15);
      const platt = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) =>
          a.activityType === 'runFusionAgent' &&
          (a.input[0] as { strategy: string }).strategy === 'CalibrationAgent_Platt',
      );
      assert.deepEqual(platt?.attempts, [2], 'the recorded start is the second attempt');
      const others = (await activityAttempts(w.client.temporal, workflowId, runId)).filter(
        (a) =>
          a.activityType === 'runFusionAgent' &&
          (a.input[0] as { strategy: string }).strategy !== 'CalibrationAgent_Platt',
      );
      assert.ok(others.every((a) => a.attempts[0] === 1));
    } finally {
      await w.stop();
    }
  });

  test('below quorum the race completes in degraded mode and says so; malformed agent output counts as a failure without retries', async () => {
    const failing = STRATEGY_NAMES.slice(0, 5);
    const w = await stack.startWorker({
      faults: { alwaysFail: [...failing], malformed: ['SynthesisAgent_Ensemble'] },
    });
    try {
      const card = cards[2]!;
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
        workflowId: `race-${card.raceId}-degraded`,
      });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.degraded, true);
      assert.equal(result.synthesis.agentsSucceeded, 9);
      const types = Object.fromEntries(result.synthesis.agentsFailed.map((f) => [f.strategy, f.errorType]));
      assert.equal(types.SynthesisAgent_Ensemble, 'InvalidAgentOutput');
      for (const s of failing) assert.equal(types[s], 'InjectedFault');
      const malformed = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) => (a.input[0] as { strategy?: string })?.strategy === 'SynthesisAgent_Ensemble',
      );
      assert.deepEqual(malformed?.attempts, [1], 'schema violations are not retried');
      assert.match(result.explanation.summary, /DEGRADED/);
      const stored = await stack.db.query('SELECT degraded FROM predictions WHERE run_id = $1', [runId]);
      assert.equal(stored.rows[0].degraded, true);
    } finally {
      await w.stop();
    }
  });

  test('a race cancelled mid-flight is marked failed as Cancelled, and the cancellation is what the caller sees', async () => {
    const w = await stack.startWorker({ faults: { delayMs: 5_000 } });
    try {
      const card = cards[1]!;
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
        workflowId: `race-${card.raceId}-cancel`,
      });
      const handle = w.client.temporal.workflow.getHandle(workflowId, runId);
      const fusing = await eventually(
        () => handle.query<{ status: string }>('raceStatus'),
        (s) => s.status === 'fusing',
      );
      assert.equal(fusing.status, 'fusing', 'the race reached its agents before the cancel');
      await handle.cancel();
      await assert.rejects(
        handle.result(),
        (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );
      const run = await stack.db.query('SELECT status, error_type FROM race_runs WHERE run_id = $1', [runId]);
      assert.deepEqual(run.rows[0], { status: 'failed', error_type: 'Cancelled' });
      assert.equal(await count(stack, 'SELECT count(*) AS n FROM predictions WHERE run_id = $1', [runId]), 0);
    } finally {
      await w.stop();
    }
  });

  // The test starts its own run (degraded, so both attributes are exercised) instead of relying on earlier tests.
  test('runs can be listed by search attribute', async () => {
    const [card] = await seedRaceDay(stack.db, 9, 1, '2026-03-05');
    const w = await stack.startWorker({
      faults: { alwaysFail: [...STRATEGY_NAMES.slice(0, 5)], malformed: ['SynthesisAgent_Ensemble'] },
    });
    try {
      const { workflowId, runId } = await w.client.startRace(card!, {
        sandbox: 'inline',
        workflowId: `race-${card!.raceId}-listed`,
      });
      await w.client.result(workflowId, runId);
      const runs = await eventually(
        () => w.client.listRuns(`RaceId = "${card!.raceId}" AND RunStatus = "completed"`),
        (r) => r.length >= 1,
      );
      assert.deepEqual(
        runs.map((r) => [r.raceId, r.venue]),
        [[card!.raceId, card!.meeting.venue]],
      );
      const degraded = await eventually(
        () => w.client.listRuns(`RaceId = "${card!.raceId}" AND Degraded = true`),
        (r) => r.length >= 1,
      );
      assert.deepEqual(
        degraded.map((r) => r.raceId),
        [card!.raceId],
      );
    } finally {
      await w.stop();
    }
  });
});
