import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidInput } from '../../client/index.js';
import { raceDayWorkflowId } from '../../schemas/constants.js';
import type { RaceCard } from '../../schemas/race-card.js';
import type { raceDayWorkflow } from '../../workflows/race-day.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const HOUR = 3_600_000;
const withPost = (card: RaceCard, postTime: string): RaceCard => ({ ...card, postTime });

/**
 * On the time-skipping test server: post times lie hours ahead, and awaiting the day's result through the
 * skipping client jumps to each timer, so no assertion depends on how fast this machine is.
 */
describe('race days on the time-skipping Temporal test server and a real PostgreSQL', () => {
  let stack: TestStack;
  /** An ISO time this far from the server's clock (which runs ahead of the wall clock once it has skipped). */
  const at = async (msFromNow: number) => new Date((await stack.serverTimeMs()) + msFromNow).toISOString();
  const dayResult = (workflowId: string) =>
    stack.timeSkippingClient!.workflow.getHandle<typeof raceDayWorkflow>(workflowId).result();

  before(async () => {
    stack = await startTestStack({ timeSkipping: true });
  });
  after(async () => stack?.stop());

  test('a race day starts each race at its post time minus the offset, once, and a race past its post time is missed', async () => {
    const cards = await seedRaceDay(stack.db, 21, 3, '2026-05-01');
    const w = await stack.startWorker();
    try {
      const day = {
        meeting: cards[0]!.meeting,
        races: [
          withPost(cards[0]!, await at(3 * HOUR)),
          withPost(cards[1]!, await at(5 * HOUR)),
          withPost(cards[2]!, await at(-60_000)),
        ],
      };
      const options = { sandbox: 'inline' as const };
      const first = await w.client.startRaceDay(day, { offsetSeconds: 600, options });
      // The same day again: the same workflow is updated, not a second one started.
      const second = await w.client.startRaceDay(day, { offsetSeconds: 600, options });
      assert.equal(first.workflowId, raceDayWorkflowId(day.meeting.venue, day.meeting.date));
      assert.equal(second.workflowId, first.workflowId);
      assert.equal(second.runId, first.runId);

      const pending = await w.client.raceDayStatus(first.workflowId);
      for (const r of pending.races.filter((x) => x.status === 'pending')) {
        assert.equal(
          Date.parse(r.startAt),
          Date.parse(r.postTime) - 600_000,
          'start = post time minus the offset',
        );
      }

      const final = await dayResult(first.workflowId);
      const byId = new Map(final.races.map((r) => [r.raceId, r]));
      assert.equal(byId.get(cards[0]!.raceId)?.status, 'completed');
      assert.equal(byId.get(cards[1]!.raceId)?.status, 'completed');
      assert.equal(byId.get(cards[2]!.raceId)?.status, 'missed');
      assert.equal(byId.get(cards[0]!.raceId)?.runIds.length, 1);

      // Each race ran as race-<raceId>, as a child of the day, and never before its start time.
      const starts: number[] = [];
      for (const card of cards.slice(0, 2)) {
        const desc = await w.client.temporal.workflow.getHandle(`race-${card.raceId}`).describe();
        assert.equal(desc.parentExecution?.workflowId, first.workflowId);
        const state = byId.get(card.raceId)!;
        assert.ok(desc.startTime.getTime() >= Date.parse(state.startAt) - 1_000, 'a timer never fires early');
        starts.push(desc.startTime.getTime());
      }
      assert.ok(starts[0]! <= starts[1]!, 'races start in post-time order');
      const missed = await stack.db.query('SELECT count(*)::int AS n FROM race_runs WHERE race_id = $1', [
        cards[2]!.raceId,
      ]);
      assert.equal(missed.rows[0].n, 0);
    } finally {
      await w.stop();
    }
  });

  test('a scratching and an odds change before post time reach the pending run, the stored card and the prediction', async () => {
    const [card] = await seedRaceDay(stack.db, 22, 1, '2026-05-02');
    const w = await stack.startWorker();
    try {
      const baseline = await w.client.runRace(card!, {
        sandbox: 'inline',
        workflowId: `baseline-${card!.raceId}`,
      });
      const favourite = [...baseline.runners].sort((a, b) => b.winProbFinal - a.winProbFinal)[0]!;
      const other = baseline.runners.find((r) => r.horseId !== favourite.horseId)!;

      const day = { meeting: card!.meeting, races: [withPost(card!, await at(4 * HOUR))] };
      const { workflowId } = await w.client.startRaceDay(day, {
        offsetSeconds: 600,
        options: { sandbox: 'inline' },
      });

      await assert.rejects(
        w.client.lateChange(workflowId, { raceId: card!.raceId, scratch: ['no-such-horse'] }),
        InvalidInput,
      );
      const outcome = await w.client.lateChange(workflowId, {
        raceId: card!.raceId,
        scratch: [favourite.horseId],
        odds: { [other.horseId]: 2.5 },
      });
      assert.equal(outcome.outcome, 'applied');
      assert.equal(outcome.status, 'pending');

      const stored = await stack.db.query('SELECT card FROM race_cards WHERE race_id = $1', [card!.raceId]);
      const storedRunners = stored.rows[0].card.runners as {
        horseId: string;
        scratched: boolean;
        marketWinOdds?: number;
      }[];
      assert.equal(storedRunners.find((r) => r.horseId === favourite.horseId)?.scratched, true);
      assert.equal(storedRunners.find((r) => r.horseId === other.horseId)?.marketWinOdds, 2.5);

      await dayResult(workflowId);
      const after = await w.client.getResult(card!.raceId);
      assert.notEqual(after.runId, baseline.runId);
      assert.equal(after.runners.length, baseline.runners.length - 1);
      assert.ok(
        !after.runners.some((r) => r.horseId === favourite.horseId),
        'the scratched horse is not priced',
      );
      assert.equal(after.runners.find((r) => r.horseId === other.horseId)?.marketWinOdds, 2.5);
      const before = baseline.runners.find((r) => r.horseId === other.horseId)!;
      assert.ok(
        after.runners.find((r) => r.horseId === other.horseId)!.winProbFinal > before.winProbFinal,
        'the field without the favourite reprices',
      );

      // Every run is kept with the card it ran with; the race can be re-run on demand.
      const runs = await stack.db.query(
        'SELECT run_id, card FROM race_runs WHERE race_id = $1 ORDER BY started_at',
        [card!.raceId],
      );
      assert.equal(runs.rows.length, 2);
      assert.equal(
        (runs.rows[1].card.runners as { horseId: string; scratched: boolean }[]).find(
          (r) => r.horseId === favourite.horseId,
        )?.scratched,
        true,
      );
      const rerun = await w.client.rerunRace(stored.rows[0].card, { sandbox: 'inline' });
      await w.client.result(rerun.workflowId, rerun.runId);
      const count = await stack.db.query('SELECT count(*)::int AS n FROM predictions WHERE race_id = $1', [
        card!.raceId,
      ]);
      assert.equal(count.rows[0].n, 3);
    } finally {
      await w.stop();
    }
  });
});
