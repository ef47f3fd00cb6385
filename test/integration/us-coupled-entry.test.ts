import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resultFromOrder } from '../../client/index.js';
import { PROJECT_ROOT } from '../../config/env.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const US = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'examples', 'us-coupled-example-card.json'), 'utf8'),
) as { raceId: string; runners: { horseId?: string; horseNo: string; marketWinOdds: number }[] };

describe('a US card with a coupled entry, end to end on a real Temporal dev server and PostgreSQL', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => stack?.stop());

  test('runs, prices per betting interest, stores the interest and scores the entry as one', async () => {
    const w = await stack.startWorker();
    try {
      const result = await w.client.runRace(US, { sandbox: 'inline' });
      assert.equal(result.synthesis.agentsSucceeded, 15);
      assert.equal(result.runners.length, US.runners.length);
      const coupled = result.runners.filter((r) => r.bettingInterest === '1');
      assert.deepEqual(coupled.map((r) => r.horseNo).sort(), ['1', '1A']);
      // A coupled runner cannot be backed alone: no runner-level market share, edge or stake.
      for (const r of coupled) {
        assert.ok(r.flags.includes('coupled-entry:1'));
        assert.equal(r.edge, undefined);
        assert.equal(r.stake, undefined);
      }
      const interests = result.interests!;
      assert.equal(interests.length, US.runners.length - 1);
      const one = interests.find((i) => i.bettingInterest === '1')!;
      assert.deepEqual([...one.horseIds].sort(), coupled.map((r) => r.horseId).sort());
      const p = coupled.reduce((s, r) => s + r.winProbFinal, 0);
      assert.ok(Math.abs(one.winProbFinal - p) < 1e-12);
      assert.ok(Math.abs(one.fairOdds - 1 / p) < 1e-9);
      assert.equal(one.marketWinOdds, 3.2);
      assert.ok(Math.abs(one.edge! - (p * 3.2 - 1)) < 1e-9);
      // The market is normalised over the six interests: the entry's one price counts once.
      const inv = [
        ...new Map(US.runners.map((r) => [r.horseNo.replace(/\D+$/, ''), 1 / r.marketWinOdds])).values(),
      ];
      const overround = inv.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(one.marketProb! - 1 / 3.2 / overround) < 1e-12);
      assert.ok(Math.abs(interests.reduce((s, i) => s + i.marketProb!, 0) - 1) < 1e-12);
      const single = interests.find((i) => i.bettingInterest === '2')!;
      const two = result.runners.find((r) => r.horseNo === '2')!;
      assert.equal(single.edge, two.edge);
      assert.equal(single.stake, two.stake);
      // The runner without a horse id ran with no history, and says so.
      const anon = result.runners.find((r) => r.horseNo === '6')!;
      assert.ok(anon.horseId.startsWith('_anon:'));
      assert.ok(anon.flags.includes('no-horse-id:no-history'));

      const rows = await stack.db.query(
        'SELECT horse_no, betting_interest FROM runner_predictions WHERE run_id = $1 ORDER BY horse_no',
        [result.runId],
      );
      assert.deepEqual(
        rows.rows.filter((r) => r.betting_interest === '1').map((r) => r.horse_no),
        ['1', '1A'],
      );

      // 1A wins: the entry (interest 1) won, so the log loss is -ln of the entry's probability.
      const order = ['1A', '2', '1', '3', '4', '5'].map(
        (no) => result.runners.find((r) => r.horseNo === no)!.horseId,
      );
      const summary = await w.client.recordResults(resultFromOrder(US.raceId, order));
      assert.ok(Math.abs(summary.latest!.logLoss! - -Math.log(p)) < 1e-9);
      assert.ok(Math.abs(summary.latest!.marketLogLoss! - -Math.log(one.marketProb!)) < 1e-9);
      assert.equal(summary.latest!.winnerHorseId, order[0]);
    } finally {
      await w.stop();
    }
  });
});
