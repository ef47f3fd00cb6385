import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_DEFINITIONS, FEATURE_NAMES, FEATURE_VERSION } from '../../../models/features/definitions.js';
import { addDrawResults, drawBias, fitSpeedPars } from '../../../models/features/pars.js';
import { buildQuantFeatures } from '../../../models/features/quant-features.js';
import type { PastRun, RunnerHistory } from '../../../schemas/history.js';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const pars = fitSpeedPars(
  Array.from({ length: 40 }, (_, i) => syntheticRace(i)),
  40,
  'test',
);
const rowOf = (row: Float32Array | undefined): Record<string, number> =>
  Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, row?.[j] as number]));

void test('the builder is deterministic and gives one finite row per active runner in card order', () => {
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 12; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(12);
  const a = buildQuantFeatures(card, acc.historiesFor(card), pars);
  const b = buildQuantFeatures(card, acc.historiesFor(card), pars);
  assert.deepEqual(a, b);
  assert.equal(a.rows.length, card.runners.length);
  assert.equal(a.version, FEATURE_VERSION);
  for (const row of a.rows) {
    assert.equal(row.length, FEATURE_NAMES.length);
    assert.ok(row.every(Number.isFinite));
  }
});

void test('a horse with no history gets the documented defaults and missing indicators', () => {
  const card = syntheticCard(0);
  const f = rowOf(buildQuantFeatures(card, new Map(), pars).rows[0]);
  assert.equal(f.no_history, 1);
  assert.equal(f.speed_missing, 1);
  assert.equal(f.declared_weight_change_missing, 1);
  assert.equal(f.speed_fig_last, -3);
  assert.equal(f.late_fig_mean4, -1);
  assert.equal(f.behind_per_km_mean4, 2);
  assert.ok(Math.abs((f.finish_pct_mean4 as number) - 0.6) < 1e-6);
  assert.equal(f.log_runs, 0);
  assert.equal(f.log_days_since, 0);
  assert.ok(Math.abs((f.win_rate_shrunk as number) - 0.08) < 1e-6);
});

void test('scratched runners get no row', () => {
  const card = syntheticCard(3);
  const scratched = {
    ...card,
    runners: card.runners.map((r, i) => (i === 1 ? { ...r, scratched: true } : r)),
  };
  assert.equal(buildQuantFeatures(scratched, new Map(), pars).rows.length, card.runners.length - 1);
});

void test('the committed feature definitions file matches the code', () => {
  const file = JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../models/quant', `features-${FEATURE_VERSION}.json`),
      'utf8',
    ),
  ) as unknown;
  assert.deepEqual(file, { version: FEATURE_VERSION, features: FEATURE_DEFINITIONS });
});

void test('speed figures are seconds per km faster than the par for the same venue, surface, distance and going', () => {
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 12; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(13);
  const histories = acc.historiesFor(card);
  const horse = card.runners[0]?.horseId as string;
  const last = histories.get(horse)?.runs[0];
  assert.ok(last && last.finishTimeS !== null);
  const par = 70;
  const own = {
    version: 't',
    trainUntilRaceId: 0,
    finish: { [`${last.venue}|${last.surface}|${last.distanceM}`]: par },
    lastSection: {},
    draw: {},
    drawCourse: {},
  };
  const f = rowOf(buildQuantFeatures(card, histories, own).rows[0]);
  assert.ok(
    Math.abs(
      (f.speed_fig_last as number) -
        Math.max(-10, Math.min(5, (par - last.finishTimeS) / (last.distanceM / 1000))),
    ) < 1e-4,
  );
  assert.equal(f.speed_missing, 0);
});

void test('draw bias is positive for a stall that wins more than the course rate, shrunk towards 0', () => {
  const card = syntheticCard(0);
  const [inside, outside] = card.runners;
  assert.ok(inside && outside);
  const counts = { draw: {}, drawCourse: {} };
  // 400 races in which the inside stall always wins.
  for (let i = 0; i < 400; i++)
    addDrawResults(counts, {
      raceNumericId: i,
      card,
      outcome: { finishOrder: [], winners: [inside.horseId], results: [], winnerTimeS: null },
    });
  const favoured = drawBias(counts, card, inside.draw);
  const never = drawBias(counts, card, outside.draw);
  assert.ok(favoured > 0 && never < 0, `favoured ${favoured}, never ${never}`);
  // Shrinkage: 400 runs against 300 pseudo-runs keep it well short of the raw ln(1 / base rate).
  assert.ok(favoured < Math.log(card.runners.length));
  assert.equal(drawBias({ draw: {}, drawCourse: {} }, card, inside.draw), 0);
});

