import { proxyActivities } from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import type { BetQuery, BetRow, BookStatus, LedgerPoint } from '../schemas/book.js';
import { OPS_ACTIVITY_OPTIONS } from './ops-activity-options.js';

const { bookStatus, bookBets, bookLedger } = proxyActivities<RaceActivities>(OPS_ACTIVITY_OPTIONS.evaluate);

export type BookRequest =
  | { kind: 'status'; policy?: string }
  | { kind: 'bets'; query: BetQuery }
  | { kind: 'ledger'; policy?: string };

export type BookAnswer =
  | { kind: 'status'; status: BookStatus }
  | { kind: 'bets'; bets: BetRow[] }
  | { kind: 'ledger'; ledger: LedgerPoint[] };

/** One read of the paper book, so the SDK client reaches it the way it reaches everything else: through Temporal. */
export async function bookWorkflow(req: BookRequest): Promise<BookAnswer> {
  switch (req.kind) {
    case 'status':
      return { kind: 'status', status: await bookStatus(req.policy) };
    case 'bets':
      return { kind: 'bets', bets: await bookBets(req.query) };
    case 'ledger':
      return { kind: 'ledger', ledger: await bookLedger(req.policy) };
  }
}
