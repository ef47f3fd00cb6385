import assert from 'node:assert/strict';
import { test } from 'node:test';

// The worker registers exactly what workflows/index.ts exports; a workflow type missing there fails every
// start of it at run time ("no such function is exported by the workflow bundle").
test('the workflow bundle exports every workflow type the clients, schedules and bench start', async () => {
  const exported = await import('../../workflows/index.js');
  for (const name of [
    'raceWorkflow',
    'raceDayWorkflow',
    'resultsWorkflow',
    'monitoringWorkflow',
    'recalibrationWorkflow',
    'floorWorkflow',
  ]) {
    assert.equal(typeof (exported as Record<string, unknown>)[name], 'function', `${name} is not exported`);
  }
});
