import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidRaceCard, MAX_CARD_BYTES } from '../../client/index.js';
import { PROJECT_ROOT } from '../../config/env.js';
import { HkDataError, readHkRaces } from '../../import/hk-reader.js';
import { InvalidRacesError } from '../../schemas/validate-races.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { countRows } from '../support/reliability.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'bad-cards');
interface BadCase {
  file: string;
  /** The field the error must name (a zod path as describeIssues prints it). */
  field: string;
  /** Also named in the message, when the field is a container (e.g. the unknown key). */
  mentions?: string;
  why: string;
}
/** What the error must say: the field's path, and the offending name where there is one. */
const names = (message: string, c: BadCase, prefix = ''): boolean =>
  message.includes(c.field === '(root)' && prefix ? `${prefix.slice(0, -1)}: ` : `${prefix}${c.field}: `) &&
  (!c.mentions || message.includes(c.mentions));
const MANIFEST = JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as BadCase[];
const GOOD = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'good-card.json'), 'utf8'),
) as Record<string, unknown> & {
  runners: Record<string, unknown>[];
};
const cardOf = (c: BadCase): unknown => JSON.parse(readFileSync(path.join(FIXTURES, c.file), 'utf8'));
const sample = (files: string[]) => files.map((f) => MANIFEST.find((c) => c.file === `${f}.json`)!);

