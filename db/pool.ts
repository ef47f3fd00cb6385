import pg from 'pg';

export type Db = pg.Pool;

/** One pool per process; every query goes through parameterised statements. */
export function createPool(databaseUrl: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000 });
  // An idle client's error (e.g. the server restarting) must not crash the worker; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}
