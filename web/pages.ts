import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  chart,
  esc,
  num,
  page,
  pct,
  runnerLabel,
  runnersTable,
  table,
  temporalRunUrl,
  topPick,
} from './html.js';
import {
  agentsOfRun,
  dailyMetrics,
  datesWithRuns,
  latestResult,
  listRaceRuns,
  raceDay,
  recentAlerts,
} from './queries.js';
import type { WebDeps } from './deps.js';

const DateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .optional();

/** The server-rendered pages: race day, one race, the book, monitoring. Read-only, served without a key. */
export function registerPages(app: FastifyInstance, deps: WebDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const runLink = (workflowId: string, runId: string) =>
    deps.temporalUiUrl
      ? `<a href="${esc(temporalRunUrl(deps.temporalUiUrl, deps.namespace, workflowId, runId))}">run in the Temporal UI</a>`
      : `<span class="muted">run ${esc(runId)}</span>`;

  r.get(
    '/',
    { schema: { hide: true, querystring: z.object({ date: DateParam, venue: z.string().optional() }) } },
    async (req, reply) => {
      const dates = await datesWithRuns(deps.db);
      const date = req.query.date ?? dates[0];
      const races = date ? await raceDay(deps.db, date, req.query.venue) : [];
      const picker = dates.length
        ? `<p>Days: ${dates.map((d) => (d === date ? `<strong>${d}</strong>` : `<a href="/?date=${d}">${d}</a>`)).join(' · ')}</p>`
        : '';
      const sections = races.map(({ card, run, result }) => {
        const pick = result ? topPick(result) : undefined;
        const head = `<h2 id="${esc(card.raceId)}"><a href="/races/${encodeURIComponent(card.raceId)}">${esc(card.raceId)}</a>
          <span class="muted">${esc(card.meeting.venue)} race ${esc(card.raceNo)} · ${esc(card.distanceM)}m ${esc(card.surface)} ${esc(card.going)} · class ${esc(card.raceClass)}</span></h2>`;
        const body = result
          ? `<p class="pick">Top pick: <strong data-top-pick="${esc(card.raceId)}">${esc(pick ? runnerLabel(pick) : '-')}</strong> (${pct(pick?.winProbFinal)})
               ${result.degraded ? '<span class="pill bad">degraded</span>' : ''} · ${runLink(result.workflowId, result.runId)}</p>${runnersTable(result)}`
          : `<p>Run ${esc(run.status)}${run.errorType ? `: ${esc(run.errorType)}` : ''}, no result yet · ${runLink(run.workflowId, run.runId)}</p>`;
        return `<section class="race" data-race-id="${esc(card.raceId)}">${head}${body}</section>`;
      });
      const body = date
        ? `<h1>Race day ${esc(date)}${req.query.venue ? ` at ${esc(req.query.venue)}` : ''}</h1>${picker}${
            sections.join('') || '<p>No race was run on this day.</p>'
          }`
        : '<h1>Race day</h1><p>No race has been run yet. Start one with <code>POST /api/races</code> or <code>npm run demo</code>.</p>';
      return reply.type('text/html').send(page(date ? `Race day ${date}` : 'Race day', body));
    },
  );

  r.get(
    '/races/:raceId',
    { schema: { hide: true, params: z.object({ raceId: z.string() }) } },
    async (req, reply) => {
      const { raceId } = req.params;
      const [result, runs] = await Promise.all([
        latestResult(deps.db, raceId),
        listRaceRuns(deps.db, { raceId, limit: 20 }),
      ]);
      if (!result && runs.length === 0)
        return reply
          .code(404)
          .type('text/html')
          .send(page('Not found', `<h1>No race ${esc(raceId)}</h1>`));
      let body = `<h1>${esc(raceId)}</h1>`;
      if (result) {
        const s = result.synthesis;
        const agents = await agentsOfRun(deps.db, result.runId);
        const outliers = new Set(s.outlierAgents);
        const kept = agents.filter((a) => a.succeeded && !outliers.has(a.strategy));
        const pick = topPick(result);
        body += `<p>Top pick: <strong>${esc(pick ? runnerLabel(pick) : '-')}</strong> (${pct(pick?.winProbFinal)}) · ${runLink(result.workflowId, result.runId)}
        ${result.degraded ? '<span class="pill bad">degraded</span>' : ''}</p>
        ${runnersTable(result)}
        ${chart('probs', {
          type: 'bar',
          data: {
            labels: result.runners.map((x) => String(x.horseNo)),
            datasets: [
              { label: 'Final', data: result.runners.map((x) => x.winProbFinal) },
              { label: 'Market', data: result.runners.map((x) => x.marketProb ?? null) },
              { label: 'Base', data: result.runners.map((x) => x.winProbBase) },
            ],
          },
          options: { maintainAspectRatio: false, animation: false },
        })}
        <h2>Consensus</h2><p>Race consensus score ${num(s.consensusScore, 3)}, distinct estimates ${num(s.effectiveEstimates, 1)},
          agents ${s.agentsSucceeded}/15 succeeded (quorum ${s.quorum}), values dropped as outliers ${s.droppedValues}.</p>
        <h2>Agents</h2>
        <p><strong>Kept (${kept.length}):</strong> ${kept.map((a) => `<span class="pill">${esc(a.strategy)}</span>`).join('') || 'none'}</p>
        <p><strong>Dropped as outliers (${s.outlierAgents.length}):</strong> ${s.outlierAgents.map((a) => `<span class="pill">${esc(a)}</span>`).join('') || 'none'}</p>
        <p><strong>Failed (${s.agentsFailed.length}):</strong> ${s.agentsFailed.map((f) => `<span class="pill bad">${esc(f.strategy)}: ${esc(f.errorType)}</span>`).join('') || 'none'}</p>
        <h2>Explanation</h2><p>${esc(result.explanation.summary)}</p>
        <p><strong>Qualitative:</strong> ${result.explanation.topQualitativeFactors.map(esc).join('; ') || '-'}</p>
        <p><strong>Quantitative:</strong> ${result.explanation.topQuantitativeFeatures.map(esc).join('; ') || '-'}</p>
        <h2>Provenance</h2>${table(
          ['item', 'value'],
          Object.entries({
            ...result.provenance,
            calibratorVersions: [...new Set(Object.values(result.provenance.calibratorVersions))].join(', '),
            marketBlend: s.richBlend?.version ?? s.marketBlend?.version ?? 'off',
            tokens: `${result.usage.inputTokens} in / ${result.usage.outputTokens} out, $${result.usage.costUsd.toFixed(4)}`,
            sandboxSeconds: result.usage.sandboxSeconds.toFixed(3),
          }).map(([k, v]) => [esc(k), esc(v)]),
        )}`;
      } else body += '<p>No result yet.</p>';
      body += `<h2>Runs</h2>${table(
        ['started', 'run', 'status', 'degraded', 'error'],
        runs.map((x) => [
          esc(x.startedAt),
          runLink(x.workflowId, x.runId),
          esc(x.status),
          esc(x.degraded ?? ''),
          esc(x.errorType ?? ''),
        ]),
      )}`;
      return reply.type('text/html').send(page(raceId, body, { charts: Boolean(result) }));
    },
  );

  r.get(
    '/book',
    { schema: { hide: true, querystring: z.object({ policy: z.string().optional() }) } },
    async (req, reply) => {
      if (!deps.book)
        return reply
          .code(503)
          .type('text/html')
          .send(
            page(
              'Book',
              '<h1>Book</h1><p class="bad">Book not configured: this server was started without a book.</p>',
            ),
          );
      const policy = req.query.policy;
      const [status, open, ledger] = await Promise.all([
        deps.book.status(policy),
        deps.book.bets({ status: 'open' }),
        deps.book.ledgerSeries(policy),
      ]);
      const body = `<h1>Book · ${esc(status.policy)}</h1>
      <p>Balance <strong>${num(status.balance)}</strong> from ${num(status.startingBankroll)} · profit ${num(status.profit)} on turnover ${num(status.turnover)}
        · ${status.openBets} open, ${status.settledBets} settled bets</p>
      ${chart('bankroll', {
        type: 'line',
        data: {
          labels: ledger.map((p) => p.at),
          datasets: [{ label: 'Bankroll', data: ledger.map((p) => p.balance), fill: false }],
        },
        options: { maintainAspectRatio: false, animation: false },
      })}
      <h2>Open bets</h2>${table(
        ['race', 'horse', 'type', 'odds', 'stake', 'placed'],
        open.map((b) => [
          `<a href="/races/${encodeURIComponent(b.raceId)}">${esc(b.raceId)}</a>`,
          esc(b.horseNo),
          esc(b.betType),
          num(b.odds),
          num(b.stake),
          esc(b.placedAt),
        ]),
      )}`;
      return reply.type('text/html').send(page('Book', body, { charts: true }));
    },
  );

  r.get('/monitoring', { schema: { hide: true } }, async (_req, reply) => {
    const [days, alerts] = await Promise.all([dailyMetrics(deps.db, { limit: 90 }), recentAlerts(deps.db)]);
    const body = `<h1>Monitoring</h1>
      ${
        days.length
          ? chart('logloss', {
              type: 'line',
              data: {
                labels: days.map((d) => d.raceDate),
                datasets: [
                  { label: 'model log loss', data: days.map((d) => d.logLoss) },
                  { label: 'market log loss', data: days.map((d) => d.marketLogLoss) },
                ],
              },
              options: { maintainAspectRatio: false, animation: false },
            })
          : '<p>No day has been scored yet (record results with <code>npm run results -- record</code>).</p>'
      }
      <h2>Daily metrics</h2>${table(
        [
          'date',
          'scored',
          'excluded',
          'log loss',
          'market',
          'pseudo R²',
          'market R²',
          'Brier',
          'ECE',
          'top-1',
          'NDCG@4',
          'bets',
          'flat ROI',
        ],
        [...days]
          .reverse()
          .map((d) => [
            esc(d.raceDate),
            esc(d.racesScored),
            esc(d.racesExcluded),
            num(d.logLoss, 4),
            num(d.marketLogLoss, 4),
            num(d.pseudoR2, 4),
            num(d.marketPseudoR2, 4),
            num(d.brier, 4),
            num(d.ece, 4),
            pct(d.top1),
            num(d.ndcg4, 3),
            esc(d.bets),
            pct(d.flatRoi),
          ]),
      )}
      <h2>Alerts</h2>${table(
        ['raised', 'date', 'metric', 'severity', 'message'],
        alerts.map((a) => [
          esc(a.createdAt),
          esc(a.raceDate ?? ''),
          esc(a.metric),
          `<span class="${a.severity === 'critical' ? 'bad' : ''}">${esc(a.severity)}</span>`,
          esc(a.message),
        ]),
      )}`;
    return reply.type('text/html').send(page('Monitoring', body, { charts: days.length > 0 }));
  });
}
