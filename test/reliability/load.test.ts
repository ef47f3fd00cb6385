import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from '../support/load-run.js';

// The timed 200-race measurement is test/load/load-200.ts (figures in BENCHMARKS.md); this checks only correctness.
const RACES = 50;

test(`${RACES} races started at once all complete; none lost, none duplicated`, async () => {
  const report = await runLoad(RACES);
  assert.equal(report.completed, RACES);
  assert.deepEqual(report.rows, {
    raceRuns: RACES,
    predictions: RACES,
    distinctRunsPredicted: RACES,
    runnerRows: report.rows.expectedRunnerRows,
    expectedRunnerRows: report.rows.expectedRunnerRows,
    agentRows: RACES * 15,
  });
});
