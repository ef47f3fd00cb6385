import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { loadEnv } from '../config/env.js';
import { refreshHistoryStats } from '../db/history.js';
import { countHkRows, upsertHkRaces } from '../db/hk.js';
import { createPool } from '../db/pool.js';
import { readHkRaces, type HkReadSummary } from '../import/hk-reader.js';
import type { HkRace } from '../models/hk/types.js';
import { formatSkipped } from '../schemas/validate-races.js';
import { ensureStack } from '../stack/index.js';
import { positiveInt } from './options.js';

const program = new Command()
  .name('import')
  .description(
    'Import the Kaggle HK data (races.csv, runs.csv) into PostgreSQL: races, runners, results, market odds, sectionals and ' +
      'the horse_runs history store the workflow reads. Idempotent: every row is an upsert.',
  )
  .argument('<dir>', 'folder holding races.csv and runs.csv')
  .option('--batch <n>', 'races per transaction', positiveInt, 200)
  .option(
    '--strict',
    'fail, importing nothing, when any race is malformed or invalid (default: skip and report it)',
  )
  .addOption(
    new Option('--distance-unit <unit>', 'unit of the races.csv distance column')
      .choices(['m', 'furlongs'])
      .default('m'),
  )
  .action(async (dir: string, opts: { batch: number; strict?: boolean; distanceUnit: 'm' | 'furlongs' }) => {
    const started = performance.now();
    const summary: HkReadSummary = { races: 0, skipped: [] };
    // Reads and validates both files before anything is written: with --strict, one invalid race imports nothing.
    const races: HkRace[] = [
      ...readHkRaces(dir, summary, { strict: opts.strict, distanceUnit: opts.distanceUnit }),
    ];
    const env = loadEnv();
    const stack = await ensureStack(env, { log: (line) => console.log(line) });
    const db = createPool(stack.databaseUrl, 2);
    try {
      const bar = new SingleBar({ format: 'import  [{bar}] {value}/{total} races' }, Presets.shades_classic);
      bar.start(races.length, 0);
      for (let i = 0; i < races.length; i += opts.batch) {
        const part = races.slice(i, i + opts.batch);
        await upsertHkRaces(db, part);
        bar.increment(part.length);
      }
      bar.stop();
      await refreshHistoryStats(db);
      for (const s of summary.skipped) console.log(formatSkipped(s));
      const counts = await countHkRows(db);
      console.log(
        `imported ${races.length} races (${summary.skipped.length} skipped) from ${join(dir)} in ${((performance.now() - started) / 1000).toFixed(1)} s; rows now: ${Object.entries(
          counts,
        )
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}`,
      );
    } finally {
      await db.end();
      await stack.stop();
    }
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
});
