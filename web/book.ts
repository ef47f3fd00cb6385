import { z } from 'zod';
import { getBookStatus, ledgerSeries, listBets } from '../db/book.js';
import type { Db } from '../db/pool.js';
import { BetQuerySchema } from '../schemas/book.js';

/**
 * What the web layer reads about the betting book. The book's tables live with the book (db/book.ts:
 * getBookStatus, listBets, ledgerSeries); the server only sees this interface, so it is tested with a fake
 * and wired to the database where the process is assembled.
 */
export const BookStatusSchema = z.object({
  policy: z.string(),
  startingBankroll: z.number(),
  balance: z.number(),
  openBets: z.number().int(),
  settledBets: z.number().int(),
  turnover: z.number(),
  profit: z.number(),
});
export type BookStatus = z.infer<typeof BookStatusSchema>;

/** A moment as the book may give it (a Date from pg, or ISO text); the API always answers ISO text. */
type Moment = string | Date;
const isoOf = (v: Moment): string => (v instanceof Date ? v.toISOString() : v);

export const BetSchema = z.object({
  betId: z.union([z.string(), z.number()]),
  raceId: z.string(),
  runId: z.string(),
  policy: z.string(),
  horseId: z.string(),
  horseNo: z.union([z.number(), z.string()]).nullable(),
  betType: z.string(),
  odds: z.number(),
  stake: z.number(),
  status: z.string(),
  payout: z.number().nullable(),
  placedAt: z.string(),
  settledAt: z.string().nullable(),
});
export type Bet = Omit<z.infer<typeof BetSchema>, 'placedAt' | 'settledAt'> & {
  placedAt: Moment;
  settledAt: Moment | null;
};
export const betOut = (b: Bet): z.infer<typeof BetSchema> => ({
  ...b,
  placedAt: isoOf(b.placedAt),
  settledAt: b.settledAt === null ? null : isoOf(b.settledAt),
});

export const LedgerPointSchema = z.object({ at: z.string(), balance: z.number() });
export interface LedgerPoint {
  at: Moment;
  balance: number;
}
export const ledgerOut = (p: LedgerPoint): z.infer<typeof LedgerPointSchema> => ({
  at: isoOf(p.at),
  balance: p.balance,
});

export const BetFilterSchema = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  raceId: z.string().optional(),
  status: z.string().optional(),
});
export type BetFilter = z.infer<typeof BetFilterSchema>;

export interface BookReader {
  status(policy?: string): Promise<BookStatus>;
  bets(filter: BetFilter): Promise<Bet[]>;
  ledgerSeries(policy?: string): Promise<LedgerPoint[]>;
}

/** Raised by a route that needs the book when the process was started without one. */
export class BookNotConfigured extends Error {
  override name = 'BookNotConfigured';
  constructor() {
    super('book not configured');
  }
}

/** The live paper book in PostgreSQL (db/book.ts), as the server reads it. */
export function postgresBookReader(db: Db): BookReader {
  return {
    status: (policy) => getBookStatus(db, policy),
    bets: (filter) => listBets(db, BetQuerySchema.parse(filter)),
    ledgerSeries: (policy) => ledgerSeries(db, policy),
  };
}
