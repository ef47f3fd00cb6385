import type pg from 'pg';
import { DEFAULT_POLICY, STARTING_BANKROLL, parsePolicy, type Policy } from '../book/policies.js';
import type { BookRace } from '../book/race.js';
import { settleBet } from '../book/settle.js';
import { stakeRace } from '../book/stake.js';
import {
  BetRowSchema,
  BookStatusSchema,
  LedgerPointSchema,
  type BetQuery,
  type BetRow,
  type BookStatus,
  type LedgerPoint,
  type Settlement,
} from '../schemas/book.js';
import { RaceCardSchema } from '../schemas/race-card.js';
import type { RaceResult } from '../schemas/result.js';
import { inTransaction, type Db } from './pool.js';

type Q = pg.Pool | pg.PoolClient;

/** Placement and settlement of one race never interleave: both take this per-race lock first. */
const lockRace = (c: pg.PoolClient, raceId: string) =>
  c.query(`SELECT pg_advisory_xact_lock(hashtext('book:' || $1))`, [raceId]);

async function ensurePolicy(c: Q, policy: Policy): Promise<void> {
  await c.query(
    `INSERT INTO book_policies (name, definition, starting_bankroll) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
    [policy.name, JSON.stringify(policy), STARTING_BANKROLL],
  );
  await c.query(
    `INSERT INTO book_ledger (entry_key, policy, kind, amount)
     SELECT 'deposit:' || name, name, 'deposit', starting_bankroll FROM book_policies WHERE name = $1
     ON CONFLICT (entry_key) DO NOTHING`,
    [policy.name],
  );
}

/** Validates a policy before anything is written (InvalidPolicy: nothing stored), then registers it with its deposit. */
export async function registerPolicy(db: Db, raw: unknown): Promise<Policy> {
  const policy = parsePolicy(raw);
  await inTransaction(db, (c) => ensurePolicy(c, policy));
  return policy;
}

async function balanceOf(c: Q, policy: string): Promise<number> {
  const { rows } = await c.query<{ b: string | null }>(
    `SELECT sum(amount) AS b FROM book_ledger WHERE policy = $1`,
    [policy],
  );
  return Number(rows[0]?.b ?? 0);
}

export interface Placement {
  placed: number;
  replaced: number;
  /** Why nothing was placed (result already in, bets of this run already placed, no card). */
  skipped?: string;
}

/**
 * Places the policy's paper bets on a stored prediction, at the prices on the run's card, inside the
 * caller's transaction (activities/persist.ts stores the prediction in the same one): a retry of the same
 * run adds nothing (bet ids are keyed by run), a newer run of a race without a result replaces the older
 * run's open bets (their stakes refunded in the ledger), and a race whose result is in takes no bets.
 * Four round trips whatever the field: the lock, one statement that registers the policy and replaces
 * the older run's bets, one that reads what the staking needs, one that writes the new bets.
 */
export async function placeRaceBetsIn(
  c: pg.PoolClient,
  result: RaceResult,
  policy: Policy,
): Promise<Placement> {
  await lockRace(c, result.raceId);
  // The gates (result in, this run's bets already placed, no card to price from) are evaluated once, in this statement's
  // snapshot; the read below sees its effects (the deposit, the refunds).
  const prepared = await c.query<{ done: boolean; mine: boolean; replaced: string }>(
    `WITH policy_row AS (
       INSERT INTO book_policies (name, definition, starting_bankroll) VALUES ($2, $4, $5) ON CONFLICT (name) DO NOTHING
     ), deposit AS (
       INSERT INTO book_ledger (entry_key, policy, kind, amount)
       SELECT 'deposit:' || $2, $2, 'deposit', coalesce((SELECT starting_bankroll FROM book_policies WHERE name = $2), $5)
       ON CONFLICT (entry_key) DO NOTHING
     ), gates AS (
       SELECT EXISTS (SELECT 1 FROM race_results WHERE race_id = $1) AS done,
              EXISTS (SELECT 1 FROM book_bets WHERE run_id = $3 AND policy = $2) AS mine,
              EXISTS (SELECT 1 FROM race_runs WHERE run_id = $3) OR EXISTS (SELECT 1 FROM race_cards WHERE race_id = $1) AS carded
     ), replaced AS (
       UPDATE book_bets SET status = 'replaced', settled_at = now()
        WHERE race_id = $1 AND policy = $2 AND status = 'open' AND run_id <> $3
          AND (SELECT carded AND NOT (done OR mine) FROM gates)
       RETURNING bet_id, stake
     ), refunds AS (
       INSERT INTO book_ledger (entry_key, policy, kind, bet_id, race_id, amount)
       SELECT 'refund:' || bet_id, $2, 'refund', bet_id, $1, stake FROM replaced
       ON CONFLICT (entry_key) DO NOTHING
     )
     SELECT done, mine, (SELECT count(*) FROM replaced) AS replaced FROM gates`,
    [result.raceId, policy.name, result.runId, JSON.stringify(policy), STARTING_BANKROLL],
  );
  const gates = prepared.rows[0]!;
  if (gates.done) return { placed: 0, replaced: 0, skipped: 'result already recorded' };
  if (gates.mine) return { placed: 0, replaced: 0, skipped: 'bets of this run already placed' };
  const replaced = Number(gates.replaced);
  const state = await c.query<{
    card: unknown;
    balance: string | null;
    net: string | null;
    staked: string | null;
    profit: string | null;
  }>(
    `WITH card AS (
       SELECT card FROM (SELECT card, 0 AS o FROM race_runs WHERE run_id = $3
                         UNION ALL SELECT card, 1 FROM race_cards WHERE race_id = $1) c ORDER BY o LIMIT 1
     ), day AS (
       SELECT (card->'meeting'->>'date')::date AS d FROM card
     )
     SELECT (SELECT card FROM card) AS card,
            (SELECT sum(amount) FROM book_ledger WHERE policy = $2) AS balance,
            (SELECT sum(l.amount) FROM book_ledger l JOIN book_bets b USING (bet_id)
              WHERE b.policy = $2 AND b.race_date = (SELECT d FROM day)) AS net,
            sum(stake) FILTER (WHERE status <> 'replaced') AS staked,
            sum(payout - stake) FILTER (WHERE status IN ('won', 'placed', 'lost', 'void')) AS profit
       FROM book_bets WHERE policy = $2 AND race_date = (SELECT d FROM day)`,
    [result.raceId, policy.name, result.runId],
  );
  const row = state.rows[0];
  if (!row?.card) return { placed: 0, replaced: 0, skipped: 'no stored card' };
  const card = RaceCardSchema.parse(row.card);
  const balance = Number(row.balance ?? 0);
  const byId = new Map(card.runners.map((r) => [r.horseId, r]));
  const race: BookRace = {
    raceId: result.raceId,
    date: card.meeting.date,
    placesPaid: result.placesPaid,
    runners: result.runners.map((r) => ({
      horseId: r.horseId,
      horseNo: r.horseNo,
      final: r.winProbFinal,
      quant: r.winProbBase,
      fused: r.winProbModel,
      qualLr: r.lrProduct,
      place: r.placeProb,
      odds: r.marketWinOdds,
      placeOdds: byId.get(r.horseId)?.marketPlaceOdds,
    })),
  };
  const bets = stakeRace(policy, race, {
    startingBankroll: STARTING_BANKROLL,
    bankroll: balance,
    dayOpening: balance - Number(row.net ?? 0),
    dayStaked: Number(row.staked ?? 0),
    dayProfit: Number(row.profit ?? 0),
  });
  if (bets.length > 0) {
    const ids = bets.map((b) => `${result.runId}:${policy.name}:${b.horseId}:${b.betType}`);
    await c.query(
      `WITH placed AS (
         INSERT INTO book_bets (bet_id, race_id, run_id, policy, race_date, horse_id, horse_no, bet_type, odds, stake,
           probability, edge, places_paid)
         SELECT id, $1, $2, $3, $4, h, n, t, o, s, p, e, $5
           FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::numeric[], $12::float8[],
                       $13::float8[]) AS u(id, h, n, t, o, s, p, e)
         RETURNING bet_id, stake
       )
       INSERT INTO book_ledger (entry_key, policy, kind, bet_id, race_id, amount)
       SELECT 'stake:' || bet_id, $3, 'stake', bet_id, $1, -stake FROM placed`,
      [
        result.raceId,
        result.runId,
        policy.name,
        card.meeting.date,
        result.placesPaid,
        ids,
        bets.map((b) => b.horseId),
        bets.map((b) => b.horseNo ?? null),
        bets.map((b) => b.betType),
        bets.map((b) => b.odds),
        bets.map((b) => b.stake),
        bets.map((b) => b.probability),
        bets.map((b) => b.edge),
      ],
    );
  }
  return { placed: bets.length, replaced };
}

/**
 * Settles every live bet of the race on its official result, in one transaction. Sending the same
 * result again changes nothing; a corrected result reverses each changed settlement with a ledger row
 * and pays the new one, so nothing is ever paid twice. Runners scratched on the latest card are void.
 */
export async function settleRaceBets(
  db: Db,
  raceId: string,
  finish: readonly { horseId: string; position: number }[],
): Promise<Settlement> {
  return inTransaction(db, async (c) => {
    await lockRace(c, raceId);
    const cardRow = await c.query<{ card: unknown }>(`SELECT card FROM race_cards WHERE race_id = $1`, [
      raceId,
    ]);
    const card = cardRow.rows[0] ? RaceCardSchema.parse(cardRow.rows[0].card) : null;
    const scratched = new Set(card?.runners.filter((r) => r.scratched).map((r) => r.horseId) ?? []);
    const positions = new Map(finish.map((f) => [f.horseId, f.position]));
    const { rows } = await c.query<{
      bet_id: string;
      policy: string;
      horse_id: string;
      bet_type: 'win' | 'place';
      odds: number;
      stake: string;
      places_paid: number;
      status: string;
      payout: string | null;
      settlement_seq: number;
    }>(
      `SELECT bet_id, policy, horse_id, bet_type, odds, stake, places_paid, status, payout, settlement_seq
         FROM book_bets WHERE race_id = $1 AND status <> 'replaced' ORDER BY bet_id FOR UPDATE`,
      [raceId],
    );
    const out: Settlement = { settled: 0, resettled: 0, unchanged: 0 };
    for (const b of rows) {
      const stake = Number(b.stake);
      const s = settleBet(
        { horseId: b.horse_id, betType: b.bet_type, odds: b.odds, stake },
        { positions, placesPaid: b.places_paid, scratched },
      );
      const wasSettled = b.status !== 'open';
      if (wasSettled && b.status === s.status && Number(b.payout) === s.payout) {
        out.unchanged += 1;
        continue;
      }
      const seq = b.settlement_seq + 1;
      const ledger = (kind: string, key: string, amount: number) =>
        c.query(
          `INSERT INTO book_ledger (entry_key, policy, kind, bet_id, race_id, amount) VALUES ($1, $2, $3, $4, $5, $6)`,
          [key, b.policy, kind, b.bet_id, raceId, amount],
        );
      if (wasSettled && Number(b.payout) !== 0)
        await ledger('reversal', `reversal:${b.bet_id}:${b.settlement_seq}`, -Number(b.payout));
      if (s.payout !== 0)
        await ledger(s.status === 'void' ? 'refund' : 'payout', `payout:${b.bet_id}:${seq}`, s.payout);
      await c.query(
        `UPDATE book_bets SET status = $2, payout = $3, settlement_seq = $4, settled_at = now() WHERE bet_id = $1`,
        [b.bet_id, s.status, s.payout, seq],
      );
      if (wasSettled) out.resettled += 1;
      else out.settled += 1;
    }
    return out;
  });
}

export async function getBookStatus(db: Db, policy: string = DEFAULT_POLICY): Promise<BookStatus> {
  const p = await db.query<{ starting_bankroll: string }>(
    `SELECT starting_bankroll FROM book_policies WHERE name = $1`,
    [policy],
  );
  const { rows } = await db.query<{
    open: string;
    settled: string;
    turnover: string | null;
    profit: string | null;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'open') AS open,
            count(*) FILTER (WHERE status IN ('won', 'placed', 'lost', 'void')) AS settled,
            sum(stake) FILTER (WHERE status <> 'replaced') AS turnover,
            sum(payout - stake) FILTER (WHERE status IN ('won', 'placed', 'lost', 'void')) AS profit
       FROM book_bets WHERE policy = $1`,
    [policy],
  );
  const r = rows[0];
  const registered = p.rows[0] !== undefined;
  return BookStatusSchema.parse({
    policy,
    startingBankroll: Number(p.rows[0]?.starting_bankroll ?? STARTING_BANKROLL),
    balance: registered ? await balanceOf(db, policy) : STARTING_BANKROLL,
    openBets: Number(r?.open ?? 0),
    settledBets: Number(r?.settled ?? 0),
    turnover: Number(r?.turnover ?? 0),
    profit: Number(r?.profit ?? 0),
  });
}

