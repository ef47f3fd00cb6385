import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { RaceClient } from '../../client/index.js';
import { loadEnv, PROJECT_ROOT } from '../../config/env.js';
import {
  connectTemporal,
  TemporalConnectionError,
  temporalConnection,
  type TemporalConnection,
} from '../../config/temporal-connection.js';
import type { RaceCard } from '../../schemas/race-card.js';
import { RaceResultSchema } from '../../schemas/result.js';
import { splitAddress } from '../../stack/net.js';
import { seedRaceDay } from '../support/history.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';
import { assertNoSecretIn, runPlaces } from '../support/secret-scan.js';
import {
  CLIENT_NAME,
  generateTestCerts,
  hasOpenssl,
  SERVER_NAME,
  type TestCerts,
} from '../support/tls-certs.js';
import { startHeaderProbe, startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const API_KEY = 'tmprl-DUMMY-api-key-7c3e91';

function runRaceCommand(
  cardFile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/race.ts',
        '--card',
        cardFile,
        '--json',
        '--no-worker',
        '--sandbox',
        'inline',
        '--qual',
        'evidence',
      ],
      { cwd: PROJECT_ROOT, env, timeout: 120_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe(
  'Temporal behind TLS: mTLS and API-key settings, through a TLS-terminating proxy before a real dev server',
  { skip: hasOpenssl() ? false : 'openssl is not installed: the test certificates cannot be generated' },
  () => {
    let stack: TestStack;
    let dir: string;
    let certs: TestCerts;
    let mtls: TlsProxy;
    let cards: RaceCard[];
    let worker: WorkerProcess | undefined;

    /** The settings an operator would write for the mTLS proxy (the name its certificate carries as SNI). */
    const mtlsSettings = () => ({
      TEMPORAL_ADDRESS: `127.0.0.1:${mtls.port}`,
      TEMPORAL_TLS_CA_PATH: certs.ca.certFile,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
      TEMPORAL_TLS_CERT_PATH: certs.client.certFile,
      TEMPORAL_TLS_KEY_PATH: certs.client.keyFile,
    });
    const clientOn = async (connection: TemporalConnection, taskQueue: string) =>
      new RaceClient({
        connection: await connectTemporal(connection.connectOptions(), (o) => Connection.connect(o)),
        taskQueue,
      });

    before(async () => {
      stack = await startTestStack();
      dir = mkdtempSync(path.join(tmpdir(), 'temporal-tls-test-'));
      certs = generateTestCerts(dir);
      mtls = await startTlsProxy({
        target: splitAddress(stack.temporal.address),
        certs,
        requireClientCert: true,
      });
      cards = await seedRaceDay(stack.db, 41, 2);
    });
    after(async () => {
      await worker?.kill('SIGKILL');
      await mtls?.close();
      await stack?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('a worker (NativeConnection) and a client (Connection) with the mTLS settings run a race to completion', async () => {
      const connection = temporalConnection(loadEnv(mtlsSettings()));
      const w = await stack.startWorker({ server: connection.connectOptions() });
      const client = await clientOn(connection, w.taskQueue);
      try {
        const card = cards[0]!;
        const { workflowId, runId } = await client.startRace(card, { sandbox: 'inline', qual: 'evidence' });
        const result = await client.result(workflowId, runId);
        assert.equal(result.raceId, card.raceId);
        assert.equal(result.synthesis.agentsSucceeded, 15);
      } finally {
        await client.temporal.connection.close();
        await w.stop();
      }
      // The worker and the client each opened a session, both with our SNI and our client certificate.
      assert.ok(mtls.sessions.length >= 2, `${mtls.sessions.length} TLS sessions`);
      for (const session of mtls.sessions) {
        assert.deepEqual(session, { serverName: SERVER_NAME, clientName: CLIENT_NAME });
      }
    });

    test('without the client certificate both kinds of connection are refused, and the error says so', async () => {
      const serverOnly: Record<string, string> = mtlsSettings();
      delete serverOnly.TEMPORAL_TLS_CERT_PATH;
      delete serverOnly.TEMPORAL_TLS_KEY_PATH;
      const options = temporalConnection(loadEnv(serverOnly)).connectOptions();
      const noCertificate = () =>
        mtls.failedHandshakes.filter((m) => /peer did not return a certificate/.test(m)).length;
      // What every client and worker of the project connects through (worker/create-worker.ts, session/).
      // The SDKs' own words vary (TLS 1.3 reports the server's rejection after the handshake, sometimes
      // only as a closed connection), so the error is checked for what we add: the address and the
      // missing certificate; the proxy's log says why it refused each kind.
      const refused = (err: unknown) =>
        err instanceof TemporalConnectionError &&
        err.message.includes(options.address) &&
        /no client certificate \(TEMPORAL_TLS_CERT_PATH\/TEMPORAL_TLS_KEY_PATH unset\)/.test(err.message);
      const before = noCertificate();
      await assert.rejects(
        connectTemporal(options, (o) => Connection.connect({ ...o, connectTimeout: 5_000 })),
        refused,
      );
      const afterClient = noCertificate();
      await assert.rejects(
        connectTemporal(options, (o) => NativeConnection.connect(o)),
        refused,
      );
      assert.ok(afterClient > before, 'the proxy refused the client for want of a certificate');
      assert.ok(
        noCertificate() > afterClient,
        'the proxy refused the worker connection for want of a certificate',
      );
    });

    test('with TEMPORAL_API_KEY, both kinds of connection send it as a bearer token over TLS', async () => {
      const probe = await startHeaderProbe(certs);
      try {
        const options = temporalConnection(
          loadEnv({
            TEMPORAL_ADDRESS: `127.0.0.1:${probe.port}`,
            TEMPORAL_TLS_CA_PATH: certs.ca.certFile,
            TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
            TEMPORAL_API_KEY: API_KEY,
          }),
        ).connectOptions();
        await assert.rejects(Connection.connect({ ...options, connectTimeout: 5_000 }));
        const fromClient = probe.requests.length;
        await assert.rejects(NativeConnection.connect(options));
        assert.ok(fromClient > 0 && probe.requests.length > fromClient, 'both connections made calls');
        for (const headers of probe.requests) {
          assert.equal(headers.authorization, `Bearer ${API_KEY}`, String(headers[':path']));
        }
      } finally {
        await probe.close();
      }
    });

    test('the worker process and the race command on mTLS and an API key run a race; neither the key nor the key file reaches their output or the history', async () => {
      const taskQueue = stack.newTaskQueue();
      const security = { ...mtlsSettings(), TEMPORAL_API_KEY: API_KEY, LOG_LEVEL: 'debug' };
      worker = await spawnWorkerProcess({
        temporalAddress: security.TEMPORAL_ADDRESS,
        databaseUrl: stack.databaseUrl,
        taskQueue,
        env: security,
      });
      const card = cards[1]!;
      const cardFile = path.join(dir, 'card.json');
      writeFileSync(cardFile, JSON.stringify(card));
      // `npm run race` as an operator runs it: its session (stack checks, client) on the same settings.
      const race = await runRaceCommand(cardFile, {
        ...process.env,
        ...security,
        DATABASE_URL: stack.databaseUrl,
        TEMPORAL_TASK_QUEUE: taskQueue,
        EMBEDDED_STACK: 'false',
      });
      await worker.stop();
      assert.equal(race.code, 0, race.stderr);
      const result = RaceResultSchema.parse(JSON.parse(race.stdout));
      assert.equal(result.raceId, card.raceId);
      const places = {
        // Read over the dev server's plain port: what is stored, whoever connected.
        ...(await runPlaces(
          new RaceClient({ connection: stack.connection, taskQueue }).temporal.workflow.getHandle(
            result.workflowId,
            result.runId,
          ),
        )),
        workerLogs: worker.output(),
        raceCommand: race.stdout + race.stderr,
      };
      assert.ok(places.workerLogs.includes('worker polling'), 'the scan sees the worker log');
      assert.ok(places.history.includes(card.raceId), 'the scan sees the history');
      const keyBody = certs.client.key.toString('utf8').split('\n')[1]!;
      assertNoSecretIn([API_KEY, keyBody], places);
    });
  },
);
