import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../config/env.js';
import { freePort } from '../../stack/net.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../stack/postgres.js';

/**
 * A fresh, empty database for one test file: a new database on TEST_DATABASE_URL's server when that is
 * set, else an embedded PostgreSQL in a temporary folder (which `stop` removes).
 */
export async function startTestDatabase(prefix: string): Promise<{ url: string; stop(): Promise<void> }> {
  const external = loadEnv().TEST_DATABASE_URL;
  if (external) {
    const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
    await ensureDatabase(external, name);
    const url = new URL(external);
    url.pathname = `/${name}`;
    return { url: url.toString(), stop: async () => {} };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  // The embedded server runs as the postgres user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
    return {
      url: pg.url,
      async stop() {
        await pg.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
