import type pg from 'pg';
import type { Db } from './pool.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { RaceResult } from '../schemas/result.js';
import type { AgentFailure } from '../schemas/result.js';
import type { AgentInput } from '../schemas/agent.js';
import type { AgentRun } from '../schemas/agent-run.js';

type Q = pg.Pool | pg.PoolClient;

export interface RunKey {
  workflowId: string;
  runId: string;
}

/** Makes a card its race's latest; $1-$6 are race id, venue, date, race number, post time and the card. */
const CARD_UPSERT = `INSERT INTO race_cards (race_id, venue, race_date, race_no, post_time, card) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (race_id) DO UPDATE SET venue = EXCLUDED.venue, race_date = EXCLUDED.race_date,
    race_no = EXCLUDED.race_no, post_time = EXCLUDED.post_time, card = EXCLUDED.card, updated_at = now()`;

const cardParams = (card: RaceCard) => [
  card.raceId,
  card.meeting.venue,
  card.meeting.date,
  card.raceNo,
  card.postTime ?? null,
  JSON.stringify(card),
];

/** The latest known card of a race (late changes replace it; every run keeps its own copy in race_runs). */
export async function upsertRaceCard(q: Q, card: RaceCard): Promise<void> {
  await q.query(`${CARD_UPSERT}`, cardParams(card));
}

/**
 * Records that a run started, with its inputs, and makes its card the race's latest. One statement, so
 * both land or neither does without a transaction's extra round trips. Idempotent: a retried activity
 * changes nothing.
 */
export async function recordRun(db: Db, key: RunKey, card: RaceCard, options: object): Promise<void> {
  await db.query(
    `WITH latest_card AS (${CARD_UPSERT})
     INSERT INTO race_runs (run_id, workflow_id, race_id, status, card, options)
     VALUES ($7, $8, $1, 'running', $6, $9) ON CONFLICT (run_id) DO NOTHING`,
    [...cardParams(card), key.runId, key.workflowId, JSON.stringify(options)],
  );
}

/**
 * Stores the result, its runner rows and every agent's outcome, and marks the run completed, keyed by
 * run id: a retry after a crash overwrites the same rows instead of adding new ones. One statement (its
 * data-modifying CTEs run as one unit and the foreign keys are checked at its end), so the caller's
 * transaction pays one round trip for it; the caller owns the transaction (activities/persist.ts adds
 * the paper bets to the same one).
 */
