import { z } from 'zod';
import { getBookStatus, ledgerSeries, listBets } from '../db/book.js';
import type { Db } from '../db/pool.js';
import {
  BetQuerySchema,
  type BetQuery,
  type BetRow,
  type BookStatus,
  type LedgerPoint,
} from '../schemas/book.js';

/** The filters the bets route takes: the book's own query, without the report-only window and policy. */
export const BetFilterSchema = z.object(
  BetQuerySchema.pick({ date: true, raceId: true, status: true }).shape,
);
export type BetFilter = Pick<BetQuery, 'date' | 'raceId' | 'status'>;

/**
 * What the web layer reads about the betting book, in the shapes of schemas/book.ts (the ones db/book.ts
 * returns). The server only sees this interface, so it is tested with a fake and wired to the database
 * where the process is assembled.
 */
export interface BookReader {
  status(policy?: string): Promise<BookStatus>;
  bets(filter: BetFilter): Promise<BetRow[]>;
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
