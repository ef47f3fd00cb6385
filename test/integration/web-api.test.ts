import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { countStoredResults } from '../../db/runs.js';
import { parseApiKeys, sha256Hex } from '../../web/auth.js';
import type { WebDeps } from '../../web/deps.js';
import { buildServer } from '../../web/server.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const card = JSON.parse(readFileSync(new URL('../fixtures/good-card.json', import.meta.url), 'utf8'));
const writer = { authorization: 'Bearer writer-key' };
const reader = { authorization: 'Bearer reader-key' };
const keys = parseApiKeys(`${sha256Hex('writer-key')},${sha256Hex('reader-key')}:read`);

describe('HTTP API on the real stack', () => {
  let stack: TestStack;
  let worker: Awaited<ReturnType<TestStack['startWorker']>>;
  let app: FastifyInstance;
  let deps: WebDeps;
  before(async () => {
    stack = await startTestStack();
    worker = await stack.startWorker();
    deps = {
      client: worker.client,
      db: stack.db,
      namespace: 'default',
      keys,
      temporalUiUrl: 'http://ui.test',
    };
    app = await buildServer(deps);
  });
  after(async () => {
    await app?.close();
    await worker?.stop();
    await stack?.stop();
  });

  test('health reports Temporal and PostgreSQL reachable, without a key', async () => {
    const res = await app.inject({ url: '/api/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', temporal: { ok: true }, postgres: { ok: true } });
  });

  test('no key or an unknown key gets 401; a read-only key cannot start a race (403)', async () => {
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/api/races', payload: { ...card, raceId: 'api-auth' }, headers });
    assert.equal((await post({})).statusCode, 401);
    assert.equal((await post({ authorization: 'Bearer nope' })).statusCode, 401);
    assert.equal((await post({ authorization: `Bearer ${sha256Hex('writer-key')}` })).statusCode, 401);
    const ro = await post(reader);
    assert.equal(ro.statusCode, 403);
    assert.equal(ro.json().error, 'Forbidden');
    assert.equal((await app.inject({ url: '/api/races', headers: reader })).statusCode, 200);
    assert.equal(await countStoredResults(stack.db, 'api-auth'), 0);
    assert.equal((await stack.db.query(`SELECT 1 FROM race_runs WHERE race_id = 'api-auth'`)).rowCount, 0);
  });

  test('a bad card gets 400 with the CLI error and starts nothing', async () => {
    const bad = {
      ...card,
      raceId: 'api-bad',
      runners: card.runners.map((r: object, i: number) => (i === 0 ? { ...r, age: 40 } : r)),
    };
    const res = await app.inject({ method: 'POST', url: '/api/races', payload: bad, headers: writer });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'InvalidRaceCard',
      message: 'invalid race card: runners.0.age: Too big: expected number to be <=15',
    });
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/races',
      payload: '{"raceId":',
      headers: { ...writer, 'content-type': 'application/json' },
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error, 'InvalidRaceCard');
    const huge = await app.inject({
      method: 'POST',
      url: '/api/races',
      payload: { ...card, raceId: 'api-huge', padding: 'x'.repeat(400 * 1024) },
      headers: writer,
    });
    assert.equal(huge.statusCode, 413);
    for (const raceId of ['api-bad', 'api-huge'])
      assert.equal(
        (await stack.db.query('SELECT 1 FROM race_runs WHERE race_id = $1', [raceId])).rowCount,
        0,
      );
  });

  test('a race started over HTTP (202) is read back as its RaceResult and listed with the day', async () => {
    const start = await app.inject({
      method: 'POST',
      url: '/api/races',
      payload: { ...card, raceId: 'api-run' },
      headers: writer,
    });
    assert.equal(start.statusCode, 202);
    const { workflowId, runId } = start.json();
    assert.equal(workflowId, 'race-api-run');
    const expected = await worker.client.result(workflowId, runId);
    const read = await app.inject({ url: '/api/races/api-run', headers: reader });
    assert.equal(read.statusCode, 200);
    const result = read.json();
    assert.equal(result.runId, runId);
    assert.deepEqual(
      result.runners.map((r: { winProbFinal: number }) => r.winProbFinal),
      expected.runners.map((r) => r.winProbFinal),
    );
    const runs = await app.inject({
      url: `/api/races?date=${card.meeting.date}&venue=${card.meeting.venue}`,
      headers: reader,
    });
    assert.ok(
      runs
        .json()
        .runs.some((r: { runId: string; status: string }) => r.runId === runId && r.status === 'completed'),
    );
    const other = await app.inject({ url: `/api/races?date=1999-01-01`, headers: reader });
    assert.deepEqual(other.json().runs, []);
    assert.equal((await app.inject({ url: '/api/races/never-run', headers: reader })).statusCode, 404);
    const badDate = await app.inject({ url: '/api/races?date=yesterday', headers: reader });
    assert.equal(badDate.statusCode, 400);
    assert.match(badDate.json().message, /querystring: date: expected YYYY-MM-DD/);
    const page = await app.inject({ url: `/races/api-run` });
    assert.match(
      page.body,
      new RegExp(`http://ui.test/namespaces/default/workflows/race-api-run/${runId}/history`),
    );
    const daily = await app.inject({ url: '/api/metrics/daily', headers: reader });
    assert.deepEqual(daily.json(), { days: [], alerts: [] });
  });

  test('the rate limit counts per key: the fourth request in the window gets 429, another key is still served', async () => {
    const limited = await buildServer({ ...deps, rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++)
        codes.push((await limited.inject({ url: '/api/races', headers: reader })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 429]);
      assert.equal((await limited.inject({ url: '/api/races', headers: writer })).statusCode, 200);
      const last = await limited.inject({ url: '/api/races', headers: reader });
      assert.equal(last.json().error, 'RateLimited');
    } finally {
      await limited.close();
    }
  });

  test('the OpenAPI document is generated from the zod schemas', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    assert.ok(doc.openapi.startsWith('3.'));
    const post = doc.paths['/api/races'].post;
    assert.ok(post.requestBody.content['application/json'].schema.properties.runners);
    assert.ok(doc.paths['/api/races/{raceId}'].get.responses['200']);
    assert.ok(doc.paths['/api/health'].get);
  });
});