function runCli(
  card: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'race', '--', '--card', card, '--json', '--no-worker'],
      { cwd: PROJECT_ROOT, env, timeout: 120_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('bad input: malformed race cards are refused with a specific error, nothing is stored, the worker keeps serving', () => {
  let stack: TestStack;
  let dir: string;
  let generated: { big: string; binary: string };
  let before0: { runs: number; cards: number; predictions: number };
  const stored = async () => ({
    runs: await countRows(stack.db, 'SELECT count(*) AS n FROM race_runs'),
    cards: await countRows(stack.db, 'SELECT count(*) AS n FROM race_cards'),
    predictions: await countRows(stack.db, 'SELECT count(*) AS n FROM predictions'),
  });

  before(async () => {
    stack = await startTestStack();
    dir = mkdtempSync(path.join(tmpdir(), 'race-engine-bad-cards-'));
    // Generated here rather than committed: a 10 MB card and a card with bytes that are not UTF-8.
    const big = {
      ...GOOD,
      raceId: 'big-card',
      runners: GOOD.runners.map((r) => ({ ...r, notes: 'n'.repeat(1_400_000) })),
    };
    const binaryName = Buffer.concat([
      Buffer.from('"horseName": "Caf'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('"'),
    ]);
    const goodText = JSON.stringify({ ...GOOD, raceId: 'binary-card' }, null, 2);
    const at = goodText.indexOf('"horseName"');
    const lineEnd = goodText.indexOf(',', at);
    generated = { big: path.join(dir, 'ten-megabytes.json'), binary: path.join(dir, 'not-utf8.json') };
    writeFileSync(generated.big, JSON.stringify(big));
    writeFileSync(
      generated.binary,
      Buffer.concat([Buffer.from(goodText.slice(0, at)), binaryName, Buffer.from(goodText.slice(lineEnd))]),
    );
    before0 = await stored();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stack?.stop();
  });

  test('the corpus holds at least 30 malformed cards, each with the field its error must name', () => {
    assert.ok(MANIFEST.length >= 30, `${MANIFEST.length} cards`);
    assert.ok(MANIFEST.every((c) => c.field && c.why));
  });

  test('through the client: every card is refused with InvalidRaceCard naming its field, before anything starts', async () => {
    const w = await stack.startWorker();
    try {
      for (const c of MANIFEST) {
        await assert.rejects(w.client.startRace(cardOf(c), { sandbox: 'inline' }), (err: unknown) => {
          assert.ok(err instanceof InvalidRaceCard, `${c.file}: ${String(err)}`);
          assert.ok(names(err.message, c), `${c.file} (${c.why}): "${err.message}" names ${c.field}`);
          return true;
        });
      }
      const big = JSON.parse(readFileSync(generated.big, 'utf8')) as unknown;
      await assert.rejects(
        w.client.startRace(big),
        (err: unknown) =>
          err instanceof InvalidRaceCard && err.message.includes(`limit is ${MAX_CARD_BYTES}`),
      );
      const { count } = await w.client.temporal.workflowService.countWorkflowExecutions({
        namespace: 'default',
        query: `TaskQueue = "${w.taskQueue}"`,
      });
      assert.equal(Number(count ?? 0), 0, 'no workflow was started');
      assert.deepEqual(await stored(), before0);
    } finally {
      await w.stop();
    }
  });

  test('through a raw workflow start (as from the Temporal UI): the workflow fails with a non-retryable InvalidRaceCard naming the field', async () => {
    const w = await stack.startWorker();
    try {
      const cases = sample([
        'missing-race-id',
        'odds-infinity',
        'weight-nan-string',
        'duplicate-horse-id',
        'all-scratched',
        'unknown-surface',
        'oversized-notes',
        'unknown-runner-field',
        'card-is-null',
      ]);
      for (const [i, c] of cases.entries()) {
        const handle = await w.client.temporal.workflow.start('raceWorkflow', {
          taskQueue: w.taskQueue,
          workflowId: `race-raw-bad-${i}`,
          args: [{ card: cardOf(c) }],
        });
        await assert.rejects(handle.result(), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.ok(err.cause instanceof ApplicationFailure);
          assert.equal(err.cause.type, 'InvalidRaceCard');
          assert.equal(err.cause.nonRetryable, true);
          // The workflow validates its whole input, so paths start at `card`.
          assert.ok(
            names(err.cause.message, c, 'card.'),
            `${c.file}: "${err.cause.message}" names card.${c.field}`,
          );
          return true;
        });
        const history = await handle.fetchHistory();
        assert.ok(
          !history.events?.some((e) => e.activityTaskScheduledEventAttributes),
          `${c.file}: no activity ran`,
        );
      }
      // 10 MB is over Temporal's payload limit: the start itself is refused, so nothing runs at all.
      const big = JSON.parse(readFileSync(generated.big, 'utf8')) as unknown;
      await assert.rejects(
        w.client.temporal.workflow.start('raceWorkflow', {
          taskQueue: w.taskQueue,
          workflowId: 'race-raw-big',
          args: [{ card: big }],
        }),
      );
      assert.deepEqual(await stored(), before0);
    } finally {
      await w.stop();
    }
  });

  test('through `npm run race -- --card FILE --json`: non-zero exit, InvalidRaceCard and the field on stderr, nothing on stdout', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.databaseUrl,
      EMBEDDED_STACK: 'false',
      TEMPORAL_TASK_QUEUE: stack.newTaskQueue(),
    };
    const cases = [
      ...sample([
        'missing-race-id',
        'odds-infinity',
        'duplicate-horse-id',
        'one-runner',
        'unknown-surface',
        'unknown-field',
      ]).map((c) => ({
        file: path.join(FIXTURES, c.file),
        expect: c.mentions ?? `${c.field}: `,
      })),
      { file: generated.big, expect: `limit is ${MAX_CARD_BYTES}` },
      { file: generated.binary, expect: 'is not valid UTF-8' },
      { file: path.join(dir, 'no-such-card.json'), expect: 'cannot read card file' },
    ];
    const runs = await Promise.all(cases.map((c) => runCli(c.file, env)));
    for (const [i, r] of runs.entries()) {
      const c = cases[i]!;
      assert.notEqual(r.code, 0, `${c.file} exits non-zero`);
      assert.equal(r.stdout, '', `${c.file}: nothing on stdout`);
      assert.match(r.stderr, /^InvalidRaceCard: /m, `${c.file}: ${r.stderr}`);
      assert.ok(r.stderr.includes(c.expect), `${c.file}: stderr "${r.stderr.trim()}" says ${c.expect}`);
    }
    assert.deepEqual(await stored(), before0);
  });

  test('after all of that the worker still serves: a good race completes', async () => {
    const [card] = await seedRaceDay(stack.db, 61, 1);
    const w = await stack.startWorker();
    try {
      const result = await w.client.runRace(card, { sandbox: 'inline' });
      assert.equal(result.synthesis.agentsSucceeded, 15);
      assert.equal(
        await countRows(stack.db, 'SELECT count(*) AS n FROM predictions'),
        before0.predictions + 1,
      );
    } finally {
      await w.stop();
    }
  });

  test('malformed HK CSV rows are reported with file and line: skipped in a bulk run, fatal with strict', () => {
    const hk = mkdtempSync(path.join(dir, 'hk-'));
    writeFileSync(path.join(hk, 'races.csv'), 'race_id,date,venue\n1,not-a-date,ST\n');
    writeFileSync(path.join(hk, 'runs.csv'), 'race_id,horse_id\n1,2\n');
    const summary = { races: 0, skipped: [] as { raceId: string; file?: string; line?: number }[] };
    assert.equal([...readHkRaces(hk, summary as never)].length, 0);
    assert.ok(summary.skipped.some((s) => s.raceId === '1' && s.file === 'races.csv' && s.line === 2));
    assert.throws(
      () => [...readHkRaces(hk, undefined, { strict: true })],
      (err: unknown) => err instanceof InvalidRacesError && /races\.csv:2\): malformed row/.test(err.message),
    );
    assert.throws(
      () => [...readHkRaces(path.join(dir, 'missing'))],
      (err: unknown) => err instanceof HkDataError && /not found/.test(err.message),
    );
  });
});
