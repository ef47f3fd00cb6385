import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import puppeteer from 'puppeteer-core';
import { PROJECT_ROOT } from '../config/env.js';
import { runSyntheticDay } from '../demo/run-day.js';
import { CHROMIUM_ARGS, chromiumPath } from '../web/chromium.js';
import { buildServer } from '../web/server.js';
import { positiveInt } from './options.js';
import { openSession } from '../session/open-session.js';

const program = new Command('screenshot')
  .description(
    'Run a synthetic race day, serve the pages and save a PNG of the race-day page (docs/race-day.png)',
  )
  .option('--out <file>', 'PNG to write', path.join(PROJECT_ROOT, 'docs', 'race-day.png'))
  .option('--races <n>', 'races in the day', positiveInt, 3)
  .option('--date <date>', 'meeting date', '2026-11-22')
  .parse();
const opts = program.opts<{ out: string; races: number; date: string }>();
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    log('no Chromium found: apt-get install chromium (or set CHROMIUM_PATH)');
    return 1;
  }
  const session = await openSession({ withWorker: true, log });
  const app = await buildServer({
    client: session.client,
    db: session.db,
    namespace: session.env.TEMPORAL_NAMESPACE,
    keys: [],
    temporalUiUrl: session.stack.uiUrl,
  });
  const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    await runSyntheticDay(session.client, session.db, { seed: 7, date: opts.date, races: opts.races });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(`${url}/?date=${opts.date}`, { waitUntil: 'load' });
    mkdirSync(path.dirname(opts.out), { recursive: true });
    await page.screenshot({ path: opts.out as `${string}.png`, fullPage: false });
    log(`wrote ${opts.out}`);
    return 0;
  } finally {
    await browser.close();
    await app.close();
    await session.close();
  }
}

process.exit(await main());
