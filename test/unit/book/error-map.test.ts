import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMap, type ErrorMapRace } from '../../../agents/error-map.js';

const race = (winner: number, qualLr: number[]): ErrorMapRace => ({
  raceId: `R${winner}`,
  date: '2026-01-01',
  odds: [2, 3, 5],
  positions: [0, 1, 2].map((i) => (i === winner ? 1 : i + 2)),
  horseIds: ['A', 'B', 'C'],
  qualLr,
  modules: { quant: [0.5, 0.3, 0.2], final: [0.6, 0.3, 0.1] },
});

test('the error map bands runners by odds and names the traps', () => {
  const map = errorMap([race(1, [2, 1, 1]), race(0, [1, 1, 1])]);
  const quant = map.modules.find((m) => m.module === 'quant');
  assert.equal(quant?.races, 2);
  assert.equal(quant?.top1, 0.5);
  assert.ok(Math.abs((quant?.raceLogLoss ?? 0) - (-Math.log(0.3) - Math.log(0.5)) / 2) < 1e-12);
  const short = map.cells.find((c) => c.module === 'final' && c.band === '<3');
  assert.deepEqual([short?.runners, short?.predicted, short?.observed], [2, 0.6, 0.5]);
  assert.ok(Math.abs((short?.optimism ?? 0) - 0.1) < 1e-12);
  // A at 2.0 is 0.484 of the market's book; final 0.6 and an LR of 2 in R1, where A lost: one trap of one push.
  assert.equal(map.traps.shortPricedBoosted, 1);
  assert.equal(map.traps.count, 1);
  assert.equal(map.traps.examples[0]?.raceId, 'R1');
});
