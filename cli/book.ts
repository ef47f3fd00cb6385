import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { renderBookReport } from '../book/report.js';
import { BET_STATUSES, type BetRow } from '../schemas/book.js';
import { withClient } from '../session/open-session.js';

const program = new Command('book').description('The paper-trading book: bankroll, bets and settlements');

const betLine = (b: BetRow): string =>
  `${b.raceId.padEnd(18)} ${b.policy.padEnd(20)} #${String(b.horseNo ?? '-').padStart(2)} ${b.horseId.padEnd(8)} ${b.betType.padEnd(5)} ` +
  `@ ${b.odds.toFixed(2).padStart(6)}  stake ${b.stake.toFixed(2).padStart(8)}  ${b.status.padEnd(8)} ` +
  `${b.payout === null ? '' : `payout ${b.payout.toFixed(2)}`}`;

program
  .command('status')
  .description("the configured policy's bankroll, open and settled bets, turnover and profit")
  .option('--policy <name>', 'another policy than BOOK_POLICY')
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { policy?: string; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const s = await client.bookStatus(opts.policy);
      process.stdout.write(
        `policy ${s.policy}: balance ${s.balance.toFixed(2)} (started ${s.startingBankroll.toFixed(2)}); ` +
          `${s.openBets} open, ${s.settledBets} settled; turnover ${s.turnover.toFixed(2)}, profit ${s.profit.toFixed(2)}\n`,
      );
    }),
  );

program
  .command('bets')
  .description('paper bets and their settlement, by race date, race or status')
  .option('--date <yyyy-mm-dd>', 'race date')
  .option('--race <raceId>', 'one race')
  .option('--status <status>', BET_STATUSES.join('|'))
  .option('--json', 'JSON on stdout')
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { date?: string; race?: string; status?: string; json?: boolean; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const bets = await client.listBets({
        date: opts.date,
        raceId: opts.race,
        status: opts.status as BetRow['status'] | undefined,
      });
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(bets, null, 1)}\n`
          : `${bets.map((b) => `${betLine(b)}\n`).join('')}${bets.length} bet(s)\n`,
      );
    }),
  );

program
  .command('report')
  .description('a Markdown report (with SVG charts) of the book over a window of race dates')
  .requiredOption('--from <yyyy-mm-dd>')
  .requiredOption('--to <yyyy-mm-dd>')
  .requiredOption('--out <dir>')
  .option('--no-worker', 'rely on `npm run worker`')
  .action((opts: { from: string; to: string; out: string; worker: boolean }) =>
    withClient(opts.worker, async (client) => {
      const bets = await client.listBets({ from: opts.from, to: opts.to });
      const policies = [...new Set(bets.map((b) => b.policy))];
      const ledgers = Object.fromEntries(
        await Promise.all(policies.map(async (p) => [p, await client.bookLedger(p)] as const)),
      );
      const { markdown, charts } = renderBookReport({ from: opts.from, to: opts.to }, bets, ledgers);
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'book.md'), markdown);
      for (const [name, svg] of Object.entries(charts)) writeFileSync(join(opts.out, name), svg);
      process.stdout.write(
        `wrote ${join(opts.out, 'book.md')} (${bets.length} bets, ${policies.length} policies)\n`,
      );
    }),
  );

await program.parseAsync();
