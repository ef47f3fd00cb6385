import pg from 'pg';

export type Db = pg.Pool;

/** One pool per process; every query goes through parameterised statements. */
export function createPool(databaseUrl: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000 });
  // An idle client's error (e.g. the server restarting) must not crash the worker; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Runs `work` in one transaction on one connection: all of it lands, or none of it. */
export async function inTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
