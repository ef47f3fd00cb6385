import {
  ScheduleAlreadyRunning,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type Client,
  type ScheduleSummary,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { OPS_ERROR_TYPES, raceDayWorkflowId, resultsWorkflowId, SCHEDULE_IDS } from '../schemas/constants.js';
import {
  LateChangeSchema,
  MonitoringInputSchema,
  OfficialResultSchema,
  RaceDayInputSchema,
  RecalibrationInputSchema,
  type LateChange,
  type LateChangeOutcome,
  type MonitoringInput,
  type MonitoringSummary,
  type OfficialResultInput,
  type RaceDayFileInput,
  type RaceDayInput,
  type RaceDayStatus,
  type RecalibrationInput,
  type RecalibrationSummary,
} from '../schemas/ops.js';
import { SA } from '../schemas/search-attributes.js';
import { dropInvalidRaces, formatSkipped, type SkippedRace } from '../schemas/validate-races.js';
import { describeIssues, type RaceOptions } from '../schemas/workflow-input.js';
import type { monitoringWorkflow } from '../workflows/monitoring.js';
import type { recalibrationWorkflow } from '../workflows/recalibration.js';
import {
  lateChangeUpdate,
  pauseRaceDaySignal,
  raceDayStatusQuery,
  resumeRaceDaySignal,
  setRaceDaySignal,
  triggerRaceSignal,
  type raceDayWorkflow,
} from '../workflows/race-day.js';
import type { ResultsSummary, resultsWorkflow } from '../workflows/results.js';
import { InvalidInput } from './errors.js';

export interface StartRaceDayOptions {
  /** Start each race this many seconds before its post time (default 600). */
  offsetSeconds?: number;
  options?: Partial<RaceOptions>;
}

/** What starting a day did: the day's workflow, and the races left out with why (the good ones run). */
export interface StartedRaceDay {
  workflowId: string;
  runId: string;
  skipped: SkippedRace[];
}

/**
 * Starts the day's workflow, or, when it is already running, sends it the file again (signal-with-start on
 * race-day-<venue>-<date>): pending races take the new cards and offset, started ones are left alone. Each
 * card is validated on its own (schemas/validate-races.ts), so one bad card does not stop the meeting: the
 * good ones are started and the bad ones come back in `skipped`. A day with no good card is refused.
 */
export async function startRaceDay(
  temporal: Client,
  taskQueue: string,
  day: RaceDayFileInput | unknown,
  opts: StartRaceDayOptions = {},
): Promise<StartedRaceDay> {
  const checked = dropInvalidRaces(day, 'day');
  const parsed = RaceDayInputSchema.safeParse({
    day: checked.day,
    offsetSeconds: opts.offsetSeconds,
    options: opts.options,
  });
  if (!parsed.success)
    throw new InvalidInput(
      `invalid race day: ${[describeIssues(parsed.error), ...checked.skipped.map(formatSkipped)].join('; ')}`,
      'InvalidRaceDay',
    );
  const input = parsed.data;
  const { venue, date } = input.day.meeting;
  const workflowId = raceDayWorkflowId(venue, date);
  const handle = await temporal.workflow.signalWithStart<typeof raceDayWorkflow, [RaceDayInput]>(
    'raceDayWorkflow',
    {
      taskQueue,
      workflowId,
      args: [input],
      signal: setRaceDaySignal,
      signalArgs: [input],
      typedSearchAttributes: [
        { key: SA.jobKind, value: 'race-day' },
        { key: SA.venue, value: venue },
        { key: SA.raceDate, value: new Date(`${date}T00:00:00Z`) },
        { key: SA.runStatus, value: 'scheduled' },
      ],
      staticSummary: `race day ${venue} ${date}: ${input.day.races.length} races, each started ${input.offsetSeconds}s before post time`,
    },
  );
  return { workflowId, runId: handle.signaledRunId, skipped: checked.skipped };
}

const raceDayHandle = (temporal: Client, workflowId: string) =>
  temporal.workflow.getHandle<typeof raceDayWorkflow>(workflowId);

export const raceDayStatus = (temporal: Client, workflowId: string): Promise<RaceDayStatus> =>
  raceDayHandle(temporal, workflowId).query(raceDayStatusQuery);

/** Applies a scratching / odds change to a race of a running race day; refused (InvalidLateChange) when it does not fit the card. */
export async function lateChange(
  temporal: Client,
  workflowId: string,
  change: LateChange,
): Promise<LateChangeOutcome> {
  const parsed = LateChangeSchema.safeParse(change);
  if (!parsed.success)
    throw new InvalidInput(
      `invalid late change: ${describeIssues(parsed.error)}`,
      OPS_ERROR_TYPES.invalidLateChange,
    );
  try {
    return await raceDayHandle(temporal, workflowId).executeUpdate(lateChangeUpdate, { args: [parsed.data] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure)
        throw new InvalidInput(
          `${cause.type ?? OPS_ERROR_TYPES.invalidLateChange}: ${cause.message}`,
          cause.type ?? OPS_ERROR_TYPES.invalidLateChange,
        );
      throw new InvalidInput(err.message, OPS_ERROR_TYPES.invalidLateChange);
    }
    throw err;
  }
}

export const pauseRaceDay = (temporal: Client, workflowId: string) =>
  raceDayHandle(temporal, workflowId).signal(pauseRaceDaySignal);
export const resumeRaceDay = (temporal: Client, workflowId: string) =>
  raceDayHandle(temporal, workflowId).signal(resumeRaceDaySignal);
export const triggerRace = (temporal: Client, workflowId: string, raceId?: string) =>
  raceDayHandle(temporal, workflowId).signal(triggerRaceSignal, raceId === undefined ? {} : { raceId });
/** Races not yet started are dropped; a race in progress finishes (its children are abandoned, not cancelled). */
export const cancelRaceDay = (temporal: Client, workflowId: string) =>
  raceDayHandle(temporal, workflowId).cancel();

/** Records the official result (workflow results-<raceId>, re-runnable for a correction) and waits for the scores. */
export async function recordResults(
  temporal: Client,
  taskQueue: string,
  result: OfficialResultInput,
): Promise<ResultsSummary> {
  const parsed = OfficialResultSchema.safeParse(result);
  if (!parsed.success)
    throw new InvalidInput(`invalid result: ${describeIssues(parsed.error)}`, 'InvalidResult');
  try {
    return await temporal.workflow.execute<typeof resultsWorkflow>('resultsWorkflow', {
      taskQueue,
      workflowId: resultsWorkflowId(parsed.data.raceId),
      args: [parsed.data],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: SA.jobKind, value: 'results' },
        { key: SA.raceId, value: parsed.data.raceId },
      ],
      staticSummary: `official result of ${parsed.data.raceId}`,
    });
  } catch (err) {
    const failure = applicationFailureOf(err);
    if (failure?.nonRetryable) throw new InvalidInput(failure.message, failure.type ?? 'InvalidResult');
    throw err;
  }
}

