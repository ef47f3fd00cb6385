import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RaceClient } from '../../../client/index.js';
import type { Db } from '../../../db/pool.js';
import type { BetRow } from '../../../schemas/book.js';
import { parseApiKeys, sha256Hex } from '../../../web/auth.js';
import type { BookReader } from '../../../web/book.js';
import { buildServer } from '../../../web/server.js';

// The book routes touch neither Temporal nor PostgreSQL; these stand-ins fail loudly if they ever do.
const unused = new Proxy(
  {},
  {
    get: () => {
      throw new Error('not used by the book routes');
    },
  },
);
const keys = parseApiKeys(sha256Hex('reader') + ':read');
const auth = { authorization: 'Bearer reader' };

const fakeBook: BookReader = {
  async status(policy) {
    return {
      policy: policy ?? 'kelly',
      startingBankroll: 1000,
      balance: 1012.5,
      openBets: 1,
      settledBets: 3,
      turnover: 80,
      profit: 12.5,
    };
  },
  async bets(filter) {
    const all: BetRow[] = [
      {
        betId: '1',
        raceId: 'R1',
        runId: 'run-1',
        policy: 'kelly',
        horseId: 'H1',
        horseNo: '4',
        betType: 'win',
        odds: 5.5,
        stake: 20,
        status: 'open',
        payout: null,
        placedAt: '2026-11-22T10:00:00.000Z',
        settledAt: null,
      },
      {
        betId: '2',
        raceId: 'R0',
        runId: 'run-0',
        policy: 'kelly',
        horseId: 'H2',
        horseNo: '7',
        betType: 'win',
        odds: 3.1,
        stake: 20,
        status: 'won',
        payout: 62,
        placedAt: '2026-11-21T10:00:00.000Z',
        settledAt: '2026-11-21T11:00:00.000Z',
      },
    ];
    return all.filter((b) => !filter.status || b.status === filter.status);
  },
  async ledgerSeries() {
    return [
      { at: '2026-11-21T00:00:00.000Z', balance: 1000 },
      { at: '2026-11-22T00:00:00.000Z', balance: 1012.5 },
    ];
  },
};

const server = (book?: BookReader) =>
  buildServer({ client: unused as RaceClient, db: unused as Db, namespace: 'default', keys, book });

describe('the book routes (fake BookReader)', () => {
  test('GET /api/book gives the status and only the open bets, with ISO timestamps', async () => {
    const app = await server(fakeBook);
    const res = await app.inject({ url: '/api/book?policy=flat', headers: auth });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status.policy, 'flat');
    assert.equal(body.status.balance, 1012.5);
    assert.deepEqual(
      body.openBets.map((b: { betId: string }) => b.betId),
      ['1'],
    );
    assert.equal(body.openBets[0].placedAt, '2026-11-22T10:00:00.000Z');
    const ledger = await app.inject({ url: '/api/book/ledger', headers: auth });
    assert.deepEqual(ledger.json().points[0], { at: '2026-11-21T00:00:00.000Z', balance: 1000 });
    const bets = await app.inject({ url: '/api/book/bets?status=won', headers: auth });
    assert.deepEqual(
      bets.json().bets.map((b: { betId: string }) => b.betId),
      ['2'],
    );
    await app.close();
  });

  test('the book page draws the bankroll chart and lists the open bets', async () => {
    const app = await server(fakeBook);
    const res = await app.inject({ url: '/book' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<canvas id="bankroll">/);
    assert.match(res.body, /1012\.50/);
    assert.match(res.body, /href="\/races\/R1"/);
    assert.doesNotMatch(res.body, /href="\/races\/R0"/);
    await app.close();
  });

  test('without a book, the API answers 503 book not configured and the page says so', async () => {
    const app = await server(undefined);
    const res = await app.inject({ url: '/api/book', headers: auth });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { error: 'BookNotConfigured', message: 'book not configured' });
    const page = await app.inject({ url: '/book' });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /Book not configured/);
    await app.close();
  });

  test('the book API needs a key', async () => {
    const app = await server(fakeBook);
    assert.equal((await app.inject({ url: '/api/book' })).statusCode, 401);
    assert.equal(
      (await app.inject({ url: '/api/book', headers: { authorization: 'Bearer wrong' } })).statusCode,
      401,
    );
    await app.close();
  });
});

describe('API_KEYS', () => {
  test('a bare digest reads and writes, :read only reads; anything else is refused', () => {
    const [rw, ro] = parseApiKeys(`${sha256Hex('a')}, ${sha256Hex('b')}:read`);
    assert.deepEqual([...rw!.scopes].sort(), ['read', 'write']);
    assert.deepEqual([...ro!.scopes], ['read']);
    assert.throws(() => parseApiKeys('plain-key'), /not a SHA-256 hex digest/);
    assert.throws(() => parseApiKeys(`${sha256Hex('a')}:admin`), /not a SHA-256 hex digest/);
    assert.deepEqual(parseApiKeys(undefined), []);
  });
});
