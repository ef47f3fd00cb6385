import type { Db } from './pool.js';

export interface StoredArtefact {
  version: string;
  artefact: unknown;
}

export async function latestPromotedArtefact(db: Db): Promise<StoredArtefact | null> {
  const { rows } = await db.query(
    'SELECT version, artefact FROM calibration_artefacts WHERE promoted ORDER BY promoted_at DESC, version DESC LIMIT 1',
  );
  return rows[0] ? { version: rows[0].version, artefact: rows[0].artefact } : null;
}

export async function artefactByVersion(db: Db, version: string): Promise<StoredArtefact | null> {
  const { rows } = await db.query('SELECT version, artefact FROM calibration_artefacts WHERE version = $1', [
    version,
  ]);
  return rows[0] ? { version: rows[0].version, artefact: rows[0].artefact } : null;
}

/**
 * Idempotent: a version is its window's data, so writing it again (a retry, a repeated run) keeps the first
 * comparison and never demotes a promoted artefact; promotion stamps promoted_at once.
 */
export async function saveArtefact(
  db: Db,
  a: { version: string; artefact: unknown; fittedOn: object; holdout: object; promoted: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO calibration_artefacts (version, artefact, fitted_on, holdout, promoted, promoted_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END)
     ON CONFLICT (version) DO UPDATE SET promoted = calibration_artefacts.promoted OR EXCLUDED.promoted,
       promoted_at = COALESCE(calibration_artefacts.promoted_at, EXCLUDED.promoted_at)`,
    [
      a.version,
      JSON.stringify(a.artefact),
      JSON.stringify(a.fittedOn),
      JSON.stringify(a.holdout),
      a.promoted,
    ],
  );
}

export interface ScoredTrainingRow {
  raceId: string;
  raceDate: string;
  agentInput: unknown;
  finish: unknown;
  card: unknown;
}

/**
 * Scored races in a date window with what the agents saw (the latest run's input) and the official
 * finish, oldest first: the rolling window a recalibration fits and tests on.
 */
export async function loadScoredTrainingRows(
  db: Db,
  fromDate: string,
  toDate: string,
): Promise<ScoredTrainingRow[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (p.race_id) p.race_id, rr.race_date::text AS race_date, p.agent_input, rr.finish, r.card
       FROM predictions p
       JOIN race_results rr ON rr.race_id = p.race_id
       JOIN race_runs r ON r.run_id = p.run_id
      WHERE p.agent_input IS NOT NULL AND rr.race_date >= $1::date AND rr.race_date < $2::date
      ORDER BY p.race_id, p.created_at DESC`,
    [fromDate, toDate],
  );
  return rows
    .map((r) => ({
      raceId: r.race_id,
      raceDate: r.race_date,
      agentInput: r.agent_input,
      finish: r.finish,
      card: r.card,
    }))
    .sort((a, b) =>
      a.raceDate === b.raceDate ? a.raceId.localeCompare(b.raceId) : a.raceDate.localeCompare(b.raceDate),
    );
}
