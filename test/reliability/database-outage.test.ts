import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RaceCard } from '../../schemas/race-card.js';
import { raceStatusQuery } from '../../workflows/race.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { pendingActivities, storedRows, waitUntil } from '../support/reliability.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

describe('durability: PostgreSQL goes away while a race is being persisted', () => {
  let stack: TestStack;
  let proxy: TcpProxy;
  let card: RaceCard;

  before(async () => {
    stack = await startTestStack();
    [card] = (await seedRaceDay(stack.db, 43, 1)) as [RaceCard];
    const url = new URL(stack.databaseUrl);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  });
  after(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  test('persistRace retries with backoff through the outage and the result lands exactly once when the database is back', async () => {
    const viaProxy = new URL(stack.databaseUrl);
    viaProxy.port = String(proxy.port);
    // Slow agents give time to cut the database after the card is recorded and before the result is persisted.
    const w = await stack.startWorker({ databaseUrl: viaProxy.toString(), faults: { delayMs: 2_000 } });
    try {
      const { workflowId, runId } = await w.client.startRace(card, {
        sandbox: 'inline',
        placement: 'remote',
      });
      const handle = w.client.temporal.workflow.getHandle(workflowId, runId);
      const status = await waitUntil(
        () => handle.query(raceStatusQuery),
        (s) => s.status === 'fusing',
      );
      assert.equal(status.status, 'fusing');
      proxy.cut();

      // The stack's own pool goes straight to PostgreSQL: it sees what is stored during the outage.
      const persist = await waitUntil(
        async () => (await pendingActivities(handle)).find((a) => a.type === 'persistRace'),
        (a) => a !== undefined && a.attempt >= 3,
      );
      assert.ok(persist && persist.attempt >= 3, 'persistRace failed at least twice and is being retried');
      assert.ok(persist.lastFailure, 'the pending activity carries its last failure');
      assert.ok(proxy.refused > 0);
      assert.deepEqual(await storedRows(stack.db, runId), {
        runs: 1,
        predictions: 0,
        runners: 0,
        agents: 0,
        status: 'running',
      });

      proxy.restore();
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.synthesis.agentsSucceeded, 15);
      assert.deepEqual(await storedRows(stack.db, runId), {
        runs: 1,
        predictions: 1,
        runners: result.runners.length,
        agents: 15,
        status: 'completed',
      });
    } finally {
      proxy.restore();
      await w.stop();
    }
  });
});
