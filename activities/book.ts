import { DEFAULT_POLICY } from '../book/policies.js';
import { getBookStatus, ledgerSeries, listBets } from '../db/book.js';
import {
  BetQuerySchema,
  type BetQuery,
  type BetRow,
  type BookStatus,
  type LedgerPoint,
} from '../schemas/book.js';
import type { ActivityDeps } from './ports.js';

/** Reads of the paper book for the SDK client; the worker's configured policy unless one is named. */
export function createBookActivities({ db, bookPolicy }: Pick<ActivityDeps, 'db' | 'bookPolicy'>) {
  const configured = bookPolicy?.name ?? DEFAULT_POLICY;
  return {
    async bookStatus(policy?: string): Promise<BookStatus> {
      return getBookStatus(db, policy ?? configured);
    },
    async bookBets(query: BetQuery): Promise<BetRow[]> {
      return listBets(db, BetQuerySchema.parse(query));
    },
    async bookLedger(policy?: string): Promise<LedgerPoint[]> {
      return ledgerSeries(db, policy ?? configured);
    },
  };
}