/** The ApplicationFailure at the root of a failed workflow, if any (activity failures nest it). */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  let cause: unknown = err.cause;
  while (cause && !(cause instanceof ApplicationFailure)) cause = (cause as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** Runs the monitoring job now for a date (what the nightly schedule does for the previous day). */
export async function runMonitoring(
  temporal: Client,
  taskQueue: string,
  input: MonitoringInput = {},
): Promise<MonitoringSummary> {
  const parsed = MonitoringInputSchema.parse(input);
  return temporal.workflow.execute<typeof monitoringWorkflow>('monitoringWorkflow', {
    taskQueue,
    workflowId: `monitoring-${parsed.date ?? 'now'}-${Date.now().toString(36)}`,
    args: [parsed],
    typedSearchAttributes: [{ key: SA.jobKind, value: 'monitoring' }],
  });
}

export interface NightlyScheduleOptions {
  /** Calendar for the monitoring run, default 03:00 every day (UTC). */
  monitoringHourUtc?: number;
  windowDays?: number;
  /** Weekly recalibration, Mondays at this hour (UTC), default 04:00, over this many days of scored races. */
  recalibrationHourUtc?: number;
  recalibrationWindowDays?: number;
}

/** Runs the recalibration loop now: refit on scored races, promote only when the held-out slice says so. */
export async function runRecalibration(
  temporal: Client,
  taskQueue: string,
  input: RecalibrationInput = {},
): Promise<RecalibrationSummary> {
  const parsed = RecalibrationInputSchema.parse(input);
  return temporal.workflow.execute<typeof recalibrationWorkflow>('recalibrationWorkflow', {
    taskQueue,
    workflowId: `recalibration-${parsed.asOf ?? 'now'}-${Date.now().toString(36)}`,
    args: [parsed],
    typedSearchAttributes: [{ key: SA.jobKind, value: 'recalibration' }],
  });
}

/** Creates the nightly monitoring and weekly recalibration schedules, or updates them in place (fixed ids). */
export async function installSchedules(
  temporal: Client,
  taskQueue: string,
  opts: NightlyScheduleOptions = {},
): Promise<string[]> {
  const installed: string[] = [];
  const monitoringArgs = [MonitoringInputSchema.parse({ windowDays: opts.windowDays ?? 7 })];
  const defs = [
    {
      scheduleId: SCHEDULE_IDS.monitoring,
      spec: {
        calendars: [
          { hour: opts.monitoringHourUtc ?? 3, minute: 0, comment: 'nightly, for the previous race day' },
        ],
      },
      action: {
        type: 'startWorkflow' as const,
        workflowType: 'monitoringWorkflow',
        taskQueue,
        workflowId: SCHEDULE_IDS.monitoring,
        args: monitoringArgs,
        typedSearchAttributes: [{ key: SA.jobKind, value: 'monitoring' }],
      },
    },
    {
      scheduleId: SCHEDULE_IDS.recalibration,
      spec: {
        calendars: [
          {
            dayOfWeek: 'MONDAY' as const,
            hour: opts.recalibrationHourUtc ?? 4,
            minute: 0,
            comment: 'weekly, after the nightly monitoring',
          },
        ],
      },
      action: {
        type: 'startWorkflow' as const,
        workflowType: 'recalibrationWorkflow',
        taskQueue,
        workflowId: SCHEDULE_IDS.recalibration,
        args: [RecalibrationInputSchema.parse({ windowDays: opts.recalibrationWindowDays ?? 180 })],
        typedSearchAttributes: [{ key: SA.jobKind, value: 'recalibration' }],
      },
    },
  ];
  for (const def of defs) {
    try {
      await temporal.schedule.create({ ...def, policies: { overlap: 'SKIP', catchupWindow: '1 day' } });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await temporal.schedule
        .getHandle(def.scheduleId)
        .update((prev) => ({ ...prev, spec: def.spec, action: def.action }));
    }
    installed.push(def.scheduleId);
  }
  return installed;
}

export async function listSchedules(temporal: Client): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of temporal.schedule.list()) out.push(s);
  return out;
}
