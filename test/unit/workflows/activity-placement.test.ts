import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planActivities } from '../../../schemas/activity-placement.js';

test("'auto' keeps the LLM analyst and E2B agents remote and runs everything else locally", () => {
  assert.deepEqual(planActivities('auto', { sandbox: 'e2b', qual: 'llm' }), {
    mode: 'auto',
    record: 'local',
    quant: 'local',
    qual: 'remote',
    agents: 'remote',
    synthesis: 'local',
    persist: 'local',
  });
  const fast = planActivities('auto', { sandbox: 'process', qual: 'evidence' });
  assert.equal(fast.qual, 'local');
  assert.equal(fast.agents, 'local');
});

test("'remote' makes every stage a remote activity whatever the worker resolved", () => {
  const plan = planActivities('remote', { sandbox: 'inline', qual: 'evidence' });
  const { mode, ...stages } = plan;
  assert.equal(mode, 'remote');
  assert.ok(Object.values(stages).every((p) => p === 'remote'));
});