export async function listBets(db: Db, query: BetQuery = {}): Promise<BetRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT bet_id, race_id, run_id, policy, horse_id, horse_no, bet_type, odds, stake, status, payout, placed_at, settled_at
       FROM book_bets
      WHERE ($1::date IS NULL OR race_date = $1) AND ($2::text IS NULL OR race_id = $2) AND ($3::text IS NULL OR status = $3)
        AND ($4::date IS NULL OR race_date >= $4) AND ($5::date IS NULL OR race_date <= $5) AND ($6::text IS NULL OR policy = $6)
      ORDER BY placed_at, bet_id`,
    [
      query.date ?? null,
      query.raceId ?? null,
      query.status ?? null,
      query.from ?? null,
      query.to ?? null,
      query.policy ?? null,
    ],
  );
  return rows.map((r) =>
    BetRowSchema.parse({
      betId: r.bet_id,
      raceId: r.race_id,
      runId: r.run_id,
      policy: r.policy,
      horseId: r.horse_id,
      horseNo: r.horse_no,
      betType: r.bet_type,
      odds: r.odds,
      stake: Number(r.stake),
      status: r.status,
      payout: r.payout === null ? null : Number(r.payout),
      placedAt: (r.placed_at as Date).toISOString(),
      settledAt: r.settled_at ? (r.settled_at as Date).toISOString() : null,
    }),
  );
}

/** The balance after every ledger row, in order: the bankroll chart. */
export async function ledgerSeries(db: Db, policy: string = DEFAULT_POLICY): Promise<LedgerPoint[]> {
  const { rows } = await db.query<{ at: Date; balance: string }>(
    `SELECT at, sum(amount) OVER (ORDER BY entry_id) AS balance FROM book_ledger WHERE policy = $1 ORDER BY entry_id`,
    [policy],
  );
  return rows.map((r) => LedgerPointSchema.parse({ at: r.at.toISOString(), balance: Number(r.balance) }));
}
