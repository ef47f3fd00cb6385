import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dailyMetrics, detectDrift, scoreRace, type ScorablePrediction } from '../../../agents/scoring.js';
import { DriftThresholdsSchema } from '../../../schemas/ops.js';

const race = (id: string, probs: number[], winner: number, odds?: number[]): ScorablePrediction => ({
  runId: `run-${id}`,
  raceId: id,
  raceDate: '2026-03-04',
  runners: probs.map((p, i) => ({
    horseId: `h${i}`,
    winProbFinal: p,
    winProbBase: p,
    marketOdds: odds?.[i] ?? null,
  })),
  positions: new Map(probs.map((_, i) => [`h${i}`, i === winner ? 1 : i < winner ? i + 2 : i + 1])),
});

describe('scoring stored predictions (SPEC 7)', () => {
  test('log loss is -ln p_winner, with the uniform and market baselines beside it', () => {
    const s = scoreRace(race('r1', [0.5, 0.3, 0.2], 1, [2, 3, 6]));
    assert.ok(Math.abs(s.logLoss! - -Math.log(0.3)) < 1e-12);
    assert.ok(Math.abs(s.uniformLogLoss - Math.log(3)) < 1e-12);
    const m = [1 / 2, 1 / 3, 1 / 6];
    assert.ok(Math.abs(s.marketLogLoss! - -Math.log(m[1]! / m.reduce((a, b) => a + b, 0))) < 1e-12);
    assert.equal(s.top1, false);
    assert.equal(s.winnerHorseId, 'h1');
    assert.ok(Math.abs(s.brier - (0.25 + 0.49 + 0.04) / 3) < 1e-12);
  });

  test('a dead heat is scored on Brier but excluded from log loss, and the reason is kept', () => {
    const r = race('r2', [0.5, 0.5], 0);
    const dead = {
      ...r,
      positions: new Map([
        ['h0', 1],
        ['h1', 1],
      ]),
    };
    const s = scoreRace(dead);
    assert.equal(s.logLoss, null);
    assert.equal(s.excludedReason, 'dead heat');
    const day = dailyMetrics('2026-03-04', 'all', [dead, race('r3', [0.6, 0.4], 0)]);
    assert.equal(day.racesScored, 1);
    assert.deepEqual(day.excludedReasons, { 'dead heat': 1 });
  });

  test('daily metrics average the day and report the feature distributions watched for drift', () => {
    const day = dailyMetrics('2026-03-04', 'all', [
      race('a', [0.6, 0.3, 0.1], 0, [1.5, 3, 9]),
      race('b', [0.4, 0.4, 0.2], 2, [2.5, 2.5, 5]),
    ]);
    assert.equal(day.racesScored, 2);
    assert.ok(Math.abs(day.logLoss! - (-Math.log(0.6) - Math.log(0.2)) / 2) < 1e-12);
    assert.ok(Math.abs(day.favouriteBaseProb! - 0.5) < 1e-12);
    assert.equal(day.fieldSize, 3);
    assert.equal(day.favouriteOdds, 2);
    assert.ok(day.marketLogLoss !== null && day.pseudoR2 !== null);
  });
});

describe('drift detection', () => {
  const thresholds = DriftThresholdsSchema.parse({});
  const base = dailyMetrics('2026-03-01', 'all', [race('a', [0.6, 0.3, 0.1], 0, [1.5, 3, 9])]);

  test('a log-loss jump beyond the threshold raises one alert with a stable key; a small change raises none', () => {
    const bad = dailyMetrics('2026-03-04', 'all', [race('b', [0.6, 0.3, 0.1], 2, [1.5, 3, 9])]);
    const alerts = detectDrift(bad, [base], thresholds);
    const ll = alerts.find((a) => a.metric === 'logLoss');
    assert.ok(ll);
    assert.equal(ll.key, 'drift:all:2026-03-04:logLoss');
    assert.equal(ll.severity, 'critical');
    assert.deepEqual(detectDrift({ ...base, raceDate: '2026-03-04' }, [base], thresholds), []);
  });

  test('feature drift alerts either way; no baseline, no alert', () => {
    const bigger = { ...base, raceDate: '2026-03-04', fieldSize: base.fieldSize! + 5 };
    assert.deepEqual(
      detectDrift(bigger, [base], thresholds).map((a) => a.metric),
      ['fieldSize'],
    );
    const cheaper = { ...base, raceDate: '2026-03-04', favouriteOdds: base.favouriteOdds! * 0.5 };
    assert.deepEqual(
      detectDrift(cheaper, [base], thresholds).map((a) => a.metric),
      ['favouriteOdds'],
    );
    assert.deepEqual(detectDrift(bigger, [], thresholds), []);
  });
});
