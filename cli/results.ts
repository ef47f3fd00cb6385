import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { resultFromOrder } from '../client/index.js';
import { withClient } from '../session/open-session.js';

const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? '-' : v.toFixed(d));

const program = new Command('results').description('Official results, scoring and monitoring');

program
  .command('record')
  .description('record a race result and score its stored predictions')
  .requiredOption('--race <raceId>')
  .option('--order <horseIds>', 'finishing order, comma-separated (winner first)')
  .option(
    '--file <json>',
    'result JSON: {raceId, finish: [{horseId, position}], source?} (dead heats share a position)',
  )
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { race: string; order?: string; file?: string; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const result = opts.file
        ? JSON.parse(readFileSync(opts.file, 'utf8'))
        : resultFromOrder(opts.race, (opts.order ?? '').split(',').filter(Boolean));
      const s = await client.recordResults(result);
      const l = s.latest;
      process.stdout.write(
        `${s.raceId} (${s.raceDate}): ${s.runsScored} run(s) scored; latest: winner ${l?.winnerHorseId ?? '-'}, log loss ${fmt(l?.logLoss)} ` +
          `(market ${fmt(l?.marketLogLoss)}, uniform ${fmt(l?.uniformLogLoss)}), Brier ${fmt(l?.brier)}, top-1 ${l?.top1 ?? '-'}` +
          `${l?.excludedReason ? `, excluded: ${l.excludedReason}` : ''}\n` +
          `day so far: ${s.day.racesScored} race(s), log loss ${fmt(s.day.logLoss)} vs market ${fmt(s.day.marketLogLoss)}, pseudo R2 ${fmt(s.day.pseudoR2)}\n`,
      );
    }),
  );

program
  .command('monitor')
  .description('run the nightly monitoring job now: daily metrics and drift alerts for a date')
  .option('--date <yyyy-mm-dd>', 'race date (default: yesterday)')
  .option('--window-days <n>', 'previous period', (v) => Number(v), 7)
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { date?: string; windowDays: number; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const s = await client.runMonitoring({ date: opts.date, windowDays: opts.windowDays });
      const m = s.metrics;
      process.stdout.write(
        `${s.date}: ${m.racesScored} race(s) scored (${m.racesExcluded} excluded${Object.keys(m.excludedReasons).length ? `: ${JSON.stringify(m.excludedReasons)}` : ''})\n` +
          `  model  log loss ${fmt(m.logLoss)}  pseudo R2 ${fmt(m.pseudoR2)}  Brier ${fmt(m.brier)}  ECE ${fmt(m.ece)}  top-1 ${fmt(m.top1, 3)}  NDCG@4 ${fmt(m.ndcg4, 3)}\n` +
          `  market log loss ${fmt(m.marketLogLoss)}  pseudo R2 ${fmt(m.marketPseudoR2)}  ECE ${fmt(m.marketEce)}\n` +
          `  baseline: ${s.baselineDays} day(s)${s.note ? `; ${s.note}` : ''}\n` +
          s.alerts.map((a) => `  ALERT ${a.severity}: ${a.message}\n`).join(''),
      );
    }),
  );

program
  .command('recalibrate')
  .description(
    'refit calibration and the market blend on recent scored races; promote only if better on a held-out slice',
  )
  .option('--as-of <yyyy-mm-dd>', 'fit on scored races before this date (default: today)')
  .option('--window-days <n>', 'rolling window of scored races', (v) => Number(v), 180)
  .option('--min-races <n>', 'fewest usable scored races to refit on', (v) => Number(v), 200)
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { asOf?: string; windowDays: number; minRaces: number; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const s = await client.runRecalibration({
        asOf: opts.asOf,
        windowDays: opts.windowDays,
        minRaces: opts.minRaces,
      });
      process.stdout.write(
        `${s.status}: ${s.reason}
  current ${s.currentVersion}${s.candidateVersion ? `, candidate ${s.candidateVersion}` : ''}; fit on ${s.fitRaces}, held out ${s.holdoutRaces}
`,
      );
    }),
  );

await program.parseAsync();
