import { upsertRaceCard } from './runs.js';
import type { Db } from './pool.js';
import type { ScorablePrediction } from '../agents/scoring.js';
import type { DailyMetrics, DriftAlert, OfficialResult, RaceScore } from '../schemas/ops.js';
import type { RaceCard } from '../schemas/race-card.js';

/** The stored (latest) card of a race, or null when the engine never saw the race. */
export async function loadStoredCard(
  db: Db,
  raceId: string,
): Promise<{ card: RaceCard; raceDate: string } | null> {
  const { rows } = await db.query(
    `SELECT card, to_char(race_date, 'YYYY-MM-DD') AS race_date FROM race_cards WHERE race_id = $1`,
    [raceId],
  );
  return rows[0] ? { card: rows[0].card as RaceCard, raceDate: rows[0].race_date as string } : null;
}

/** A late change replaces the latest card; every run keeps the card it ran with in race_runs. */
export const upsertStoredCard = (db: Db, card: RaceCard): Promise<void> => upsertRaceCard(db, card);

/** Idempotent: a correction replaces the race's result. */
export async function upsertResult(db: Db, result: OfficialResult, raceDate: string): Promise<void> {
  await db.query(
    `INSERT INTO race_results (race_id, race_date, finish, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (race_id) DO UPDATE SET finish = EXCLUDED.finish, source = EXCLUDED.source, race_date = EXCLUDED.race_date, recorded_at = now()`,
    [result.raceId, raceDate, JSON.stringify(result.finish), result.source],
  );
}

interface PredictionRow {
  run_id: string;
  race_id: string;
  race_date: string;
  finish: { horseId: string; position: number }[];
  runners: {
    horseId: string;
    winProbFinal: number;
    winProbBase: number;
    marketOdds: number | null;
    bettingInterest: string;
  }[];
}

const PREDICTION_SELECT = `
  SELECT p.run_id, p.race_id, p.created_at, to_char(rr.race_date, 'YYYY-MM-DD') AS race_date, rr.finish,
         (SELECT json_agg(json_build_object('horseId', x.horse_id, 'winProbFinal', x.win_prob_final,
                 'winProbBase', x.win_prob_base, 'marketOdds', x.market_odds,
                 'bettingInterest', coalesce(x.betting_interest, x.horse_no)) ORDER BY x.horse_no)
            FROM runner_predictions x WHERE x.run_id = p.run_id) AS runners
    FROM predictions p JOIN race_results rr ON rr.race_id = p.race_id`;

const toScorable = (r: PredictionRow): ScorablePrediction => ({
  runId: r.run_id,
  raceId: r.race_id,
  raceDate: r.race_date,
  runners: r.runners ?? [],
  positions: new Map(r.finish.map((f) => [f.horseId, f.position])),
});

/** Every stored prediction of a race with a result. */
export async function loadRacePredictions(db: Db, raceId: string): Promise<ScorablePrediction[]> {
  const { rows } = await db.query<PredictionRow>(
    `${PREDICTION_SELECT} WHERE p.race_id = $1 ORDER BY p.created_at`,
    [raceId],
  );
  return rows.map(toScorable);
}

/** The latest prediction of each race of the day (optionally one venue) that has a result. */
export async function loadDayPredictions(
  db: Db,
  raceDate: string,
  venue?: string,
): Promise<ScorablePrediction[]> {
  const { rows } = await db.query<PredictionRow>(
    `SELECT DISTINCT ON (q.race_id) q.* FROM (
       ${PREDICTION_SELECT}
       WHERE rr.race_date = $1
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM race_cards c WHERE c.race_id = p.race_id AND c.venue = $2))
     ) q ORDER BY q.race_id, q.created_at DESC`,
    [raceDate, venue ?? null],
  );
  return rows.map(toScorable);
}

export async function upsertScores(db: Db, scores: readonly RaceScore[]): Promise<void> {
  for (const s of scores) {
    await db.query(
      `INSERT INTO race_scores (run_id, race_id, race_date, field_size, winner_horse_id, log_loss, market_log_loss, uniform_log_loss,
         brier, top1, ndcg4, excluded_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (run_id) DO UPDATE SET winner_horse_id = EXCLUDED.winner_horse_id, log_loss = EXCLUDED.log_loss,
         market_log_loss = EXCLUDED.market_log_loss, uniform_log_loss = EXCLUDED.uniform_log_loss, brier = EXCLUDED.brier,
         top1 = EXCLUDED.top1, ndcg4 = EXCLUDED.ndcg4, excluded_reason = EXCLUDED.excluded_reason, scored_at = now()`,
      [
        s.runId,
        s.raceId,
        s.raceDate,
        s.fieldSize,
        s.winnerHorseId,
        s.logLoss,
        s.marketLogLoss,
        s.uniformLogLoss,
        s.brier,
        s.top1,
        s.ndcg4,
        s.excludedReason,
      ],
    );
  }
}

export async function upsertDailyMetrics(db: Db, m: DailyMetrics): Promise<void> {
  await db.query(
    `INSERT INTO daily_metrics (race_date, scope, races_scored, races_excluded, metrics) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (race_date, scope) DO UPDATE SET races_scored = EXCLUDED.races_scored, races_excluded = EXCLUDED.races_excluded,
       metrics = EXCLUDED.metrics, computed_at = now()`,
    [m.raceDate, m.scope, m.racesScored, m.racesExcluded, JSON.stringify(m)],
  );
}

/** Daily metrics of the `days` days before `raceDate` that scored at least one race. */
export async function loadPreviousDailyMetrics(
  db: Db,
  raceDate: string,
  days: number,
  scope = 'all',
): Promise<DailyMetrics[]> {
  const { rows } = await db.query(
    `SELECT metrics FROM daily_metrics WHERE scope = $1 AND race_date < $2::date AND race_date >= $2::date - $3::int
       AND races_scored > 0 ORDER BY race_date`,
    [scope, raceDate, days],
  );
  return rows.map((r) => r.metrics as DailyMetrics);
}

export async function loadDailyMetrics(
  db: Db,
  raceDate: string,
  scope = 'all',
): Promise<DailyMetrics | null> {
  const { rows } = await db.query(`SELECT metrics FROM daily_metrics WHERE race_date = $1 AND scope = $2`, [
    raceDate,
    scope,
  ]);
  return rows[0] ? (rows[0].metrics as DailyMetrics) : null;
}

/** Inserts the alert once (by key); returns how it was already notified, null when not yet (a retry notifies then). */
export async function insertAlert(db: Db, alert: DriftAlert): Promise<{ notifiedVia: string | null }> {
  const { rows } = await db.query(
    `INSERT INTO alerts (alert_key, race_date, metric, severity, message, details) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (alert_key) DO UPDATE SET alert_key = EXCLUDED.alert_key RETURNING notified_via`,
    [alert.key, alert.raceDate, alert.metric, alert.severity, alert.message, JSON.stringify(alert)],
  );
  return { notifiedVia: (rows[0]?.notified_via as string | null) ?? null };
}

export async function markAlertNotified(db: Db, key: string, via: string): Promise<void> {
  await db.query('UPDATE alerts SET notified_via = $2 WHERE alert_key = $1', [key, via]);
}