/** A past run of a horse in race `raceId`, finishing `position` at `lengthsBehind`. */
const pastRun = (raceId: string, position: number, lengthsBehind: number, distanceM = 1200): PastRun => ({
  raceId,
  date: '2019-12-01',
  venue: 'ST',
  distanceM,
  surface: 'turf',
  going: 'GOOD',
  raceClass: '4',
  fieldSize: 12,
  draw: 1,
  position,
  won: position === 1,
  lengthsBehind,
  finishTimeS: 70 + lengthsBehind * 0.16,
  winnerTimeS: 70,
  actualWeight: 120,
  declaredWeight: 1050,
  rating: 60,
  winOdds: 8,
  jockeyId: 'j0',
  trainerId: 't0',
  gear: null,
  positionCalls: [],
});
const historyOf = (horseId: string, runs: PastRun[]): RunnerHistory => ({
  horseId,
  runs,
  jockey: { rides: 0, wins: 0, places: 0 },
  trainer: { rides: 0, wins: 0, places: 0 },
});

void test('head-to-head: a runner that beat a rival in a shared past race scores above it; no shared race scores 0', () => {
  const card = syntheticCard(0);
  const [a, b, c] = card.runners.map((r) => r.horseId);
  assert.ok(a && b && c);
  const histories = new Map([
    [a, historyOf(a, [pastRun('r1', 1, 0), pastRun('r2', 3, 2)])],
    [b, historyOf(b, [pastRun('r1', 4, 3)])],
    [c, historyOf(c, [pastRun('r9', 2, 1)])],
  ]);
  const rows = buildQuantFeatures(card, histories, pars).rows.map(rowOf);
  const [fa, fb, fc] = rows;
  assert.ok(fa && fb && fc);
  // One meeting (r1): a won, b was fourth, 3 lengths back.
  assert.ok(Math.abs((fa.h2h_net as number) - 1 / 3) < 1e-6);
  assert.ok(Math.abs((fb.h2h_net as number) + 1 / 3) < 1e-6);
  assert.ok(Math.abs((fa.h2h_lengths as number) - 1) < 1e-6);
  assert.ok(Math.abs((fb.h2h_lengths as number) + 1) < 1e-6);
  assert.ok(Math.abs((fa.h2h_meetings as number) - Math.log(2)) < 1e-6);
  assert.equal(fc.h2h_net, 0);
  assert.equal(fc.h2h_meetings, 0);
});

void test('the trip figure is the best figure within 200 m on this surface, else the best recent figure marked down', () => {
  const card = syntheticCard(1); // 1200 m, turf
  const [a, b] = card.runners.map((r) => r.horseId);
  assert.ok(a && b);
  const own = { ...pars, finish: { 'ST|turf|1200': 71, 'ST|turf|1800': 110 } };
  const histories = new Map([
    [a, historyOf(a, [pastRun('r1', 1, 0, 1800), pastRun('r2', 2, 1, 1200)])],
    [b, historyOf(b, [pastRun('r3', 1, 0, 1800)])],
  ]);
  const [fa, fb] = buildQuantFeatures(card, histories, own).rows.map(rowOf);
  assert.ok(fa && fb);
  // a at 1200 m: par 71 against 70.16 s over 1.2 km.
  assert.ok(Math.abs((fa.speed_fig_best_at_trip as number) - (71 - 70.16) / 1.2) < 1e-4);
  assert.ok(Math.abs((fa.runs_at_trip as number) - Math.log(2)) < 1e-6);
  // b never ran within 200 m of 1200: its best figure (1800 m: par 110, 70 s -> clipped to 5) less 1.
  assert.ok(Math.abs((fb.speed_fig_best_at_trip as number) - 4) < 1e-6);
  assert.equal(fb.runs_at_trip, 0);
});
