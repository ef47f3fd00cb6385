import type { RaceCard } from '../../schemas/race-card.js';
import { RaceClient } from '../../client/index.js';
import { seedRaceDay } from './history.js';
import { startTestStack } from './integration-stack.js';
import { countRows } from './reliability.js';
import { spawnWorkerProcess } from './worker-process.js';

export interface LoadReport {
  races: number;
  completed: number;
  failed: number;
  /** Rows per table after the run: each must equal `races` (runners and agents: their totals). */
  rows: {
    raceRuns: number;
    predictions: number;
    distinctRunsPredicted: number;
    runnerRows: number;
    expectedRunnerRows: number;
    agentRows: number;
  };
  wallSeconds: number;
  racesPerSecond: number;
  workerPeakRssMiB: number | undefined;
  sandbox: 'inline';
  cpus: number;
}

const RACES_PER_DAY = 10;

/**
 * Starts `races` races at once on a fresh test stack (dev server + embedded PostgreSQL) against one worker
 * process (cli/worker.ts, inline agents), waits for every result, and counts what was stored.
 */
export async function runLoad(races: number): Promise<LoadReport> {
  const stack = await startTestStack();
  try {
    const cards: RaceCard[] = [];
    for (let day = 0; cards.length < races; day++) {
      const date = new Date(Date.UTC(2026, 0, 5 + day)).toISOString().slice(0, 10);
      cards.push(
        ...(await seedRaceDay(stack.db, 1000 + day, Math.min(RACES_PER_DAY, races - cards.length), date)),
      );
    }
    const taskQueue = stack.newTaskQueue();
    const worker = await spawnWorkerProcess({
      temporalAddress: stack.temporal.address,
      databaseUrl: stack.databaseUrl,
      taskQueue,
    });
    try {
      const client = new RaceClient({ connection: stack.connection, taskQueue });
      const t0 = performance.now();
      const started = await Promise.all(cards.map((card) => client.startRace(card, { sandbox: 'inline' })));
      const settled = await Promise.allSettled(started.map((s) => client.result(s.workflowId, s.runId)));
      const wallSeconds = (performance.now() - t0) / 1000;
      const peak = worker.peakRssMiB();
      const completed = settled.filter((s) => s.status === 'fulfilled').length;
      const runIds = started.map((s) => s.runId);
      const where = 'WHERE run_id = ANY($1::text[])';
      return {
        races,
        completed,
        failed: races - completed,
        rows: {
          raceRuns: await countRows(stack.db, `SELECT count(*) AS n FROM race_runs ${where}`, [runIds]),
          predictions: await countRows(stack.db, `SELECT count(*) AS n FROM predictions ${where}`, [runIds]),
          distinctRunsPredicted: await countRows(
            stack.db,
            `SELECT count(DISTINCT run_id) AS n FROM predictions ${where}`,
            [runIds],
          ),
          runnerRows: await countRows(stack.db, `SELECT count(*) AS n FROM runner_predictions ${where}`, [
            runIds,
          ]),
          expectedRunnerRows: cards.reduce((s, c) => s + c.runners.filter((r) => !r.scratched).length, 0),
          agentRows: await countRows(stack.db, `SELECT count(*) AS n FROM agent_outputs ${where}`, [runIds]),
        },
        wallSeconds: Math.round(wallSeconds * 10) / 10,
        racesPerSecond: Math.round((races / wallSeconds) * 100) / 100,
        workerPeakRssMiB: peak === undefined ? undefined : Math.round(peak),
        sandbox: 'inline',
        cpus: (await import('node:os')).availableParallelism(),
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await stack.stop();
  }
}
