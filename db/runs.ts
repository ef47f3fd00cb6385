import { upsertRaceCard } from './cards.js';
import { inTransaction, type Db } from './pool.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { RaceResult } from '../schemas/result.js';
import type { AgentFailure } from '../schemas/result.js';
import type { AgentInput } from '../schemas/agent.js';
import type { AgentRun } from '../schemas/agent-run.js';

export interface RunKey {
  workflowId: string;
  runId: string;
}

/** Records that a run started, with its inputs. Idempotent: a retried activity changes nothing. */
export async function recordRun(db: Db, key: RunKey, card: RaceCard, options: object): Promise<void> {
  await inTransaction(db, async (client) => {
    await upsertRaceCard(client, card);
    await client.query(
      `INSERT INTO race_runs (run_id, workflow_id, race_id, status, card, options)
       VALUES ($1, $2, $3, 'running', $4, $5) ON CONFLICT (run_id) DO NOTHING`,
      [key.runId, key.workflowId, card.raceId, JSON.stringify(card), JSON.stringify(options)],
    );
  });
}

/**
 * Stores the result, its runner rows and every agent's outcome in one transaction, keyed by run id:
 * a retry after a crash overwrites the same rows instead of adding new ones.
 */
export async function persistResult(
  db: Db,
  result: RaceResult,
  agents: { runs: AgentRun[]; failures: AgentFailure[] },
  agentInput?: AgentInput,
): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO predictions (run_id, race_id, degraded, model_version, result, agent_input, calibration_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run_id) DO UPDATE SET degraded = EXCLUDED.degraded, model_version = EXCLUDED.model_version, result = EXCLUDED.result,
         agent_input = EXCLUDED.agent_input, calibration_version = EXCLUDED.calibration_version`,
      [
        result.runId,
        result.raceId,
        result.degraded,
        result.provenance.modelVersion,
        JSON.stringify(result),
        agentInput ? JSON.stringify(agentInput) : null,
        result.provenance.calibrationVersion,
      ],
    );
    const r = result.runners;
    await client.query(
      `INSERT INTO runner_predictions (run_id, horse_id, horse_no, win_prob_base, win_prob_model, win_prob_final, place_prob,
         fair_odds, market_odds, edge, stake, flags, betting_interest)
       SELECT $1, h, n, b, m, f, p, o, mo, e, s, string_to_array(fl, '|'), bi
         FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
                     $9::float8[], $10::float8[], $11::float8[], $12::text[], $13::text[]) AS t(h, n, b, m, f, p, o, mo, e, s, fl, bi)
       ON CONFLICT (run_id, horse_id) DO UPDATE SET win_prob_base = EXCLUDED.win_prob_base, win_prob_model = EXCLUDED.win_prob_model,
         win_prob_final = EXCLUDED.win_prob_final, place_prob = EXCLUDED.place_prob, fair_odds = EXCLUDED.fair_odds,
         market_odds = EXCLUDED.market_odds, edge = EXCLUDED.edge, stake = EXCLUDED.stake, flags = EXCLUDED.flags,
         horse_no = EXCLUDED.horse_no, betting_interest = EXCLUDED.betting_interest`,
      [
        result.runId,
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
      ],
    );
    // One statement for all fifteen agents: a round trip per agent was most of persistence's time.
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
    await client.query(
      `INSERT INTO agent_outputs (run_id, strategy, succeeded, output, error_type, sandbox_kind, duration_ms)
       SELECT $1, s, ok, o::jsonb, e, k, d
         FROM unnest($2::text[], $3::bool[], $4::text[], $5::text[], $6::text[], $7::float8[]) AS t(s, ok, o, e, k, d)
       ON CONFLICT (run_id, strategy) DO UPDATE SET succeeded = EXCLUDED.succeeded, output = EXCLUDED.output,
         error_type = EXCLUDED.error_type, sandbox_kind = EXCLUDED.sandbox_kind, duration_ms = EXCLUDED.duration_ms`,
      [
        result.runId,
        agentRows.map((a) => a.strategy),
        agentRows.map((a) => a.succeeded),
        agentRows.map((a) => a.output),
        agentRows.map((a) => a.errorType),
        agentRows.map((a) => a.sandboxKind),
        agentRows.map((a) => a.durationMs),
      ],
    );
    await client.query(
      `UPDATE race_runs SET status = 'completed', degraded = $2, finished_at = now() WHERE run_id = $1`,
      [result.runId, result.degraded],
    );
  });
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
