import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeTimeoutType } from '@temporalio/common';
import { STRATEGY_NAMES } from '../../schemas/constants.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { injectedFailureDecides } from '../support/agent-faults.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { storedRows } from '../support/reliability.js';

const MAX_AGENT_ATTEMPTS = 3;

/** Malformed agent output and a below-quorum race are covered in test/integration/race-workflow.test.ts. */
describe('agent faults on a real Temporal dev server', () => {
  let stack: TestStack;
  let cards: RaceCard[];

  before(async () => {
    stack = await startTestStack();
    cards = await seedRaceDay(stack.db, 47, 2);
  });
  after(async () => stack?.stop());

  test('30% transient faults (seeded per race, strategy and attempt) are retried: exactly the predicted attempts run', async () => {
    const card = cards[0]!;
    const failRate = { rate: 0.3, seed: 'reliability-30' };
    const fails = (strategy: string, attempt: number) =>
      injectedFailureDecides(failRate.rate, failRate.seed, card.raceId, strategy, attempt);
    const expected = Object.fromEntries(
      STRATEGY_NAMES.map((s) => {
        const ok = [1, 2, 3].find((a) => !fails(s, a));
        return [s, ok ?? null];
      }),
    );
    const retried = Object.values(expected).filter((a) => a !== null && a > 1).length;
    const exhausted = STRATEGY_NAMES.filter((s) => expected[s] === null);
    assert.ok(retried >= 3, `the seed makes several agents retry (${retried})`);

    const w = await stack.startWorker({ faults: { failRate } });
    try {
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
      });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.synthesis.agentsSucceeded, 15 - exhausted.length);
      assert.deepEqual(result.synthesis.agentsFailed.map((f) => f.strategy).sort(), [...exhausted].sort());
      const attempts = Object.fromEntries(
        (await activityAttempts(w.client.temporal, workflowId, runId))
          .filter((a) => a.activityType === 'runFusionAgent')
          .map((a) => [(a.input[0] as { strategy: string }).strategy, a.attempts.at(-1) ?? null]),
      );
      for (const s of STRATEGY_NAMES) {
        assert.equal(
          attempts[s],
          expected[s] ?? MAX_AGENT_ATTEMPTS,
          `${s}: the attempt that completed (or the last one)`,
        );
      }
      const rows = await storedRows(stack.db, runId);
      assert.equal(rows.predictions, 1);
      assert.equal(rows.agents, 15);
    } finally {
      await w.stop();
    }
  });

  test('an agent that hangs without heartbeating is timed out by its heartbeat timeout and retried to success', async () => {
    const card = cards[1]!;
    const w = await stack.startWorker({
      faults: { hangAttempts: { strategies: ['FieldNormalizer_HardNorm'], attempts: [1] } },
    });
    try {
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
      });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.synthesis.agentsSucceeded, 15);
      assert.equal(result.degraded, false);
      const hung = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
        (a) =>
          a.activityType === 'runFusionAgent' &&
          (a.input[0] as { strategy: string }).strategy === 'FieldNormalizer_HardNorm',
      );
      assert.deepEqual(hung?.attempts, [2], 'the hung first attempt was abandoned; the second completed');
      const history = await w.client.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      // The hang never ends by itself: only the heartbeat timeout (10 s, inside the 30 s start-to-close) ends it.
      const retried = history.events?.find(
        (e) => e.activityTaskStartedEventAttributes?.attempt === 2,
      )?.activityTaskStartedEventAttributes;
      assert.equal(
        decodeTimeoutType(retried?.lastFailure?.timeoutFailureInfo?.timeoutType),
        'HEARTBEAT',
        'the first attempt ended by its heartbeat timeout',
      );
      assert.ok(
        !history.events?.some((e) => e.activityTaskTimedOutEventAttributes),
        'the timeout was absorbed by a retry, not surfaced',
      );
    } finally {
      await w.stop();
    }
  });
});