export async function writeResult(
  q: Q,
  result: RaceResult,
  agents: { runs: AgentRun[]; failures: AgentFailure[] },
  agentInput?: AgentInput,
): Promise<void> {
  const r = result.runners;
  // One row per agent, succeeded or not: the UI and the error maps read failures from here too.
  const agentRows = [
    ...agents.runs.map((a) => ({
      strategy: a.output.strategy,
      succeeded: true,
      output: JSON.stringify(a.output),
      errorType: null,
      sandboxKind: a.sandboxKind,
      durationMs: a.durationMs,
    })),
    ...agents.failures.map((f) => ({
      strategy: f.strategy,
      succeeded: false,
      output: null,
      errorType: f.errorType,
      sandboxKind: null,
      durationMs: null,
    })),
  ];
  await q.query(
    `WITH prediction AS (
       INSERT INTO predictions (run_id, race_id, degraded, model_version, result, agent_input, calibration_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run_id) DO UPDATE SET degraded = EXCLUDED.degraded, model_version = EXCLUDED.model_version, result = EXCLUDED.result,
         agent_input = EXCLUDED.agent_input, calibration_version = EXCLUDED.calibration_version
     ), runners AS (
       INSERT INTO runner_predictions (run_id, horse_id, horse_no, win_prob_base, win_prob_model, win_prob_final, place_prob,
         fair_odds, market_odds, edge, stake, flags, betting_interest)
       SELECT $1, h, n, b, m, f, p, o, mo, e, s, string_to_array(fl, '|'), bi
         FROM unnest($8::text[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[],
                     $15::float8[], $16::float8[], $17::float8[], $18::text[], $19::text[]) AS t(h, n, b, m, f, p, o, mo, e, s, fl, bi)
       ON CONFLICT (run_id, horse_id) DO UPDATE SET win_prob_base = EXCLUDED.win_prob_base, win_prob_model = EXCLUDED.win_prob_model,
         win_prob_final = EXCLUDED.win_prob_final, place_prob = EXCLUDED.place_prob, fair_odds = EXCLUDED.fair_odds,
         market_odds = EXCLUDED.market_odds, edge = EXCLUDED.edge, stake = EXCLUDED.stake, flags = EXCLUDED.flags,
         horse_no = EXCLUDED.horse_no, betting_interest = EXCLUDED.betting_interest
     ), agent_rows AS (
       INSERT INTO agent_outputs (run_id, strategy, succeeded, output, error_type, sandbox_kind, duration_ms)
       SELECT $1, s, ok, o::jsonb, e, k, d
         FROM unnest($20::text[], $21::bool[], $22::text[], $23::text[], $24::text[], $25::float8[]) AS t(s, ok, o, e, k, d)
       ON CONFLICT (run_id, strategy) DO UPDATE SET succeeded = EXCLUDED.succeeded, output = EXCLUDED.output,
         error_type = EXCLUDED.error_type, sandbox_kind = EXCLUDED.sandbox_kind, duration_ms = EXCLUDED.duration_ms
     )
     UPDATE race_runs SET status = 'completed', degraded = $3, finished_at = now() WHERE run_id = $1`,
    [
      result.runId,
      result.raceId,
      result.degraded,
      result.provenance.modelVersion,
      JSON.stringify(result),
      agentInput ? JSON.stringify(agentInput) : null,
      result.provenance.calibrationVersion,
      r.map((x) => x.horseId),
      r.map((x) => x.horseNo),
      r.map((x) => x.winProbBase),
      r.map((x) => x.winProbModel),
      r.map((x) => x.winProbFinal),
      r.map((x) => x.placeProb),
      r.map((x) => x.fairOdds),
      r.map((x) => x.marketWinOdds ?? null),
      r.map((x) => x.edge ?? null),
      r.map((x) => x.stake ?? null),
      r.map((x) => x.flags.join('|')),
      r.map((x) => x.bettingInterest ?? x.horseNo),
      agentRows.map((a) => a.strategy),
      agentRows.map((a) => a.succeeded),
      agentRows.map((a) => a.output),
      agentRows.map((a) => a.errorType),
      agentRows.map((a) => a.sandboxKind),
      agentRows.map((a) => a.durationMs),
    ],
  );
}

export async function markRunFailed(
  db: Db,
  runId: string,
  errorType: string,
  message: string,
): Promise<void> {
  await db.query(
    `UPDATE race_runs SET status = 'failed', error_type = $2, error_message = $3, finished_at = now()
      WHERE run_id = $1 AND status <> 'completed'`,
    [runId, errorType, message.slice(0, 2000)],
  );
}

export interface StoredRunSummary {
  runId: string;
  workflowId: string;
  raceId: string;
  status: string;
  degraded: boolean | null;
  startedAt: Date;
}

export async function listStoredRuns(db: Db, raceId?: string, limit = 50): Promise<StoredRunSummary[]> {
  const { rows } = await db.query(
    `SELECT run_id, workflow_id, race_id, status, degraded, started_at FROM race_runs
      WHERE ($1::text IS NULL OR race_id = $1) ORDER BY started_at DESC LIMIT $2`,
    [raceId ?? null, limit],
  );
  return rows.map((r) => ({
    runId: r.run_id,
    workflowId: r.workflow_id,
    raceId: r.race_id,
    status: r.status,
    degraded: r.degraded,
    startedAt: r.started_at,
  }));
}

export async function countStoredResults(db: Db, raceId: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM predictions WHERE race_id = $1', [raceId]);
  return rows[0].n as number;
}
