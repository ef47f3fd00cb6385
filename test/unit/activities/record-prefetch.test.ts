import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRecordActivities } from '../../../activities/record.js';
import type { ActivityDeps } from '../../../activities/ports.js';
import type { Db } from '../../../db/pool.js';
import type { RaceCard } from '../../../schemas/race-card.js';

const card = {
  raceId: 'prefetch-1',
  meeting: { venue: 'ST', date: '2026-01-10' },
  raceNo: 1,
  distanceM: 1200,
  surface: 'turf',
  going: 'GOOD',
  raceClass: '4',
  runners: [
    { horseId: 'a', horseNo: 1, draw: 1, actualWeight: 120, jockeyId: 'j1', trainerId: 't1' },
    { horseId: 'b', horseNo: 2, draw: 2, actualWeight: 121, jockeyId: 'j2', trainerId: 't2' },
  ],
} as unknown as RaceCard;

const env = () =>
  new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf-prefetch', runId: 'run-prefetch' } });

function deps(events: string[]) {
  const db = {
    query: async () => {
      events.push('insert started');
      await new Promise((r) => setTimeout(r, 5));
      events.push('insert done');
      return { rows: [] };
    },
  } as unknown as Db;
  const calibration = {
    current: async () => ({ version: 'cal-1' }),
  } as unknown as ActivityDeps['calibration'];
  return { db, calibration, defaultSandbox: 'inline' as const };
}

test('recording a run starts its history read before the insert, with the validated card', async () => {
  const events: string[] = [];
  const seen: RaceCard[] = [];
  const { recordRun } = createRecordActivities(deps(events), async (c) => {
    events.push('prefetch');
    seen.push(c);
    return new Map();
  });
  const out = await env().run(recordRun, card, { sandbox: 'default', qual: 'auto' } as const);
  assert.deepEqual(events, ['prefetch', 'insert started', 'insert done']);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.raceId, 'prefetch-1');
  assert.deepEqual(out, { calibrationVersion: 'cal-1', resolved: { sandbox: 'inline', qual: 'evidence' } });
});

test('a failed prefetch does not fail the record (the analyses read again)', async () => {
  const events: string[] = [];
  const { recordRun } = createRecordActivities(deps(events), () => Promise.reject(new Error('db away')));
  const out = await env().run(recordRun, card, { sandbox: 'inline', qual: 'evidence' } as const);
  assert.equal((out as { calibrationVersion: string }).calibrationVersion, 'cal-1');
  assert.deepEqual(events, ['insert started', 'insert done']);
});

test('an invalid card is refused before anything is read or written', async () => {
  const events: string[] = [];
  let prefetched = false;
  const { recordRun } = createRecordActivities(deps(events), async () => {
    prefetched = true;
    return new Map();
  });
  const bad = { ...card, runners: [] } as unknown as RaceCard;
  await assert.rejects(env().run(recordRun, bad, { sandbox: 'inline', qual: 'evidence' } as const));
  assert.equal(prefetched, false);
  assert.deepEqual(events, []);
});
