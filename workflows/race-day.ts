import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { RaceActivities } from '../activities/index.js';
import { OPS_ERROR_TYPES, raceWorkflowId } from '../schemas/constants.js';
import {
  LateChangeSchema,
  RaceDayInputSchema,
  type LateChange,
  type LateChangeOutcome,
  type RaceDayInput,
  type RaceDayRaceState,
  type RaceDayStatus,
} from '../schemas/ops.js';
import { activeRunners, RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import { SA } from '../schemas/search-attributes.js';
import { describeIssues, type RaceOptions } from '../schemas/workflow-input.js';
import { OPS_ACTIVITY_OPTIONS } from './ops-activity-options.js';
import { raceWorkflow } from './race.js';

const { storeLateCard } = proxyActivities<RaceActivities>(OPS_ACTIVITY_OPTIONS.store);

/** Replaces the day's cards and settings (what `schedule race-day` sends again for the same day). */
export const setRaceDaySignal = defineSignal<[RaceDayInput]>('setRaceDay');
export const pauseRaceDaySignal = defineSignal('pauseRaceDay');
export const resumeRaceDaySignal = defineSignal('resumeRaceDay');
/** Starts one race now (or every pending race when raceId is omitted); a finished race runs again. */
export const triggerRaceSignal = defineSignal<[{ raceId?: string }]>('triggerRace');
export const lateChangeUpdate = defineUpdate<LateChangeOutcome, [LateChange]>('lateChange');
export const raceDayStatusQuery = defineQuery<RaceDayStatus>('raceDayStatus');

interface Entry {
  card: RaceCard;
  state: RaceDayRaceState;
  triggered: boolean;
}

const FINAL = new Set(['completed', 'failed', 'missed', 'skipped']);

/**
 * A race day: one durable timer per race, firing `offsetSeconds` before its post time, each starting that
 * race's `raceWorkflow` as a child (id race-<raceId>, so a race has the same id however it was started).
 * The same day sent again (signal-with-start on race-day-<venue>-<date>) updates the pending races instead
 * of duplicating the day; late changes arrive as an update and reach the pending run's card.
 */
export async function raceDayWorkflow(raw: RaceDayInput): Promise<RaceDayStatus> {
  const first = RaceDayInputSchema.safeParse(raw);
  if (!first.success)
    throw ApplicationFailure.nonRetryable(
      `invalid race day: ${describeIssues(first.error)}`,
      OPS_ERROR_TYPES.invalidRaceDay,
    );

  const entries = new Map<string, Entry>();
  let offsetSeconds = first.data.offsetSeconds;
  let options: Partial<RaceOptions> = first.data.options;
  let paused = false;
  let dirty = false;
  const meeting = first.data.day.meeting;

  const startAtOf = (card: RaceCard) =>
    new Date(Date.parse(card.postTime ?? '') - offsetSeconds * 1000).toISOString();
  const merge = (input: RaceDayInput) => {
    const parsed = RaceDayInputSchema.safeParse(input);
    if (!parsed.success) {
      log.warn('ignored an invalid race-day update', { problems: describeIssues(parsed.error) });
      return;
    }
    offsetSeconds = parsed.data.offsetSeconds;
    options = parsed.data.options;
    for (const card of parsed.data.day.races) {
      const existing = entries.get(card.raceId);
      if (existing && existing.state.status !== 'pending') continue;
      entries.set(card.raceId, {
        card,
        triggered: existing?.triggered ?? false,
        state: {
          raceId: card.raceId,
          raceNo: card.raceNo,
          postTime: card.postTime ?? '',
          startAt: startAtOf(card),
          status: 'pending',
          workflowId: raceWorkflowId(card.raceId),
          runIds: existing?.state.runIds ?? [],
          lateChanges: existing?.state.lateChanges ?? 0,
          rerunRequested: false,
        },
      });
    }
    // A changed offset moves every pending race's start.
    for (const e of entries.values()) if (e.state.status === 'pending') e.state.startAt = startAtOf(e.card);
    dirty = true;
  };
  merge(raw);

  const status = (): RaceDayStatus => ({
    workflowId: workflowInfo().workflowId,
    paused,
    offsetSeconds,
    races: [...entries.values()].map((e) => e.state).sort((a, b) => a.raceNo - b.raceNo),
  });
  const requeue = (e: Entry) => {
    e.state.status = 'pending';
    e.state.error = undefined;
    e.triggered = true;
    dirty = true;
  };

  setHandler(raceDayStatusQuery, status);
  setHandler(setRaceDaySignal, merge);
  setHandler(pauseRaceDaySignal, () => void ((paused = true), (dirty = true)));
  setHandler(resumeRaceDaySignal, () => void ((paused = false), (dirty = true)));
  setHandler(triggerRaceSignal, ({ raceId }) => {
    for (const e of entries.values()) {
      if (raceId !== undefined && e.state.raceId !== raceId) continue;
      if (e.state.status === 'running') e.state.rerunRequested = true;
      else if (raceId !== undefined || e.state.status === 'pending') requeue(e);
    }
    dirty = true;
  });

  setHandler(
    lateChangeUpdate,
    async (change) => {
      const c = LateChangeSchema.parse(change);
      const e = entries.get(c.raceId)!;
      const card = applyLateChange(e.card, c);
      // The workflow's copy is the truth for the next start: set it before awaiting the store.
      e.card = card;
      e.state.lateChanges += 1;
      const was = e.state.status;
      let outcome: LateChangeOutcome['outcome'] = was === 'pending' ? 'applied' : 'stored';
      if (c.rerun && was === 'running') {
        e.state.rerunRequested = true;
        outcome = 'rerun-queued';
      } else if (c.rerun && FINAL.has(was)) {
        requeue(e);
        outcome = 'rerun-queued';
      }
      await storeLateCard.executeWithOptions(
        { ...OPS_ACTIVITY_OPTIONS.store, summary: `late change ${c.raceId}: ${describeChange(c)}` },
        [card],
      );
      return { raceId: c.raceId, outcome, status: e.state.status, activeRunners: activeRunners(card).length };
    },
    {
      validator: (change) => {
        const parsed = LateChangeSchema.safeParse(change);
        if (!parsed.success)
          throw ApplicationFailure.create({
            type: OPS_ERROR_TYPES.invalidLateChange,
            message: describeIssues(parsed.error),
            nonRetryable: true,
          });
        const e = entries.get(parsed.data.raceId);
        if (!e)
          throw ApplicationFailure.create({
            type: OPS_ERROR_TYPES.unknownRace,
            message: `${parsed.data.raceId} is not on this race day`,
            nonRetryable: true,
          });
        const checked = RaceCardSchema.safeParse(applyLateChange(e.card, parsed.data));
        if (!checked.success)
          throw ApplicationFailure.create({
            type: OPS_ERROR_TYPES.invalidLateChange,
            message: describeIssues(checked.error),
            nonRetryable: true,
          });
      },
    },
  );

  const launch = async (e: Entry) => {
    e.triggered = false;
    e.state.rerunRequested = false;
    e.state.status = 'running';
    const card = e.card;
    try {
      const child = await startChild(raceWorkflow, {
        workflowId: e.state.workflowId,
        args: [{ card, options }],
        // A race in progress finishes even if the day is cancelled; a finished race may run again.
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: SA.raceId, value: card.raceId },
          { key: SA.venue, value: card.meeting.venue },
          { key: SA.raceDate, value: new Date(`${card.meeting.date}T00:00:00Z`) },
          { key: SA.runStatus, value: 'validating' },
        ],
        staticSummary: `${card.meeting.venue} ${card.meeting.date} race ${card.raceNo} (${card.raceId}), started by the race day`,
      });
      e.state.runIds.push(child.firstExecutionRunId);
      child
        .result()
        .then(
          () => void (e.state.status = 'completed'),
          (err: unknown) => {
            e.state.status = 'failed';
            e.state.error =
              err instanceof Error
                ? err.cause instanceof Error
                  ? err.cause.message
                  : err.message
                : String(err);
          },
        )
        .finally(() => {
          if (e.state.rerunRequested) requeue(e);
          dirty = true;
        });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      e.state.status = 'skipped';
      e.state.error = 'a run of this race was already in progress';
    }
  };

  const publish = () => {
    const races = [...entries.values()];
    const count = (s: string) => races.filter((e) => e.state.status === s).length;
    const next = races
      .filter((e) => e.state.status === 'pending')
      .sort((a, b) => a.state.startAt.localeCompare(b.state.startAt))[0];
    const done = races.every((e) => FINAL.has(e.state.status));
    upsertSearchAttributes([
      { key: SA.runStatus, value: done ? 'completed' : paused ? 'paused' : 'scheduled' },
    ]);
    upsertMemo({
      progress:
        `${count('completed')}/${races.length} completed, ${count('running')} running, ${count('pending')} pending` +
        (count('failed') + count('missed') + count('skipped')
          ? `, ${count('failed')} failed, ${count('missed')} missed, ${count('skipped')} skipped`
          : ''),
      next: next ? `R${next.state.raceNo} starts ${next.state.startAt}` : null,
      paused,
    });
  };

  upsertSearchAttributes([
    { key: SA.jobKind, value: 'race-day' },
    { key: SA.venue, value: meeting.venue },
    { key: SA.raceDate, value: new Date(`${meeting.date}T00:00:00Z`) },
  ]);
  upsertMemo({ meeting: `${meeting.venue} ${meeting.date}`, offsetSeconds });

  for (;;) {
    dirty = false;
    const now = Date.now();
    for (const e of [...entries.values()].sort((a, b) => a.state.startAt.localeCompare(b.state.startAt))) {
      if (e.state.status !== 'pending' || paused) continue;
      if (!e.triggered && Date.parse(e.state.startAt) > now) continue;
      // Past its post time and not asked for: the race has been run, a prediction now is worthless.
      if (!e.triggered && Date.parse(e.state.postTime) <= now) {
        e.state.status = 'missed';
        continue;
      }
      await launch(e);
    }
    publish();
    const races = [...entries.values()];
    if (races.every((e) => FINAL.has(e.state.status)) && !dirty) break;
    const next = paused
      ? undefined
      : Math.min(
          ...races.filter((e) => e.state.status === 'pending').map((e) => Date.parse(e.state.startAt)),
        );
    if (next === undefined || !Number.isFinite(next)) await condition(() => dirty);
    else await condition(() => dirty, Math.max(1, next - Date.now()));
  }
  await condition(allHandlersFinished);
  return status();
}

