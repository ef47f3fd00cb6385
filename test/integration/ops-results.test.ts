import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { InvalidInput, resultFromOrder } from '../../client/index.js';
import { upsertDailyMetrics } from '../../db/results.js';
import type { DailyMetrics } from '../../schemas/ops.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const DATE = '2026-03-04';

/** A local webhook that records what it is sent: the alert path exercised end to end, as in production. */
async function startWebhook(): Promise<{ url: string; received: Record<string, unknown>[]; server: Server }> {
  const received: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, received, server };
}

const planted = (raceDate: string, over: Partial<DailyMetrics> = {}): DailyMetrics => ({
  raceDate,
  scope: 'all',
  racesScored: 8,
  racesExcluded: 0,
  excludedReasons: {},
  logLoss: 1.9,
  marketLogLoss: 1.95,
  pseudoR2: 0.2,
  marketPseudoR2: 0.18,
  brier: 0.07,
  ece: 0.02,
  marketEce: 0.02,
  top1: 0.3,
  ndcg4: 0.5,
  bets: 4,
  flatRoi: -0.1,
  favouriteBaseProb: 0.3,
  fieldSize: 12,
  favouriteOdds: 3,
  overround: 1.2,
  ...over,
});

describe('results ingestion and nightly monitoring on a real Temporal dev server and PostgreSQL', () => {
  let stack: TestStack;
  let cards: RaceCard[];
  let webhook: Awaited<ReturnType<typeof startWebhook>>;

  before(async () => {
    webhook = await startWebhook();
    // The worker's notifier reads ALERT_WEBHOOK_URL; this test file runs in its own process.
    process.env.ALERT_WEBHOOK_URL = webhook.url;
    stack = await startTestStack();
    cards = await seedRaceDay(stack.db, 11, 2, DATE);
  });
  after(async () => {
    await stack?.stop();
    webhook?.server.close();
  });

  test('an official result scores the stored prediction with SPEC 7 metrics and refreshes the day', async () => {
    const w = await stack.startWorker();
    try {
      const card = cards[0]!;
      const prediction = await w.client.runRace(card, { sandbox: 'inline' });
      const order = [...prediction.runners]
        .sort((a, b) => b.winProbFinal - a.winProbFinal)
        .map((r) => r.horseId);
      const summary = await w.client.recordResults(resultFromOrder(card.raceId, order));
      assert.equal(summary.raceDate, DATE);
      assert.equal(summary.runsScored, 1);
      const winner = prediction.runners.find((r) => r.horseId === order[0])!;
      assert.ok(Math.abs(summary.latest!.logLoss! - -Math.log(winner.winProbFinal)) < 1e-9);
      assert.equal(summary.latest!.top1, true);
      assert.ok(Math.abs(summary.latest!.uniformLogLoss - Math.log(prediction.runners.length)) < 1e-12);
      assert.equal(summary.latest!.excludedReason, null);

      const score = await stack.db.query(
        'SELECT run_id, log_loss, brier FROM race_scores WHERE race_id = $1',
        [card.raceId],
      );
      assert.equal(score.rows.length, 1);
      assert.equal(score.rows[0].run_id, prediction.runId);
      const day = await stack.db.query(
        'SELECT races_scored, metrics FROM daily_metrics WHERE race_date = $1 AND scope = $2',
        [DATE, 'all'],
      );
      assert.equal(day.rows[0].races_scored, 1);
      assert.ok(Math.abs(day.rows[0].metrics.logLoss - summary.latest!.logLoss!) < 1e-9);
      assert.ok(
        day.rows[0].metrics.pseudoR2 > 0,
        'the favourite won, so the model beats the uniform baseline',
      );
    } finally {
      await w.stop();
    }
  });

  test('a result naming a horse not on the card, or an unknown race, is refused and changes nothing', async () => {
    const w = await stack.startWorker();
    try {
      const raceId = cards[0]!.raceId;
      const before = await stack.db.query('SELECT finish FROM race_results WHERE race_id = $1', [raceId]);
      await assert.rejects(
        w.client.recordResults(resultFromOrder(raceId, ['no-such-horse'])),
        (err: unknown) =>
          err instanceof InvalidInput && err.type === 'InvalidResult' && /no-such-horse/.test(err.message),
      );
      await assert.rejects(
        w.client.recordResults(resultFromOrder('never-seen-race', ['h1'])),
        (err: unknown) => err instanceof InvalidInput && err.type === 'UnknownRace',
      );
      await assert.rejects(w.client.recordResults({ raceId, finish: [] }), InvalidInput);
      const after = await stack.db.query('SELECT finish FROM race_results WHERE race_id = $1', [raceId]);
      assert.deepEqual(after.rows, before.rows);
      const none = await stack.db.query('SELECT count(*)::int AS n FROM race_results WHERE race_id = $1', [
        'never-seen-race',
      ]);
      assert.equal(none.rows[0].n, 0);
    } finally {
      await w.stop();
    }
  });

  test('the nightly workflow writes daily metrics and raises a drift alert, once, on a planted shift', async () => {
    const w = await stack.startWorker();
    try {
      // The previous period: three good days.
      for (const d of ['2026-03-01', '2026-03-02', '2026-03-03'])
        await upsertDailyMetrics(stack.db, planted(d));
      // Today: the long shot wins, so the day's log loss jumps far above the baseline's 1.9.
      const card = cards[1]!;
      const prediction = await w.client.runRace(card, { sandbox: 'inline' });
      const order = [...prediction.runners]
        .sort((a, b) => a.winProbFinal - b.winProbFinal)
        .map((r) => r.horseId);
      await w.client.recordResults(resultFromOrder(card.raceId, order));

      const summary = await w.client.runMonitoring({ date: DATE, windowDays: 7 });
      assert.equal(summary.metrics.racesScored, 2);
      assert.equal(summary.baselineDays, 3);
      const logLossAlert = summary.alerts.find((a) => a.metric === 'logLoss');
      assert.ok(logLossAlert, `expected a log-loss alert, got ${JSON.stringify(summary.alerts)}`);
      assert.ok(logLossAlert.current > logLossAlert.baseline + logLossAlert.threshold);

      const stored = await stack.db.query(
        'SELECT metric, notified_via FROM alerts WHERE race_date = $1 ORDER BY metric',
        [DATE],
      );
      assert.ok(stored.rows.some((r) => r.metric === 'logLoss' && r.notified_via === 'webhook'));
      assert.ok(
        webhook.received.some(
          (a) => a.metric === 'logLoss' && a.source === 'race-engine' && a.key === logLossAlert.key,
        ),
      );
      const day = await stack.db.query('SELECT races_scored FROM daily_metrics WHERE race_date = $1', [DATE]);
      assert.equal(day.rows[0].races_scored, 2);

      // Running the night again re-raises nothing: each alert is stored and delivered once.
      const deliveries = webhook.received.length;
      const again = await w.client.runMonitoring({ date: DATE, windowDays: 7 });
      assert.equal(again.alerts.length, summary.alerts.length);
      assert.equal(webhook.received.length, deliveries);
      assert.equal(
        (await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE race_date = $1', [DATE])).rows[0]
          .n,
        stored.rows.length,
      );

      // Findable in the UI: JobKind = "monitoring" AND DriftAlert = true.
      let found = 0;
      for (let i = 0; i < 40 && found === 0; i++) {
        found = (await w.client.listRuns('JobKind = "monitoring" AND DriftAlert = true')).length;
        if (found === 0) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(found >= 1);
      const runs = await w.client.listRuns('JobKind = "monitoring" AND DriftAlert = true');
      assert.ok(runs.every((r) => r.status === 'COMPLETED'));
    } finally {
      await w.stop();
    }
  });
});
