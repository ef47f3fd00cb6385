import { readFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { Command, Option } from 'commander';
import type { RaceClient } from '../client/index.js';
import { SANDBOX_KINDS } from '../schemas/agent-run.js';
import { DEFAULT_START_OFFSET_SECONDS, type RaceDayStatus } from '../schemas/ops.js';
import { dropInvalidRaces, formatSkipped, InvalidRacesError } from '../schemas/validate-races.js';
import { withClient } from '../session/open-session.js';

/**
 * Race days and the nightly schedules. A race-day id (race-day-<venue>-<date>) names the day's workflow;
 * any other id names a Temporal Schedule (nightly-monitoring).
 */
const log = (line: string) => process.stderr.write(`${line}\n`);
const isRaceDay = (id: string) => id.startsWith('race-day-');

function printDay(s: RaceDayStatus): void {
  process.stdout.write(`${s.workflowId}${s.paused ? ' (paused)' : ''}, offset ${s.offsetSeconds}s\n`);
  for (const r of s.races)
    process.stdout.write(
      `  R${String(r.raceNo).padEnd(2)} ${r.raceId.padEnd(24)} post ${r.postTime}  start ${r.startAt}  ${r.status}` +
        `${r.lateChanges ? `  ${r.lateChanges} late change(s)` : ''}${r.error ? `  ${r.error}` : ''}\n`,
    );
}

/** A progress bar over the day's races until every race has ended (completed, failed, missed or skipped). */
async function watch(client: RaceClient, workflowId: string): Promise<void> {
  const bar = new SingleBar(
    { format: 'race day |{bar}| {value}/{total} races done  {state}', hideCursor: true },
    Presets.shades_classic,
  );
  let status = await client.raceDayStatus(workflowId);
  bar.start(status.races.length, 0, { state: '' });
  const done = (s: RaceDayStatus) =>
    s.races.filter((r) => ['completed', 'failed', 'missed', 'skipped'].includes(r.status)).length;
  for (;;) {
    const next = status.races
      .filter((r) => r.status === 'pending')
      .sort((a, b) => a.startAt.localeCompare(b.startAt))[0];
    const running = status.races.filter((r) => r.status === 'running').map((r) => `R${r.raceNo}`);
    bar.setTotal(status.races.length);
    bar.update(done(status), {
      state: running.length
        ? `running ${running.join(' ')}`
        : next
          ? `next R${next.raceNo} at ${next.startAt}`
          : '',
    });
    if (done(status) === status.races.length) break;
    await new Promise((r) => setTimeout(r, 1000));
    try {
      status = await client.raceDayStatus(workflowId);
    } catch {
      status = await client.temporal.workflow.getHandle(workflowId).result();
    }
  }
  bar.stop();
  printDay(status);
}

const program = new Command('schedule').description('Race-day scheduling and the nightly jobs');

program
  .command('race-day')
  .description('start (or update) a race day: each race starts --offset seconds before its post time')
  .argument('<file>', 'race-day JSON: {meeting, races: RaceCard[] with postTime}')
  .option('--offset <seconds>', 'seconds before post time', (v) => Number(v), DEFAULT_START_OFFSET_SECONDS)
  .addOption(
    new Option('--sandbox <kind>', 'where the fusion agents run')
      .choices([...SANDBOX_KINDS, 'default'])
      .default('default'),
  )
  .option('--watch', 'show a progress bar until the day is done')
  .option('--no-worker', 'do not start an in-process worker; rely on `npm run worker`')
  .option('--strict', 'refuse the whole day when any race is invalid (default: skip and report it)')
  .action(
    async (
      file: string,
      opts: { offset: number; sandbox: 'default'; watch?: boolean; worker: boolean; strict?: boolean },
    ) => {
      let day: unknown;
      try {
        day = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        log(`InvalidRaceDay: cannot read ${file}: ${(err as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const checked = dropInvalidRaces(day, file);
      if (checked.skipped.length > 0 && opts.strict) {
        log(`InvalidRaceDay: ${new InvalidRacesError(checked.skipped).message}`);
        process.exitCode = 2;
        return;
      }
      for (const s of checked.skipped) log(formatSkipped(s));
      day = checked.day;
      await withClient(opts.worker, async (client) => {
        const { workflowId } = await client.startRaceDay(day, {
          offsetSeconds: opts.offset,
          options: { sandbox: opts.sandbox },
        });
        log(`race day ${workflowId} scheduled (sent again, it updates the pending races)`);
        if (opts.watch) await watch(client, workflowId);
        else printDay(await client.raceDayStatus(workflowId));
      });
    },
  );

program
  .command('list')
  .description('race days and schedules')
  .action(() =>
    withClient(false, async (client) => {
      for (const run of await client.listRuns('JobKind = "race-day"', 50))
        process.stdout.write(
          `race day  ${run.workflowId}  ${run.status}  ${run.runStatus ?? ''}  started ${run.startTime.toISOString()}\n`,
        );
      for (const s of await client.listSchedules())
        process.stdout.write(
          `schedule  ${s.scheduleId}  ${s.state.paused ? 'paused' : 'active'}  next ${s.info.nextActionTimes[0]?.toISOString() ?? '-'}\n`,
        );
    }),
  );

program
  .command('status')
  .argument('<race-day-id>')
  .action((id: string) => withClient(false, async (client) => printDay(await client.raceDayStatus(id))));

program
  .command('pause')
  .argument('<id>', 'race-day id or schedule id')
  .action((id: string) =>
    withClient(false, async (client) => {
      if (isRaceDay(id)) await client.pauseRaceDay(id);
      else await client.temporal.schedule.getHandle(id).pause('paused from the CLI');
      log(`${id} paused`);
    }),
  );

program
  .command('resume')
  .argument('<id>', 'race-day id or schedule id')
  .action((id: string) =>
    withClient(false, async (client) => {
      if (isRaceDay(id)) await client.resumeRaceDay(id);
      else await client.temporal.schedule.getHandle(id).unpause('resumed from the CLI');
      log(`${id} resumed`);
    }),
  );

program
  .command('trigger')
  .description(
    'start now: one race of a race day (--race; a finished race runs again), every pending race, or a schedule once',
  )
  .argument('<id>', 'race-day id or schedule id')
  .option('--race <raceId>')
  .action((id: string, opts: { race?: string }) =>
    withClient(false, async (client) => {
      if (isRaceDay(id)) await client.triggerRace(id, opts.race);
      else await client.temporal.schedule.getHandle(id).trigger();
      log(`${id}${opts.race ? ` ${opts.race}` : ''} triggered`);
    }),
  );

program
  .command('delete')
  .description('cancel a race day (a race in progress finishes) or delete a schedule')
  .argument('<id>', 'race-day id or schedule id')
  .action((id: string) =>
    withClient(false, async (client) => {
      if (isRaceDay(id)) await client.cancelRaceDay(id);
      else await client.temporal.schedule.getHandle(id).delete();
      log(`${id} ${isRaceDay(id) ? 'cancelled' : 'deleted'}`);
    }),
  );

program
  .command('late-change')
  .description('scratch runners and/or update odds for a race of a running race day')
  .argument('<race-day-id>')
  .requiredOption('--race <raceId>')
  .option(
    '--scratch <horseIds>',
    'comma-separated horse ids',
    (v) => v.split(',').filter(Boolean),
    [] as string[],
  )
  .option(
    '--odds <list>',
    'horseId=odds,...',
    (v) => Object.fromEntries(v.split(',').map((p) => [p.split('=')[0], Number(p.split('=')[1])])),
    {},
  )
  .option('--rerun', 'a race already started runs again with the changed card')
  .action(
    (id: string, opts: { race: string; scratch: string[]; odds: Record<string, number>; rerun?: boolean }) =>
      withClient(false, async (client) => {
        const outcome = await client.lateChange(id, {
          raceId: opts.race,
          scratch: opts.scratch,
          odds: opts.odds,
          rerun: opts.rerun ?? false,
        });
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
      }),
  );

program
  .command('install')
  .description('create or update the nightly monitoring schedule')
  .option('--monitoring-hour <h>', 'UTC hour of the nightly monitoring run', (v) => Number(v), 3)
  .option('--window-days <n>', 'drift baseline: the previous n days', (v) => Number(v), 7)
  .action((opts: { monitoringHour: number; windowDays: number }) =>
    withClient(false, async (client) => {
      const ids = await client.installSchedules({
        monitoringHourUtc: opts.monitoringHour,
        windowDays: opts.windowDays,
      });
      log(`schedules installed: ${ids.join(', ')}`);
    }),
  );

await program.parseAsync();
