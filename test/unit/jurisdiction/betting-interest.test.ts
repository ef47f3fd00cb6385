import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scoreRace, type ScorablePrediction } from '../../../agents/scoring.js';
import { interestMarketProbs, priceInterests } from '../../../agents/pricing.js';
import { bettingInterestOf, RaceCardSchema, type RaceCardInput } from '../../../schemas/race-card.js';

const runner = (horseId: string, horseNo: string | number, extra: object = {}) => ({
  horseId,
  horseNo,
  draw: 1,
  actualWeight: 120,
  jockeyId: `j-${horseId}`,
  trainerId: 't',
  ...extra,
});
const card = (runners: object[], extra: object = {}): RaceCardInput =>
  ({
    raceId: 'us-1',
    meeting: { venue: 'AQU', date: '2026-11-22' },
    raceNo: 1,
    distanceM: 1200,
    surface: 'dirt',
    going: 'FAST',
    raceClass: 'ALW',
    runners,
    ...extra,
  }) as RaceCardInput;
const pricing = { kellyFraction: 0.25, stakeCap: 0.1, minEdge: 0.05 };

describe('program numbers and betting interests', () => {
  test('numbers are still accepted and become text; "1A" and "1X" are program numbers', () => {
    const c = RaceCardSchema.parse(card([runner('a', 1), runner('b', '1a'), runner('c', '1X')]));
    assert.deepEqual(
      c.runners.map((r) => r.horseNo),
      ['1', '1A', '1X'],
    );
  });

  test('a duplicate program number is still refused, text or number', () => {
    const r = RaceCardSchema.safeParse(card([runner('a', 2), runner('b', '2')]));
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /duplicate horseNo 2/);
  });

  test('where entries are coupled, "1" and "1A" share interest 1; elsewhere each runner is its own', () => {
    const input = [runner('a', '1'), runner('b', '1A'), runner('c', '2')];
    const coupled = RaceCardSchema.parse(card(input, { jurisdiction: 'US', couplesEntries: true }));
    assert.deepEqual(
      coupled.runners.map((r) => bettingInterestOf(coupled, r)),
      ['1', '1', '2'],
    );
    const hk = RaceCardSchema.parse(card(input));
    assert.deepEqual(
      hk.runners.map((r) => bettingInterestOf(hk, r)),
      ['1', '1A', '2'],
    );
  });

  test('an explicit bettingInterest overrides the default', () => {
    const c = RaceCardSchema.parse(
      card([
        runner('a', '3', { bettingInterest: '7' }),
        runner('b', '5', { bettingInterest: '7' }),
        runner('c', 6),
      ]),
    );
    assert.deepEqual(
      c.runners.map((r) => bettingInterestOf(c, r)),
      ['7', '7', '6'],
    );
  });

  test('market probability is normalised over interests: a coupled entry counts its one price once', () => {
    // Tote: interest 1 at 2.0 (both members carry it), interest 2 at 3.0, interest 3 at 6.0: 1/2+1/3+1/6 = 1.
    const m = interestMarketProbs([2, 2, 3, 6], ['1', '1', '2', '3'])!;
    assert.ok(Math.abs(m[0]! + m[1]! - 0.5) < 1e-12);
    assert.ok(Math.abs(m[2]! - 1 / 3) < 1e-12);
    assert.ok(Math.abs(m.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // Per runner (the old way) the coupled price would have counted twice: 1/2 / (1/2+1/2+1/3+1/6) = 1/3 each.
    assert.ok(Math.abs(m[0]! - 0.25) < 1e-12);
    assert.equal(interestMarketProbs([2, undefined, 3], ['1', '1', '2'])!.length, 3);
    assert.equal(interestMarketProbs([2, 2, undefined], ['1', '1', '2']), null);
  });

  test('an interest is priced on the sum of its members against its one price', () => {
    const priced = priceInterests(
      [
        { horseId: 'a', bettingInterest: '1', winProbFinal: 0.3, placeProb: 0.6, marketWinOdds: 2.5 },
        { horseId: 'b', bettingInterest: '1', winProbFinal: 0.2, placeProb: 0.5, marketWinOdds: 2.5 },
        { horseId: 'c', bettingInterest: '2', winProbFinal: 0.5, placeProb: 0.9, marketWinOdds: 1.8 },
      ],
      pricing,
    );
    const one = priced.find((p) => p.bettingInterest === '1')!;
    assert.deepEqual(one.horseIds, ['a', 'b']);
    assert.ok(Math.abs(one.winProbFinal - 0.5) < 1e-12);
    assert.ok(Math.abs(one.fairOdds - 2) < 1e-12);
    assert.ok(Math.abs(one.edge! - (0.5 * 2.5 - 1)) < 1e-12);
    assert.ok(one.stake! > 0);
    assert.ok(Math.abs(one.expectedPlaces - 1.1) < 1e-12);
    assert.equal(priced.length, 2);
  });

  test('a coupled interest is scored as one: it wins when any member wins', () => {
    const pred: ScorablePrediction = {
      runId: 'r',
      raceId: 'us-1',
      raceDate: '2026-11-22',
      runners: [
        { horseId: 'a', winProbFinal: 0.3, winProbBase: 0.3, marketOdds: 2, bettingInterest: '1' },
        { horseId: 'b', winProbFinal: 0.2, winProbBase: 0.2, marketOdds: 2, bettingInterest: '1' },
        { horseId: 'c', winProbFinal: 0.5, winProbBase: 0.5, marketOdds: 2, bettingInterest: '2' },
      ],
      positions: new Map([
        ['b', 1],
        ['c', 2],
        ['a', 3],
      ]),
    };
    const s = scoreRace(pred);
    assert.ok(Math.abs(s.logLoss! - -Math.log(0.5)) < 1e-12);
    assert.ok(Math.abs(s.marketLogLoss! - -Math.log(0.5)) < 1e-12);
    assert.ok(Math.abs(s.uniformLogLoss - Math.log(2)) < 1e-12);
    assert.equal(s.winnerHorseId, 'b');
  });
});
