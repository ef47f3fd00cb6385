import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mulberry32, simulateRace } from '../../agents/index.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const AS_OF = '2026-06-01';
const RACES = 400;

/**
 * Stores scored races as the pipeline would have left them (a run with its card, the agents' input, the
 * official finish), drawn from a known model whose base probabilities are miscalibrated (temperature 1.3):
 * a refit on them must beat an artefact fitted on other data.
 */
async function storeScoredRaces(stack: TestStack): Promise<void> {
  const rng = mulberry32(20260601);
  for (let i = 0; i < RACES; i++) {
    const raceId = `sim-${String(i).padStart(4, '0')}`;
    const race = simulateRace(rng, raceId, {
      minRunners: 8,
      maxRunners: 14,
      lrSignal: 0.4,
      temperature: 1.3,
    });
    const date = new Date(Date.parse('2026-02-01T00:00:00Z') + Math.floor(i / 4) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const card: RaceCard = {
      raceId,
      meeting: { venue: 'ST', date },
      raceNo: (i % 4) + 1,
      distanceM: 1200,
      surface: 'turf',
      going: 'GOOD',
      raceClass: '4',
      runners: race.input.runners.map((r, k) => ({
        horseId: r.horseId,
        horseNo: String(k + 1),
        draw: k + 1,
        actualWeight: 120,
        jockeyId: `j${k}`,
        trainerId: `t${k}`,
        scratched: false,
        marketWinOdds: race.marketOdds[r.horseId],
      })),
    };
    const runId = `run-${raceId}`;
    await stack.db.query(
      `INSERT INTO race_runs (run_id, workflow_id, race_id, status, card) VALUES ($1, $2, $3, 'completed', $4)`,
      [runId, `race-${raceId}`, raceId, JSON.stringify(card)],
    );
    await stack.db.query(
      `INSERT INTO predictions (run_id, race_id, degraded, model_version, result, agent_input) VALUES ($1, $2, false, 'sim', '{}'::jsonb, $3)`,
      [runId, raceId, JSON.stringify(race.input)],
    );
    await stack.db.query(`INSERT INTO race_results (race_id, race_date, finish) VALUES ($1, $2, $3)`, [
      raceId,
      date,
      JSON.stringify(race.finishOrder.map((horseId, k) => ({ horseId, position: k + 1 }))),
    ]);
  }
}

describe('the recalibration loop on a real Temporal dev server and PostgreSQL', () => {
  let stack: TestStack;
  let cards: RaceCard[];

  before(async () => {
    stack = await startTestStack();
    await storeScoredRaces(stack);
    cards = await seedRaceDay(stack.db, 31, 1, '2026-06-03');
  });
  after(async () => stack?.stop());

  test('a refit that beats the current artefact on the held-out slice is stored, promoted and used by the next race', async () => {
    const w = await stack.startWorker();
    try {
      const s = await w.client.runRecalibration({
        asOf: AS_OF,
        windowDays: 180,
        minRaces: 200,
        bootstrapResamples: 50,
      });
      assert.equal(s.status, 'promoted', s.reason);
      assert.equal(s.fitRaces + s.holdoutRaces, RACES);
      assert.ok(s.candidateLogLoss! < s.currentLogLoss!);
      const stored = await stack.db.query(
        'SELECT promoted, holdout FROM calibration_artefacts WHERE version = $1',
        [s.candidateVersion],
      );
      assert.equal(stored.rows[0].promoted, true);
      assert.equal(stored.rows[0].holdout.races, s.holdoutRaces);

      const { workflowId, runId } = await w.client.startRace(cards[0]!, { sandbox: 'inline' });
      const result = await w.client.result(workflowId, runId);
      assert.equal(result.provenance.calibrationVersion, s.candidateVersion);
      assert.ok(
        Object.values(result.provenance.calibratorVersions).every((v) =>
          v.startsWith(`${s.candidateVersion}/`),
        ),
      );
      const row = await stack.db.query(
        'SELECT calibration_version, agent_input IS NOT NULL AS has_input FROM predictions WHERE run_id = $1',
        [runId],
      );
      assert.equal(row.rows[0].calibration_version, s.candidateVersion);
      assert.equal(row.rows[0].has_input, true);
    } finally {
      await w.stop();
    }
  });

  test('a candidate that does not beat the current artefact is stored but not promoted', async () => {
    const w = await stack.startWorker();
    try {
      // Same window again: the candidate is the promoted artefact refitted on the same races, so it cannot be strictly better.
      const s = await w.client.runRecalibration({
        asOf: AS_OF,
        windowDays: 180,
        minRaces: 200,
        bootstrapResamples: 50,
      });
      assert.equal(s.status, 'kept-current', s.reason);
      assert.equal(s.candidateLogLoss, s.currentLogLoss);
      const promoted = await stack.db.query(
        'SELECT count(*)::int AS n FROM calibration_artefacts WHERE promoted',
      );
      assert.equal(promoted.rows[0].n, 1);
    } finally {
      await w.stop();
    }
  });

  test('too few scored races: no refit, and it says why', async () => {
    const w = await stack.startWorker();
    try {
      const s = await w.client.runRecalibration({ asOf: '2026-02-10', windowDays: 30, minRaces: 200 });
      assert.equal(s.status, 'skipped');
      assert.match(s.reason, /fewer than 200/);
    } finally {
      await w.stop();
    }
  });
});
