import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { POLICIES, parsePolicy, policyByName, resolvePolicy } from '../../../book/policies.js';
import type { BookRace } from '../../../book/race.js';
import { settleBet } from '../../../book/settle.js';
import { stakeRace, type BankrollState } from '../../../book/stake.js';

const STATE: BankrollState = {
  startingBankroll: 1000,
  bankroll: 1000,
  dayOpening: 1000,
  dayStaked: 0,
  dayProfit: 0,
};
const runner = (horseId: string, p: number, odds: number, over = {}) => ({
  horseId,
  final: p,
  quant: p,
  fused: p,
  qualLr: 1,
  odds,
  ...over,
});
/** A 106% book; A is priced at 0.5 by the models and its evidence triples its market odds. */
const RACE: BookRace = {
  raceId: 'R1',
  date: '2026-01-01',
  placesPaid: 3,
  runners: [
    runner('A', 0.5, 4, { qualLr: 3, place: 0.9, placeOdds: 1.5 }),
    runner('B', 0.25, 2.2),
    runner('C', 0.25, 2.8),
  ],
};

describe('staking policies', () => {
  test('the table loads, names are unique and at least one convergence policy exists', () => {
    assert.equal(new Set(POLICIES.map((p) => p.name)).size, POLICIES.length);
    assert.ok(POLICIES.some((p) => p.name.includes('convergence') && p.convergence));
  });

  test('bad policies are refused with the field named', () => {
    const base = policyByName('flat-value');
    assert.throws(
      () => parsePolicy({ ...base, stake: { kind: 'flat', fraction: -0.01 } }),
      /stake.fraction: must not be negative/,
    );
    assert.throws(
      () => parsePolicy({ ...base, caps: { ...base.caps, perDay: 2 } }),
      /caps.perDay: must be at most 1/,
    );
    assert.throws(
      () => parsePolicy({ ...base, name: 'x-convergence', convergence: { k: 1, signals: ['oracle'] } }),
      /convergence.signals.0/,
    );
    assert.throws(() => parsePolicy({ ...base, convergence: { k: 1, signals: ['quant'] } }), /name/);
    assert.throws(() => resolvePolicy('no-such-policy'), /unknown staking policy/);
    assert.throws(() => resolvePolicy('{bad'), /not valid JSON/);
  });

  test('flat value bets win and place at the card prices; capped Kelly sizes from the bankroll', () => {
    const flat = stakeRace(policyByName('flat-value'), RACE, STATE);
    assert.deepEqual(
      flat.map((b) => [b.horseId, b.betType, b.odds, b.stake]),
      [
        ['A', 'win', 4, 10],
        ['A', 'place', 1.5, 10],
      ],
    );
    // Full Kelly at p 0.5, odds 4 is 1/3; a quarter is 8.3%, capped at 5% per bet.
    const kelly = stakeRace(policyByName('kelly-quarter'), RACE, STATE);
    assert.equal(kelly[0]?.stake, 50);
    const halfBankroll = stakeRace(policyByName('kelly-quarter'), RACE, { ...STATE, bankroll: 500 });
    assert.equal(halfBankroll[0]?.stake, 25);
  });

  test('the per-day cap and the daily loss stop hold', () => {
    const p = policyByName('kelly-quarter');
    const nearCap = stakeRace(p, RACE, { ...STATE, dayStaked: 240 });
    assert.equal(
      nearCap.reduce((s, b) => s + b.stake, 0),
      10,
    );
    assert.deepEqual(stakeRace(p, RACE, { ...STATE, dayProfit: -100 }), []);
  });

  test('convergence counts the independent signals', () => {
    const qualDissents = {
      ...RACE,
      runners: RACE.runners.map((r) => (r.horseId === 'A' ? { ...r, qualLr: 0.3 } : r)),
    };
    const quantOnly = {
      ...RACE,
      runners: RACE.runners.map((r) => (r.horseId === 'A' ? { ...r, qualLr: 0.3, fused: 0.2 } : r)),
    };
    const two = policyByName('2-module-convergence');
    const three = policyByName('3-module-convergence');
    assert.deepEqual(
      stakeRace(two, qualDissents, STATE).map((b) => b.horseId),
      ['A'],
    );
    assert.deepEqual(stakeRace(three, qualDissents, STATE), []);
    assert.deepEqual(stakeRace(two, quantOnly, STATE), []);
    assert.deepEqual(
      stakeRace(three, RACE, STATE).map((b) => b.horseId),
      ['A'],
    );
  });

  test('a market under 100% is not a market: nothing is bet', () => {
    const under = { ...RACE, runners: RACE.runners.map((r) => ({ ...r, odds: 5 })) };
    assert.deepEqual(stakeRace(policyByName('flat-value'), under, STATE), []);
  });
});

describe('settlement', () => {
  const outcome = (pos: Record<string, number>, scratched: string[] = []) => ({
    positions: new Map(Object.entries(pos)),
    placesPaid: 3,
    scratched: new Set(scratched),
  });
  const bet = (horseId: string, betType: 'win' | 'place' = 'win') => ({
    horseId,
    betType,
    odds: 5,
    stake: 10,
  });

  test('win, loss, place and a scratched runner', () => {
    assert.deepEqual(settleBet(bet('A'), outcome({ A: 1, B: 2 })), { status: 'won', payout: 50 });
    assert.deepEqual(settleBet(bet('B'), outcome({ A: 1, B: 2 })), { status: 'lost', payout: 0 });
    assert.deepEqual(settleBet(bet('B', 'place'), outcome({ A: 1, B: 2 })), { status: 'placed', payout: 50 });
    assert.deepEqual(settleBet(bet('D', 'place'), outcome({ A: 1, B: 2, C: 3, D: 4 })), {
      status: 'lost',
      payout: 0,
    });
    assert.deepEqual(settleBet(bet('A'), outcome({ B: 1 }, ['A'])), { status: 'void', payout: 10 });
  });

  test('dead heats split the stake', () => {
    assert.deepEqual(settleBet(bet('A'), outcome({ A: 1, B: 1 })), { status: 'won', payout: 25 });
    // Two share third with one place left: half the stake at full place odds.
    assert.deepEqual(settleBet(bet('C', 'place'), outcome({ A: 1, B: 2, C: 3, D: 3 })), {
      status: 'placed',
      payout: 25,
    });
    assert.deepEqual(settleBet(bet('B', 'place'), outcome({ A: 1, B: 2, C: 2 })), {
      status: 'placed',
      payout: 50,
    });
  });
});
