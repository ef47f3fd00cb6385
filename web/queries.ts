import type { Db } from '../db/pool.js';
import type { DailyMetrics } from '../schemas/ops.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { RaceResult } from '../schemas/result.js';

/** Read-only queries behind the API and the pages (all parameterised). */

const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : v == null ? null : String(v);

export interface RaceRunRow {
  runId: string;
  workflowId: string;
  raceId: string;
  venue: string;
  raceDate: string;
  raceNo: number;
  status: string;
  degraded: boolean | null;
  errorType: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export async function listRaceRuns(
  db: Db,
  filter: { date?: string; venue?: string; raceId?: string; limit?: number },
): Promise<RaceRunRow[]> {
  const { rows } = await db.query(
    `SELECT r.run_id, r.workflow_id, r.race_id, c.venue, to_char(c.race_date, 'YYYY-MM-DD') AS race_date, c.race_no,
            r.status, r.degraded, r.error_type, r.started_at, r.finished_at
       FROM race_runs r JOIN race_cards c ON c.race_id = r.race_id
      WHERE ($1::date IS NULL OR c.race_date = $1) AND ($2::text IS NULL OR c.venue = $2) AND ($3::text IS NULL OR r.race_id = $3)
      ORDER BY r.started_at DESC LIMIT $4`,
    [filter.date ?? null, filter.venue ?? null, filter.raceId ?? null, filter.limit ?? 200],
  );
  return rows.map((r) => ({
    runId: r.run_id,
    workflowId: r.workflow_id,
    raceId: r.race_id,
    venue: r.venue,
    raceDate: r.race_date,
    raceNo: r.race_no,
    status: r.status,
    degraded: r.degraded,
    errorType: r.error_type,
    startedAt: iso(r.started_at) ?? '',
    finishedAt: iso(r.finished_at),
  }));
}

/** The race's latest stored result (the newest prediction), or null. */
export async function latestResult(db: Db, raceId: string): Promise<RaceResult | null> {
  const { rows } = await db.query(
    'SELECT result FROM predictions WHERE race_id = $1 ORDER BY created_at DESC LIMIT 1',
    [raceId],
  );
  return rows[0] ? (rows[0].result as RaceResult) : null;
}

/** Race dates that have at least one run, newest first. */
export async function datesWithRuns(db: Db, limit = 60): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT to_char(c.race_date, 'YYYY-MM-DD') AS d FROM race_cards c
      WHERE EXISTS (SELECT 1 FROM race_runs r WHERE r.race_id = c.race_id) ORDER BY d DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.d as string);
}

export interface DayRace {
  card: RaceCard;
  /** The latest run of the race, whatever its state. */
  run: { runId: string; workflowId: string; status: string; errorType: string | null };
  result: RaceResult | null;
}

/** Every race of the day that was run, with its latest run and latest result, by venue and race number. */
export async function raceDay(db: Db, date: string, venue?: string): Promise<DayRace[]> {
  const { rows } = await db.query(
    `SELECT c.card, rr.run_id, rr.workflow_id, rr.status, rr.error_type, p.result
       FROM race_cards c
       JOIN LATERAL (SELECT * FROM race_runs r WHERE r.race_id = c.race_id ORDER BY r.started_at DESC LIMIT 1) rr ON true
       LEFT JOIN LATERAL (SELECT result FROM predictions p WHERE p.race_id = c.race_id ORDER BY p.created_at DESC LIMIT 1) p ON true
      WHERE c.race_date = $1 AND ($2::text IS NULL OR c.venue = $2)
      ORDER BY c.venue, c.race_no`,
    [date, venue ?? null],
  );
  return rows.map((r) => ({
    card: r.card as RaceCard,
    run: { runId: r.run_id, workflowId: r.workflow_id, status: r.status, errorType: r.error_type },
    result: (r.result as RaceResult | null) ?? null,
  }));
}

export interface AgentRow {
  strategy: string;
  succeeded: boolean;
  errorType: string | null;
  sandboxKind: string | null;
  durationMs: number | null;
}

export async function agentsOfRun(db: Db, runId: string): Promise<AgentRow[]> {
  const { rows } = await db.query(
    `SELECT strategy, succeeded, error_type, sandbox_kind, duration_ms FROM agent_outputs WHERE run_id = $1 ORDER BY strategy`,
    [runId],
  );
  return rows.map((r) => ({
    strategy: r.strategy,
    succeeded: r.succeeded,
    errorType: r.error_type,
    sandboxKind: r.sandbox_kind,
    durationMs: r.duration_ms,
  }));
}

/** Daily metrics (scope all), oldest first, optionally within [from, to]. */
export async function dailyMetrics(
  db: Db,
  range: { from?: string; to?: string; limit?: number },
): Promise<DailyMetrics[]> {
  const { rows } = await db.query(
    `SELECT metrics FROM (SELECT race_date, metrics FROM daily_metrics
        WHERE scope = 'all' AND ($1::date IS NULL OR race_date >= $1) AND ($2::date IS NULL OR race_date <= $2)
        ORDER BY race_date DESC LIMIT $3) d ORDER BY race_date`,
    [range.from ?? null, range.to ?? null, range.limit ?? 90],
  );
  return rows.map((r) => r.metrics as DailyMetrics);
}

export interface AlertRow {
  raceDate: string | null;
  metric: string;
  severity: string;
  message: string;
  createdAt: string;
}

export async function recentAlerts(db: Db, limit = 50): Promise<AlertRow[]> {
  const { rows } = await db.query(
    `SELECT to_char(race_date, 'YYYY-MM-DD') AS race_date, metric, severity, message, created_at FROM alerts
      ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    raceDate: r.race_date,
    metric: r.metric,
    severity: r.severity,
    message: r.message,
    createdAt: iso(r.created_at) ?? '',
  }));
}
