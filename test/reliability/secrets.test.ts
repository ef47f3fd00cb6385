import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RaceClient } from '../../client/index.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { seedRaceDay } from '../support/history.js';
import { assertNoSecretIn, runPlaces } from '../support/secret-scan.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const OPENAI_KEY = 'sk-DUMMY-openai-5e1f0c7a';
const E2B_KEY = 'e2b_DUMMY_9b2d4c6e';
const DB_PASSWORD = 'pgDUMMYsecret3141';
const DB_USER = 'reliability_probe';

describe('secrets stay in the worker environment', () => {
  let stack: TestStack;
  let stub: OpenAiStub;
  let worker: WorkerProcess | undefined;
  let card: RaceCard;
  let databaseUrl: string;

  before(async () => {
    stack = await startTestStack();
    stub = await startOpenAiStub();
    [card] = (await seedRaceDay(stack.db, 67, 1)) as [RaceCard];
    // A role of our own, so the worker's DATABASE_URL carries a password nothing else contains.
    await stack.db.query(`CREATE ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}'`);
    const url = new URL(stack.databaseUrl);
    url.username = DB_USER;
    url.password = DB_PASSWORD;
    databaseUrl = url.toString();
  });
  after(async () => {
    await worker?.kill('SIGKILL');
    await stub?.close();
    await stack?.stop();
  });

  test('no key or password appears in workflow input, history, memo, search attributes, result, stored rows or worker logs', async () => {
    const taskQueue = stack.newTaskQueue();
    worker = await spawnWorkerProcess({
      temporalAddress: stack.temporal.address,
      databaseUrl,
      taskQueue,
      env: {
        OPENAI_API_KEY: OPENAI_KEY,
        LLM_BASE_URL: stub.baseURL,
        LLM_MAX_RETRIES: '0',
        E2B_API_KEY: E2B_KEY,
        SANDBOX: 'inline',
        LOG_LEVEL: 'debug',
      },
    });
    const client = new RaceClient({ connection: stack.connection, taskQueue });
    // Default sandbox: with E2B_API_KEY set, SANDBOX=inline must still win.
    const { workflowId, runId } = await client.startRace(card, { qual: 'llm' });
    const result = await client.result(workflowId, runId);
    assert.equal(result.provenance.qualSource, 'llm:gpt-4o-mini');
    assert.equal(
      stub.requests.at(-1)?.headers.authorization,
      `Bearer ${OPENAI_KEY}`,
      'the worker really held and used the key',
    );
    await worker.stop();

    const handle = client.temporal.workflow.getHandle(workflowId, runId);
    const stored = await stack.db.query(
      'SELECT r.card, r.options, p.result FROM race_runs r JOIN predictions p USING (run_id) WHERE run_id = $1',
      [runId],
    );
    const places: Record<string, string> = {
      ...(await runPlaces(handle)),
      result: JSON.stringify(result),
      database: JSON.stringify(stored.rows),
      workerLogs: worker.output(),
    };
    assert.ok(
      places.history!.includes(card.raceId) &&
        places.memo!.length > 10 &&
        places.workerLogs!.includes('worker polling'),
      'the scan sees real content',
    );
    assertNoSecretIn([OPENAI_KEY, E2B_KEY, DB_PASSWORD], places);
  });
});
