import {
  ApplicationFailure,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import { MonitoringInputSchema, type MonitoringInput, type MonitoringSummary } from '../schemas/ops.js';
import { SA } from '../schemas/search-attributes.js';
import { describeIssues } from '../schemas/workflow-input.js';
import { OPS_ACTIVITY_OPTIONS } from './ops-activity-options.js';

const { computeDailyMetrics, checkDrift, computeErrorMap } = proxyActivities<RaceActivities>(
  OPS_ACTIVITY_OPTIONS.evaluate,
);
const { raiseAlert } = proxyActivities<RaceActivities>(OPS_ACTIVITY_OPTIONS.alert);

const DAY_MS = 86_400_000;

/**
 * The nightly job: the day's metrics over every race with a result, drift against the previous period's
 * days, and an alert per drifted metric. Started by the `nightly-monitoring` schedule with no input (it
 * evaluates the previous day), or by hand for any date.
 */
export async function monitoringWorkflow(raw: MonitoringInput = {}): Promise<MonitoringSummary> {
  const parsed = MonitoringInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(
      `invalid monitoring input: ${describeIssues(parsed.error)}`,
      'InvalidMonitoringInput',
    );
  const input = parsed.data;
  // Workflow time is deterministic: the schedule's run on day D evaluates day D-1.
  const date = input.date ?? new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
  upsertSearchAttributes([
    { key: SA.jobKind, value: 'monitoring' },
    { key: SA.raceDate, value: new Date(`${date}T00:00:00Z`) },
    { key: SA.runStatus, value: 'analysing' },
  ]);
  const metrics = await computeDailyMetrics.executeWithOptions(
    { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `daily metrics ${date}` },
    [date],
  );
  let summary: MonitoringSummary;
  if (metrics.racesScored < input.minRaces) {
    summary = {
      date,
      metrics,
      baselineDays: 0,
      alerts: [],
      note: `${metrics.racesScored} race(s) scored, fewer than ${input.minRaces}: no drift check`,
    };
  } else {
    const drift = await checkDrift.executeWithOptions(
      { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `drift ${date} vs previous ${input.windowDays} days` },
      [metrics, input.windowDays, input.thresholds],
    );
    const modules = await computeErrorMap.executeWithOptions(
      { ...OPS_ACTIVITY_OPTIONS.evaluate, summary: `error map ${date}, ${input.windowDays} days` },
      [date, input.windowDays, input.thresholds.moduleLogLoss],
    );
    drift.alerts.push(...modules.alerts);
    for (const alert of drift.alerts) {
      await raiseAlert.executeWithOptions(
        { ...OPS_ACTIVITY_OPTIONS.alert, summary: `alert ${alert.severity}: ${alert.metric} ${date}` },
        [alert],
      );
    }
    summary = {
      date,
      metrics,
      baselineDays: drift.baselineDays,
      alerts: drift.alerts,
      ...(drift.baselineDays === 0 ? { note: 'no previous day with scored races: no drift check' } : {}),
    };
  }
  upsertSearchAttributes([
    { key: SA.driftAlert, value: summary.alerts.length > 0 },
    { key: SA.runStatus, value: 'completed' },
  ]);
  upsertMemo({
    racesScored: metrics.racesScored,
    logLoss: metrics.logLoss,
    marketLogLoss: metrics.marketLogLoss,
    ece: metrics.ece,
    alerts: summary.alerts.map((a) => a.message),
    ...(summary.note ? { note: summary.note } : {}),
  });
  return summary;
}
