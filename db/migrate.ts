import path from 'node:path';
import { runner } from 'node-pg-migrate';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/** Brings the schema up to date; safe to call from several processes at once (advisory lock, waits). */
export async function migrate(databaseUrl: string): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => {},
  });
}
