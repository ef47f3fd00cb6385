import type { ErrorMap, ErrorMapRace } from '../agents/error-map.js';
import { groupProbabilities } from '../agents/error-map.js';
import { marketProbabilities } from '../agents/metrics.js';
import { AgentInputSchema } from '../schemas/agent.js';
import { RaceResultSchema } from '../schemas/result.js';
import type { Db } from './pool.js';

/** The latest stored prediction of every race with a result between two dates, as error-map rows. */
export async function loadErrorMapRaces(db: Db, from: string, to: string): Promise<ErrorMapRace[]> {
  const { rows } = await db.query<{
    race_id: string;
    race_date: string;
    finish: { horseId: string; position: number }[];
    result: unknown;
    agent_input: unknown;
    agents: Record<string, { runners: { horseId: string; winProbCalibrated: number }[] }> | null;
  }>(
    `SELECT DISTINCT ON (p.race_id) p.race_id, to_char(rr.race_date, 'YYYY-MM-DD') AS race_date, rr.finish, p.result, p.agent_input,
            (SELECT json_object_agg(a.strategy, a.output) FROM agent_outputs a WHERE a.run_id = p.run_id AND a.succeeded) AS agents
       FROM predictions p JOIN race_results rr ON rr.race_id = p.race_id
      WHERE rr.race_date BETWEEN $1 AND $2
      ORDER BY p.race_id, p.created_at DESC`,
    [from, to],
  );
  return rows.map((row) => {
    const result = RaceResultSchema.parse(row.result);
    const input = row.agent_input ? AgentInputSchema.parse(row.agent_input) : null;
    const ids = result.runners.map((r) => r.horseId);
    const pos = new Map(row.finish.map((f) => [f.horseId, f.position]));
    const odds = result.runners.map((r) => r.marketWinOdds);
    const byId = new Map(input?.runners.map((r) => [r.horseId, r]) ?? []);
    const groups = (['formFitness', 'conditions', 'tactics', 'context'] as const).flatMap((g) => {
      const lr = ids.map((h) => byId.get(h)?.lrGroups?.[g]);
      if (lr.some((v) => v === undefined)) return [];
      const p = groupProbabilities(odds, lr as number[]);
      return p ? [[`evidence:${g}`, p] as const] : [];
    });
    const strategies = Object.entries(row.agents ?? {}).map(([s, out]) => {
      const m = new Map(out.runners.map((r) => [r.horseId, r.winProbCalibrated]));
      return [`strategy:${s}`, ids.map((h) => m.get(h) ?? 0)] as const;
    });
    const market = marketProbabilities(odds);
    return {
      raceId: row.race_id,
      date: row.race_date,
      odds,
      positions: ids.map((h) => pos.get(h) ?? null),
      horseIds: ids,
      qualLr: result.runners.map((r) => r.lrProduct),
      modules: {
        ...(market ? { market } : {}),
        quant: result.runners.map((r) => r.winProbBase),
        ...Object.fromEntries(groups),
        ...Object.fromEntries(strategies),
        fused: result.runners.map((r) => r.winProbModel),
        final: result.runners.map((r) => r.winProbFinal),
      },
    };
  });
}

export async function upsertErrorMap(
  db: Db,
  windowTo: string,
  windowDays: number,
  map: ErrorMap,
  report: string,
): Promise<void> {
  await db.query(
    `INSERT INTO error_maps (window_to, window_days, races, map, report) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (window_to, window_days) DO UPDATE SET races = EXCLUDED.races, map = EXCLUDED.map, report = EXCLUDED.report, computed_at = now()`,
    [windowTo, windowDays, map.races, JSON.stringify(map), report],
  );
}

/** The most recent stored map of the same window length before this one (the drift baseline). */
export async function previousErrorMap(
  db: Db,
  windowTo: string,
  windowDays: number,
): Promise<ErrorMap | null> {
  const { rows } = await db.query<{ map: ErrorMap }>(
    `SELECT map FROM error_maps WHERE window_to < $1 AND window_days = $2 AND races > 0 ORDER BY window_to DESC LIMIT 1`,
    [windowTo, windowDays],
  );
  return rows[0]?.map ?? null;
}
