import { z } from 'zod';

/** What the book's readers (CLI, SDK client, HTTP API) get back: one bet, the status, the balance over time. */

export const BET_STATUSES = ['open', 'won', 'lost', 'void', 'replaced', 'placed'] as const;

export const BetRowSchema = z.object({
  betId: z.string(),
  raceId: z.string(),
  runId: z.string(),
  policy: z.string(),
  horseId: z.string(),
  horseNo: z.string().nullable(),
  betType: z.enum(['win', 'place']),
  odds: z.number().gt(1),
  stake: z.number().positive(),
  status: z.enum(BET_STATUSES),
  payout: z.number().min(0).nullable(),
  placedAt: z.string(),
  settledAt: z.string().nullable(),
});
export type BetRow = z.infer<typeof BetRowSchema>;

export const BetQuerySchema = z.strictObject({
  date: z.iso.date().optional(),
  raceId: z.string().min(1).optional(),
  status: z.enum(BET_STATUSES).optional(),
  /** Race dates from / to (inclusive), for reports over a window. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  policy: z.string().min(1).optional(),
});
export type BetQuery = z.infer<typeof BetQuerySchema>;

export const BookStatusSchema = z.object({
  policy: z.string(),
  startingBankroll: z.number(),
  balance: z.number(),
  openBets: z.number().int().min(0),
  settledBets: z.number().int().min(0),
  turnover: z.number().min(0),
  profit: z.number(),
});
export type BookStatus = z.infer<typeof BookStatusSchema>;

export const LedgerPointSchema = z.object({ at: z.string(), balance: z.number() });
export type LedgerPoint = z.infer<typeof LedgerPointSchema>;

/** What settling a race's bets did. */
export interface Settlement {
  settled: number;
  /** Bets whose earlier settlement a corrected result changed (reversed, then paid again). */
  resettled: number;
  unchanged: number;
}
