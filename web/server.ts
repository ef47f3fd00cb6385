import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { checkRaceCard, MAX_CARD_BYTES } from '../client/race-client.js';
import { registerApi } from './api.js';
import type { WebDeps } from './deps.js';
import { registerPages } from './pages.js';

// The UMD build is not in chart.js's exports map; find it next to the package's main file.
const CHART_JS = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
);

/** The HTTP API, the pages and the metrics endpoint on one Fastify instance. */
export async function buildServer(deps: WebDeps): Promise<FastifyInstance> {
  // A card is a few kilobytes; the limit is the client's own card limit plus room for JSON whitespace.
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: MAX_CARD_BYTES + 16 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(rateLimit, {
    global: false,
    // After the key check, so the limit is counted per key.
    hook: 'preHandler',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'RateLimited',
      message: `rate limit of ${ctx.max} requests per ${ctx.after} reached; retry later`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'race-engine API', version: '1.0.0', description: 'Race predictions over HTTP' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((err: Error, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      if (
        req.routeOptions.url === '/api/races' &&
        req.method === 'POST' &&
        err.validationContext === 'body'
      ) {
        // The same check and words as the CLI: InvalidRaceCard: invalid race card: <field>: <problem>.
        try {
          checkRaceCard(req.body);
        } catch (cardErr) {
          return reply.code(400).send({ error: 'InvalidRaceCard', message: (cardErr as Error).message });
        }
      }
      const detail = err.validation.map(
        (i) => `${i.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${i.message}`,
      );
      return reply
        .code(400)
        .send({ error: 'InvalidRequest', message: `${err.validationContext}: ${detail.join('; ')}` });
    }
    const code = (err as { statusCode?: number }).statusCode ?? 500;
    if (code === 413)
      return reply
        .code(413)
        .send({ error: 'PayloadTooLarge', message: `the body is over ${MAX_CARD_BYTES + 16 * 1024} bytes` });
    if (code === 429) return reply.code(429).send({ error: 'RateLimited', message: err.message });
    if (code >= 400 && code < 500) {
      const type =
        req.routeOptions.url === '/api/races' && req.method === 'POST' ? 'InvalidRaceCard' : 'InvalidRequest';
      return reply.code(code).send({ error: type, message: err.message });
    }
    req.log.error(err);
    return reply.code(500).send({ error: 'InternalError', message: 'internal error; see the server log' });
  });

  registerApi(app, deps);
  registerPages(app, deps);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(deps.metrics?.expose() ?? ''),
  );
  app.get('/assets/chart.umd.min.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript').header('cache-control', 'public, max-age=86400').send(CHART_JS),
  );
  return app;
}
