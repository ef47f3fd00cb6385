import { Client, WorkflowFailedError, type Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_NAMESPACE, raceWorkflowId, TASK_QUEUE } from '../schemas/constants.js';
import { RaceCardSchema, type RaceCard, type RaceCardInput } from '../schemas/race-card.js';
import { RaceResultSchema, type RaceResult } from '../schemas/result.js';
import { SA } from '../schemas/search-attributes.js';
import { describeIssues, RaceOptionsSchema, type RaceOptions } from '../schemas/workflow-input.js';
import type { raceWorkflow } from '../workflows/race.js';
import { InvalidRaceCard, RaceRunFailed } from './errors.js';
import * as book from './book.js';
import * as ops from './ops.js';
import type { BetQuery } from '../schemas/book.js';
import type {
  LateChange,
  MonitoringInput,
  OfficialResultInput,
  RaceDayFileInput,
  RecalibrationInput,
} from '../schemas/ops.js';

/** Temporal refuses payloads over about 2 MB; a card is a few kilobytes, so refuse big ones early and clearly. */
export const MAX_CARD_BYTES = 256 * 1024;

/** The client's own check of a card (size, then schema): throws InvalidRaceCard naming the fields at fault. */
export function checkRaceCard(card: unknown): RaceCard {
  const size = Buffer.byteLength(JSON.stringify(card ?? null));
  if (size > MAX_CARD_BYTES)
    throw new InvalidRaceCard(`race card is ${size} bytes; the limit is ${MAX_CARD_BYTES}`);
  const parsed = RaceCardSchema.safeParse(card);
  if (!parsed.success) throw new InvalidRaceCard(`invalid race card: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export interface RaceClientOptions {
  connection: Connection;
  namespace?: string;
  taskQueue?: string;
}

export interface StartRaceOptions extends Partial<RaceOptions> {
  /** Defaults to race-<raceId>. A re-run of a finished race reuses the id and keeps every run. */
  workflowId?: string;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  raceId?: string;
  venue?: string;
  status: string;
  runStatus?: string;
  degraded?: boolean;
  startTime: Date;
  closeTime?: Date;
}

/** The typed way in for users' own code, the CLI and the demo: start races, read results, list runs. */
export class RaceClient {
  readonly temporal: Client;
  readonly taskQueue: string;

  constructor(opts: RaceClientOptions) {
    this.temporal = new Client({
      connection: opts.connection,
      namespace: opts.namespace ?? DEFAULT_NAMESPACE,
    });
    this.taskQueue = opts.taskQueue ?? TASK_QUEUE;
  }

  /** Validates the card here (a bad card never reaches Temporal) and starts its workflow. */
  async startRace(
    card: RaceCardInput | unknown,
    opts: StartRaceOptions = {},
  ): Promise<{ workflowId: string; runId: string }> {
    const valid = checkRaceCard(card);
    const { workflowId, ...raceOptions } = opts;
    const options = RaceOptionsSchema.parse(raceOptions);
    const id = workflowId ?? raceWorkflowId(valid.raceId);
    const handle = await this.temporal.workflow.start<typeof raceWorkflow>('raceWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: id,
      args: [{ card: valid, options }],
      // A finished race may be run again (late changes, on demand); a running one is never duplicated.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: SA.raceId, value: valid.raceId },
        { key: SA.venue, value: valid.meeting.venue },
        { key: SA.runStatus, value: 'validating' },
      ],
      staticSummary: `${valid.meeting.venue} ${valid.meeting.date} race ${valid.raceNo} (${valid.raceId})`,
      // Shown beside the summary in the Temporal UI; the finished run's one-line outcome is the
      // workflow's current details (workflows/race.ts).
      staticDetails: `${valid.distanceM} m ${valid.surface} ${valid.going}, ${valid.runners.filter((r) => !r.scratched).length} runners; agents ${options.agentExecution}, sandbox ${options.sandbox}`,
    });
    return { workflowId: id, runId: handle.firstExecutionRunId };
  }

  /** Waits for a run's result; a failed run becomes a RaceRunFailed with the failure's readable type. */
  async result(workflowId: string, runId?: string): Promise<RaceResult> {
    const handle = this.temporal.workflow.getHandle<typeof raceWorkflow>(workflowId, runId);
    try {
      return RaceResultSchema.parse(await handle.result());
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        let cause: unknown = err.cause;
        while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause)
          cause = (cause as { cause?: unknown }).cause;
        const type =
          cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : 'WorkflowFailed';
        const message = cause instanceof Error ? cause.message : err.message;
        throw new RaceRunFailed(message, type);
      }
      throw err;
    }
  }

  async runRace(card: RaceCardInput | unknown, opts: StartRaceOptions = {}): Promise<RaceResult> {
    const { workflowId, runId } = await this.startRace(card, opts);
    return this.result(workflowId, runId);
  }

  /** The latest run's result for a race (workflow race-<raceId>); waits when it is still running. */
  async getResult(raceId: string): Promise<RaceResult> {
    return this.result(raceWorkflowId(raceId));
  }

  /** Runs a race again on demand (after a late change, say): a new run of race-<raceId>, every run kept. */
  async rerunRace(
    card: RaceCardInput | unknown,
    opts: StartRaceOptions = {},
  ): Promise<{ workflowId: string; runId: string }> {
    return this.startRace(card, opts);
  }

  /**
   * Starts (or, for a day already running, updates) the race day: each race starts offsetSeconds before its
   * post time. Bad cards are left out and reported in `skipped` (race id and reason); the good ones run.
   */
  startRaceDay(day: RaceDayFileInput | unknown, opts: ops.StartRaceDayOptions = {}) {
    return ops.startRaceDay(this.temporal, this.taskQueue, day, opts);
  }
  raceDayStatus(workflowId: string) {
    return ops.raceDayStatus(this.temporal, workflowId);
  }
  /** A scratching or odds change for a race of a running race day. */
  lateChange(raceDayWorkflowId: string, change: LateChange) {
    return ops.lateChange(this.temporal, raceDayWorkflowId, change);
  }
  pauseRaceDay(workflowId: string) {
    return ops.pauseRaceDay(this.temporal, workflowId);
  }
  resumeRaceDay(workflowId: string) {
    return ops.resumeRaceDay(this.temporal, workflowId);
  }
  triggerRace(raceDayWorkflowId: string, raceId?: string) {
    return ops.triggerRace(this.temporal, raceDayWorkflowId, raceId);
  }
  cancelRaceDay(workflowId: string) {
    return ops.cancelRaceDay(this.temporal, workflowId);
  }
  /** Records a race's official result and returns its scores and the day's rolling metrics. */
  recordResults(result: OfficialResultInput) {
    return ops.recordResults(this.temporal, this.taskQueue, result);
  }
  runMonitoring(input: MonitoringInput = {}) {
    return ops.runMonitoring(this.temporal, this.taskQueue, input);
  }
  runRecalibration(input: RecalibrationInput = {}) {
    return ops.runRecalibration(this.temporal, this.taskQueue, input);
  }

  /** The paper book: status, bets (by date, race, status) and the bankroll ledger. */
  bookStatus(policy?: string) {
    return book.bookStatus(this.temporal, this.taskQueue, policy);
  }
  listBets(query: BetQuery = {}) {
    return book.listBets(this.temporal, this.taskQueue, query);
  }
  bookLedger(policy?: string) {
    return book.bookLedger(this.temporal, this.taskQueue, policy);
  }

  installSchedules(opts: ops.NightlyScheduleOptions = {}) {
    return ops.installSchedules(this.temporal, this.taskQueue, opts);
  }
  listSchedules() {
    return ops.listSchedules(this.temporal);
  }

  /**
   * Lists race runs through Temporal visibility. `query` is a List Filter, e.g.
   * `RaceDate = "2026-11-21T00:00:00Z" AND RunStatus = "completed"`.
   */
  async listRuns(query = "WorkflowType = 'raceWorkflow'", limit = 100): Promise<RunSummary[]> {
    const out: RunSummary[] = [];
    for await (const info of this.temporal.workflow.list({ query })) {
      out.push(summarise(info));
      if (out.length >= limit) break;
    }
    return out;
  }
}

function summarise(info: WorkflowExecutionInfo): RunSummary {
  const sa = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    raceId: sa.get(SA.raceId),
    venue: sa.get(SA.venue),
    status: info.status.name,
    runStatus: sa.get(SA.runStatus),
    degraded: sa.get(SA.degraded),
    startTime: info.startTime,
    closeTime: info.closeTime,
  };
}
