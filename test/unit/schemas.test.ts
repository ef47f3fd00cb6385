import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaceCardSchema, defaultPlacesPaid } from '../../schemas/index.js';

test('placesPaid defaults by field size', () => {
  assert.equal(defaultPlacesPaid(3), 1);
  assert.equal(defaultPlacesPaid(6), 2);
  assert.equal(defaultPlacesPaid(7), 3);
});

test('a card with one active runner is rejected', () => {
  const r = RaceCardSchema.safeParse({
    raceId: 'r1',
    meeting: { venue: 'ST', date: '2025-01-01' },
    raceNo: 1,
    distanceM: 1200,
    surface: 'turf',
    going: 'GOOD',
    raceClass: '4',
    runners: [
      { horseId: 'a', horseNo: 1, draw: 1, actualWeight: 120, jockeyId: 'j', trainerId: 't' },
      {
        horseId: 'b',
        horseNo: 2,
        draw: 2,
        actualWeight: 120,
        jockeyId: 'j',
        trainerId: 't',
        scratched: true,
      },
    ],
  });
  assert.equal(r.success, false);
});
