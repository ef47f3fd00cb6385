import type { Client } from '@temporalio/client';
import {
  BetQuerySchema,
  BetRowSchema,
  BookStatusSchema,
  LedgerPointSchema,
  type BetQuery,
  type BetRow,
  type BookStatus,
  type LedgerPoint,
} from '../schemas/book.js';
import { SA } from '../schemas/search-attributes.js';
import { describeIssues } from '../schemas/workflow-input.js';
import type { BookAnswer, BookRequest, bookWorkflow } from '../workflows/book.js';
import { InvalidInput } from './errors.js';

async function ask(temporal: Client, taskQueue: string, req: BookRequest): Promise<BookAnswer> {
  return temporal.workflow.execute<typeof bookWorkflow>('bookWorkflow', {
    taskQueue,
    workflowId: `book-${req.kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    args: [req],
    typedSearchAttributes: [{ key: SA.jobKind, value: 'book' }],
  });
}

/** The paper book's bankroll, open and settled bets, turnover and profit (the worker's policy unless named). */
export async function bookStatus(temporal: Client, taskQueue: string, policy?: string): Promise<BookStatus> {
  const a = await ask(temporal, taskQueue, { kind: 'status', policy });
  if (a.kind !== 'status') throw new Error(`book answered ${a.kind} to status`);
  return BookStatusSchema.parse(a.status);
}

/** Paper bets by race date, race or status, with their settlement. A bad query is refused before anything runs. */
export async function listBets(temporal: Client, taskQueue: string, query: BetQuery = {}): Promise<BetRow[]> {
  const parsed = BetQuerySchema.safeParse(query);
  if (!parsed.success)
    throw new InvalidInput(`invalid bet query: ${describeIssues(parsed.error)}`, 'InvalidBetQuery');
  const a = await ask(temporal, taskQueue, { kind: 'bets', query: parsed.data });
  if (a.kind !== 'bets') throw new Error(`book answered ${a.kind} to bets`);
  return a.bets.map((b) => BetRowSchema.parse(b));
}

/** The balance after every ledger movement, in order. */
export async function bookLedger(
  temporal: Client,
  taskQueue: string,
  policy?: string,
): Promise<LedgerPoint[]> {
  const a = await ask(temporal, taskQueue, { kind: 'ledger', policy });
  if (a.kind !== 'ledger') throw new Error(`book answered ${a.kind} to ledger`);
  return a.ledger.map((p) => LedgerPointSchema.parse(p));
}
