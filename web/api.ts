import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DailyMetrics } from '../schemas/ops.js';
import { RaceCardSchema } from '../schemas/race-card.js';
import { RaceResultSchema } from '../schemas/result.js';
import { authenticate, type ApiKey, type Scope } from './auth.js';
import { BetRowSchema, BookStatusSchema, LedgerPointSchema } from '../schemas/book.js';
import { BetFilterSchema } from './book.js';
import type { WebDeps } from './deps.js';
import { dailyMetrics, latestResult, listRaceRuns, recentAlerts } from './queries.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
  interface FastifyContextConfig {
    scope?: Scope;
  }
}

export const ErrorSchema = z.object({ error: z.string(), message: z.string() });
const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const RunSchema = z.object({
  runId: z.string(),
  workflowId: z.string(),
  raceId: z.string(),
  venue: z.string(),
  raceDate: z.string(),
  raceNo: z.number().int(),
  status: z.string(),
  degraded: z.boolean().nullable(),
  errorType: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
const N = z.number().nullable();
const DailyMetricsSchema = z.object({
  raceDate: z.string(),
  scope: z.string(),
  racesScored: z.number(),
  racesExcluded: z.number(),
  excludedReasons: z.record(z.string(), z.number()),
  logLoss: N,
  marketLogLoss: N,
  pseudoR2: N,
  marketPseudoR2: N,
  brier: N,
  ece: N,
  marketEce: N,
  top1: N,
  ndcg4: N,
  bets: z.number(),
  flatRoi: N,
  favouriteBaseProb: N,
  fieldSize: N,
  favouriteOdds: N,
  overround: N,
}) satisfies z.ZodType<DailyMetrics>;
const AlertSchema = z.object({
  raceDate: z.string().nullable(),
  metric: z.string(),
  severity: z.string(),
  message: z.string(),
  createdAt: z.string(),
});
const Check = z.object({ ok: z.boolean(), error: z.string().optional() });

const secured = [{ bearer: [] as string[] }];
const fail = (reply: FastifyReply, code: number, error: string, message: string) =>
  reply.code(code).send({ error, message });

/** The JSON API under /api: every route but health needs a key; POST needs the write scope. */
export function registerApi(app: FastifyInstance, deps: WebDeps): void {
  const rateLimit = {
    max: deps.rateLimit?.max ?? 120,
    timeWindow: deps.rateLimit?.timeWindowMs ?? 60_000,
    // Keyed by the authenticated key, so one client cannot use up another's allowance.
    keyGenerator: (req: FastifyRequest) => req.apiKey?.digest ?? req.ip,
  };

  app.addHook('onRequest', async (req, reply) => {
    const scope = req.routeOptions.config.scope;
    if (!scope) return;
    const key = authenticate(req.headers.authorization, deps.keys);
    if (!key) {
      reply.header('www-authenticate', 'Bearer');
      return fail(reply, 401, 'Unauthorized', 'an API key is required: Authorization: Bearer <key>');
    }
    if (!key.scopes.has(scope)) return fail(reply, 403, 'Forbidden', `this key lacks the ${scope} scope`);
    req.apiKey = key;
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { scope: 'read' as const, rateLimit };

  r.post(
    '/api/races',
    {
      config: { scope: 'write', rateLimit },
      schema: {
        summary: 'Start a race run from a race card',
        security: secured,
        body: RaceCardSchema,
        response: {
          202: z.object({ workflowId: z.string(), runId: z.string() }),
          400: ErrorSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          409: ErrorSchema,
          413: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      try {
        return reply.code(202).send(await deps.client.startRace(req.body));
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return fail(reply, 409, 'RaceAlreadyRunning', `a run of race ${req.body.raceId} is in progress`);
        throw err;
      }
    },
  );

  r.get(
    '/api/races/:raceId',
    {
      config: read,
      schema: {
        summary: "The race's latest result",
        security: secured,
        params: z.object({ raceId: z.string().min(1) }),
        response: { 200: RaceResultSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const result = await latestResult(deps.db, req.params.raceId);
      if (result) return result;
      const [run] = await listRaceRuns(deps.db, { raceId: req.params.raceId, limit: 1 });
      return fail(
        reply,
        404,
        'NotFound',
        run
          ? `race ${req.params.raceId} has no result yet (latest run ${run.status})`
          : `no race ${req.params.raceId}`,
      );
    },
  );

  r.get(
    '/api/races',
    {
      config: read,
      schema: {
        summary: 'Race runs, newest first',
        security: secured,
        querystring: z.object({
          date: DateString.optional(),
          venue: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.object({ runs: z.array(RunSchema) }) },
      },
    },
    async (req) => ({ runs: await listRaceRuns(deps.db, req.query) }),
  );

  const bookOrFail = (reply: FastifyReply) => {
    if (!deps.book) void fail(reply, 503, 'BookNotConfigured', 'book not configured');
    return deps.book;
  };
  r.get(
    '/api/book',
    {
      config: read,
      schema: {
        summary: "The book's status and its open bets",
        security: secured,
        querystring: z.object({ policy: z.string().optional() }),
        response: {
          200: z.object({ status: BookStatusSchema, openBets: z.array(BetRowSchema) }),
          503: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const book = bookOrFail(reply);
      if (!book) return reply;
      const [status, openBets] = await Promise.all([
        book.status(req.query.policy),
        book.bets({ status: 'open' }),
      ]);
      return { status, openBets };
    },
  );
  r.get(
    '/api/book/bets',
    {
      config: read,
      schema: {
        summary: 'Bets by date, race or status',
        security: secured,
        querystring: BetFilterSchema,
        response: { 200: z.object({ bets: z.array(BetRowSchema) }), 503: ErrorSchema },
      },
    },
    async (req, reply) => {
      const book = bookOrFail(reply);
      return book ? { bets: await book.bets(req.query) } : reply;
    },
  );
  r.get(
    '/api/book/ledger',
    {
      config: read,
      schema: {
        summary: 'Bankroll after each ledger entry',
        security: secured,
        querystring: z.object({ policy: z.string().optional() }),
        response: { 200: z.object({ points: z.array(LedgerPointSchema) }), 503: ErrorSchema },
      },
    },
    async (req, reply) => {
      const book = bookOrFail(reply);
      return book ? { points: await book.ledgerSeries(req.query.policy) } : reply;
    },
  );

  r.get(
    '/api/metrics/daily',
    {
      config: read,
      schema: {
        summary: 'Daily metrics beside the market baseline, and recent alerts',
        security: secured,
        querystring: z.object({ from: DateString.optional(), to: DateString.optional() }),
        response: { 200: z.object({ days: z.array(DailyMetricsSchema), alerts: z.array(AlertSchema) }) },
      },
    },
    async (req) => {
      const [days, alerts] = await Promise.all([dailyMetrics(deps.db, req.query), recentAlerts(deps.db)]);
      return { days, alerts };
    },
  );

  r.get(
    '/api/health',
    {
      schema: {
        summary: 'Temporal and PostgreSQL reachable (no key needed)',
        response: {
          200: z.object({ status: z.string(), temporal: Check, postgres: Check }),
          503: z.object({ status: z.string(), temporal: Check, postgres: Check }),
        },
      },
    },
    async (_req, reply) => {
      const probe = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
          return { ok: true };
        } catch (err) {
          return { ok: false, error: (err as Error).message.slice(0, 200) };
        }
      };
      const [temporal, postgres] = await Promise.all([
        probe(() =>
          deps.client.temporal.connection.withDeadline(Date.now() + 3_000, () =>
            deps.client.temporal.connection.workflowService.getSystemInfo({}),
          ),
        ),
        probe(() => deps.db.query('SELECT 1')),
      ]);
      const ok = temporal.ok && postgres.ok;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', temporal, postgres });
    },
  );
}
