import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidPolicyError, STARTING_BANKROLL } from '../../book/policies.js';
import { resultFromOrder } from '../../client/index.js';
import { getBookStatus, ledgerSeries, listBets, registerPolicy } from '../../db/book.js';
import type { BetRow } from '../../schemas/book.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const DATE = '2026-05-06';
/** A policy that bets any positive edge of the fused consensus (no market blend), so a synthetic race takes bets. */
const POLICY = {
  name: 'test-any-edge',
  description: 'flat 1% on every runner the fused consensus prices above the market',
  stake: { kind: 'flat', fraction: 0.01 },
  probability: 'fused',
  minEdge: 0,
  caps: { perBet: 0.05, perRace: 1, perDay: 1 },
  place: true,
} as const;

const live = (bets: BetRow[]) => bets.filter((b) => b.status !== 'replaced');
const sum = (v: number[]) => Math.round(v.reduce((a, b) => a + b, 0) * 100) / 100;

describe('the paper book on a real Temporal dev server and PostgreSQL', () => {
  let stack: TestStack;
  let card: RaceCard;
  let w: Awaited<ReturnType<TestStack['startWorker']>>;

  before(async () => {
    stack = await startTestStack();
    [card] = (await seedRaceDay(stack.db, 21, 1, DATE)) as [RaceCard];
    w = await stack.startWorker({ env: { BOOK_POLICY: JSON.stringify(POLICY) } });
  });
  after(async () => {
    await w?.stop();
    await stack?.stop();
  });

  const ledgerSum = async () =>
    Number(
      (
        await stack.db.query<{ s: string }>(`SELECT sum(amount) AS s FROM book_ledger WHERE policy = $1`, [
          POLICY.name,
        ])
      ).rows[0]?.s,
    );

  test('a race run places its bets; a re-run before the result replaces them instead of adding', async () => {
    const first = await w.client.runRace(card, { sandbox: 'inline' });
    const placed = await listBets(stack.db, { raceId: card.raceId });
    assert.ok(placed.length > 0, 'the run placed bets');
    assert.ok(
      placed.every((b) => b.status === 'open' && b.runId === first.runId && b.policy === POLICY.name),
    );

    const { workflowId, runId } = await w.client.rerunRace(card, { sandbox: 'inline' });
    await w.client.result(workflowId, runId);
    const after = await listBets(stack.db, { raceId: card.raceId });
    assert.deepEqual(
      after.filter((b) => b.runId === first.runId).map((b) => b.status),
      placed.map(() => 'replaced'),
    );
    const open = after.filter((b) => b.status === 'open');
    assert.ok(open.length > 0 && open.every((b) => b.runId === runId));
    const status = await getBookStatus(stack.db, POLICY.name);
    assert.equal(status.openBets, open.length);
    assert.equal(status.balance, sum([STARTING_BANKROLL, ...open.map((b) => -b.stake)]));
  });

  test('recording the result settles once; sending it again pays nothing more', async () => {
    const open = await listBets(stack.db, { raceId: card.raceId, status: 'open' });
    const winner = open[0]!.horseId;
    const order = [winner, ...card.runners.map((r) => r.horseId).filter((h) => h !== winner)];
    const first = await w.client.recordResults(resultFromOrder(card.raceId, order));
    assert.equal(first.bets.settled, open.length);
    const settled = live(await listBets(stack.db, { raceId: card.raceId }));
    assert.ok(settled.every((b) => b.status !== 'open' && b.payout !== null && b.settledAt !== null));
    const won = settled.find((b) => b.horseId === winner && b.betType === 'win');
    assert.equal(won?.status, 'won');
    assert.equal(won?.payout, Math.round(won.stake * won.odds * 100) / 100);
    const balance = (await getBookStatus(stack.db, POLICY.name)).balance;

    await w.client.recordResults(resultFromOrder(card.raceId, order));
    assert.equal((await getBookStatus(stack.db, POLICY.name)).balance, balance);
    assert.deepEqual(live(await listBets(stack.db, { raceId: card.raceId })), settled);
  });

  test('a corrected result re-settles without paying twice, and a re-run after the result bets nothing', async () => {
    const before = live(await listBets(stack.db, { raceId: card.raceId }));
    const loser = card.runners.map((r) => r.horseId).find((h) => !before.some((b) => b.horseId === h))!;
    const order = [loser, ...card.runners.map((r) => r.horseId).filter((h) => h !== loser)];
    await w.client.recordResults(resultFromOrder(card.raceId, order));
    const after = live(await listBets(stack.db, { raceId: card.raceId }));
    assert.ok(
      after.every((b) => b.betType === 'place' || b.status === 'lost'),
      'no win bet won: the winner had none',
    );
    const status = await getBookStatus(stack.db, POLICY.name);
    assert.equal(status.settledBets, after.length);
    assert.equal(status.balance, sum([STARTING_BANKROLL, ...after.map((b) => (b.payout ?? 0) - b.stake)]));

    const { workflowId, runId } = await w.client.rerunRace(card, { sandbox: 'inline' });
    await w.client.result(workflowId, runId);
    assert.equal(
      (await listBets(stack.db, { raceId: card.raceId })).filter((b) => b.runId === runId).length,
      0,
    );
  });

  test('after all of that the balance equals the sum of the ledger rows, and every row is in the series', async () => {
    const status = await getBookStatus(stack.db, POLICY.name);
    assert.equal(status.balance, await ledgerSum());
    const series = await ledgerSeries(stack.db, POLICY.name);
    assert.equal(series.at(-1)?.balance, status.balance);
    assert.equal(series[0]?.balance, STARTING_BANKROLL);
    const bets = await listBets(stack.db, { date: DATE });
    assert.ok(bets.length > 0 && bets.every((b) => b.raceId === card.raceId));
    // The SDK client reads the same book through Temporal.
    assert.deepEqual(await w.client.bookStatus(POLICY.name), status);
    assert.deepEqual(
      await w.client.listBets({ raceId: card.raceId }),
      await listBets(stack.db, { raceId: card.raceId }),
    );
    assert.equal(
      (await w.client.bookStatus()).policy,
      POLICY.name,
      "the worker's configured policy by default",
    );
    assert.deepEqual(await w.client.bookLedger(POLICY.name), series);
    await assert.rejects(w.client.listBets({ date: 'yesterday' }), /invalid bet query: date/);
  });

  test('the nightly job stores the error map of its window, every module and odds band, with its report', async () => {
    await w.client.runMonitoring({ date: DATE, windowDays: 7 });
    const { rows } = await stack.db.query<{
      races: number;
      map: { modules: { module: string }[]; cells: unknown[] };
      report: string;
    }>(`SELECT races, map, report FROM error_maps WHERE window_to = $1 AND window_days = 7`, [DATE]);
    assert.equal(rows[0]?.races, 1);
    const modules = rows[0]?.map.modules.map((m) => m.module) ?? [];
    for (const m of [
      'market',
      'quant',
      'evidence:tactics',
      'strategy:BayesianUpdater_Balanced',
      'fused',
      'final',
    ])
      assert.ok(modules.includes(m), `module ${m} in the map`);
    assert.ok((rows[0]?.map.cells.length ?? 0) > 0);
    assert.match(rows[0]?.report ?? '', /## Error map, 2026-04-30 to 2026-05-06/);
  });

  test('a policy with a negative fraction, a cap above 1 or an unknown signal is refused and stores nothing', async () => {
    const count = async () =>
      (
        await stack.db.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM book_policies) + (SELECT count(*) FROM book_ledger) AS n`,
        )
      ).rows[0]?.n;
    const n = await count();
    const bad = [
      { ...POLICY, name: 'neg', stake: { kind: 'kelly', fraction: -0.1 } },
      { ...POLICY, name: 'cap', caps: { ...POLICY.caps, perBet: 1.5 } },
      { ...POLICY, name: 'x-convergence', convergence: { k: 1, signals: ['tipster'] } },
    ];
    for (const p of bad)
      await assert.rejects(registerPolicy(stack.db, p), (err: Error) => {
        assert.ok(err instanceof InvalidPolicyError);
        assert.match(
          err.message,
          /stake\.fraction: must not be negative|caps\.perBet: must be at most 1|convergence\.signals/,
        );
        return true;
      });
    assert.equal(await count(), n);
  });
});
