import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from '../support/load-run.js';

// The timed 200-race measurement is test/load/load-200.ts (figures in BENCHMARKS.md); this checks only correctness.
const RACES = 50;

test(`${RACES} races started at once all complete; none lost, none duplicated`, async () => {
  const report = await runLoad(RACES);
  assert.equal(report.completed, RACES);
  const { runnerRows, expectedRunnerRows, ...perRace } = report.rows;
  assert.deepEqual(perRace, {
    raceRuns: RACES,
    predictions: RACES,
    distinctRunsPredicted: RACES,
    agentRows: RACES * 15,
  });
  // The expected count comes from the seeded cards' active runners, not from the database it is checked against.
  assert.ok(expectedRunnerRows >= RACES * 2, `seeded cards hold ${expectedRunnerRows} active runners`);
  assert.equal(runnerRows, expectedRunnerRows);
});