export function applyLateChange(
  card: RaceCard,
  change: { scratch?: string[]; odds?: Record<string, number> },
): RaceCard {
  const scratch = new Set(change.scratch ?? []);
  const odds = change.odds ?? {};
  const known = new Set(card.runners.map((r) => r.horseId));
  const unknown = [...scratch, ...Object.keys(odds)].filter((id) => !known.has(id));
  if (unknown.length)
    throw ApplicationFailure.nonRetryable(
      `not on the card of ${card.raceId}: ${unknown.join(', ')}`,
      OPS_ERROR_TYPES.invalidLateChange,
    );
  return {
    ...card,
    runners: card.runners.map((r) => ({
      ...r,
      ...(scratch.has(r.horseId) ? { scratched: true } : {}),
      ...(odds[r.horseId] !== undefined ? { marketWinOdds: odds[r.horseId] } : {}),
    })),
  };
}

const describeChange = (c: { scratch: string[]; odds: Record<string, number>; rerun: boolean }) =>
  [
    c.scratch.length ? `scratch ${c.scratch.join(', ')}` : '',
    Object.keys(c.odds).length ? `odds for ${Object.keys(c.odds).length}` : '',
    c.rerun ? 'rerun' : '',
  ]
    .filter(Boolean)
    .join('; ');
