import { Context } from '@temporalio/activity';
import { errorMap } from '../agents/error-map.js';
import { renderErrorMap } from '../backtest/error-map-report.js';
import { loadErrorMapRaces, previousErrorMap, upsertErrorMap } from '../db/error-maps.js';
import { insertAlert, loadPreviousDailyMetrics, markAlertNotified } from '../db/results.js';
import type { DailyMetrics, DriftAlert, DriftThresholds } from '../schemas/ops.js';
import { detectDrift } from '../agents/scoring.js';
import { notifierFromEnv } from './notifier.js';
import type { ActivityDeps } from './ports.js';

export function createMonitoringActivities({ db, notifier }: Pick<ActivityDeps, 'db' | 'notifier'>) {
  const deliver = notifier ?? notifierFromEnv();
  return {
    /** Compares the day with the previous period's stored daily metrics. */
    async checkDrift(
      current: DailyMetrics,
      windowDays: number,
      thresholds: DriftThresholds,
    ): Promise<{ baselineDays: number; alerts: DriftAlert[] }> {
      const previous = await loadPreviousDailyMetrics(db, current.raceDate, windowDays, current.scope);
      return {
        baselineDays: previous.length,
        alerts: previous.length ? detectDrift(current, previous, thresholds) : [],
      };
    },

    /**
     * The error map over the window ending on `date` (stored with its Markdown report), and an alert for
     * every module whose race log loss rose by more than the threshold against the previous stored window.
     */
    async computeErrorMap(
      date: string,
      windowDays: number,
      threshold: number,
    ): Promise<{ races: number; alerts: DriftAlert[] }> {
      const from = new Date(Date.parse(`${date}T00:00:00Z`) - (windowDays - 1) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const map = errorMap(await loadErrorMapRaces(db, from, date));
      const { markdown } = renderErrorMap(map, `Error map, ${from} to ${date}`);
      const previous = await previousErrorMap(db, date, windowDays);
      await upsertErrorMap(db, date, windowDays, map, markdown);
      const before = new Map(previous?.modules.map((m) => [m.module, m]) ?? []);
      const alerts = map.modules.flatMap((m): DriftAlert[] => {
        const base = before.get(m.module);
        if (!base || m.races === 0 || base.races === 0) return [];
        const change = m.raceLogLoss - base.raceLogLoss;
        if (change <= threshold) return [];
        return [
          {
            key: `drift:module:${date}:${windowDays}:${m.module}`,
            raceDate: date,
            metric: 'moduleLogLoss',
            severity: change > 2 * threshold ? 'critical' : 'warning',
            current: m.raceLogLoss,
            baseline: base.raceLogLoss,
            threshold,
            message: `module ${m.module} drifted: log loss ${m.raceLogLoss.toFixed(4)} over ${windowDays} day(s) to ${date} against ${base.raceLogLoss.toFixed(4)} in the previous stored window (+${change.toFixed(4)}, threshold ${threshold})`,
          },
        ];
      });
      return { races: map.races, alerts };
    },

    /** Stores the alert once and notifies once: a retry after a failed delivery notifies, a repeated run does not. */
    async raiseAlert(alert: DriftAlert): Promise<{ notifiedVia: string }> {
      const { notifiedVia } = await insertAlert(db, alert);
      if (notifiedVia) return { notifiedVia };
      await deliver.notify({ ...alert });
      await markAlertNotified(db, alert.key, deliver.kind);
      Context.current().log.warn('drift alert raised', { key: alert.key, via: deliver.kind });
      return { notifiedVia: deliver.kind };
    },
  };
}
