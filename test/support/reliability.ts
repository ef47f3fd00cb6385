import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Db } from '../../db/pool.js';

/** Polls fn until ok(value) or the deadline; returns the last value (the caller asserts on it). */
export async function waitUntil<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}

export const countRows = async (db: Db, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await db.query<{ n: string | number }>(sql, params)).rows[0]?.n ?? 0);

export interface PendingActivity {
  type: string;
  attempt: number;
  started: boolean;
  lastFailure?: string;
}

/** The run's pending activities as the server describes them (attempt, whether a worker holds it, last failure). */
export async function pendingActivities(handle: WorkflowHandle): Promise<PendingActivity[]> {
  const desc = await handle.describe();
  return (desc.raw.pendingActivities ?? []).map((a) => ({
    type: a.activityType?.name ?? '',
    attempt: a.attempt ?? 1,
    started: Boolean(a.lastStartedTime),
    lastFailure: a.lastFailure?.message ?? undefined,
  }));
}

/** A run's stored row counts, by run id, across every table a race writes. */
export async function storedRows(db: Db, runId: string) {
  return {
    runs: await countRows(db, 'SELECT count(*) AS n FROM race_runs WHERE run_id = $1', [runId]),
    predictions: await countRows(db, 'SELECT count(*) AS n FROM predictions WHERE run_id = $1', [runId]),
    runners: await countRows(db, 'SELECT count(*) AS n FROM runner_predictions WHERE run_id = $1', [runId]),
    agents: await countRows(db, 'SELECT count(*) AS n FROM agent_outputs WHERE run_id = $1', [runId]),
    status: (await db.query<{ status: string }>('SELECT status FROM race_runs WHERE run_id = $1', [runId]))
      .rows[0]?.status,
  };
}

/** Win probabilities by horse id, for comparing two runs of the same card. */
export const winVector = (result: {
  runners: { horseId: string; winProbFinal: number }[];
}): Record<string, number> => Object.fromEntries(result.runners.map((r) => [r.horseId, r.winProbFinal]));

/** Waits for a workflow's result through server restarts: a long poll cut by the outage is simply asked again. */
export async function resultThroughOutages<T>(
  client: Client,
  workflowId: string,
  runId: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await client.workflow.getHandle(workflowId, runId).result()) as T;
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'WorkflowFailedError' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
