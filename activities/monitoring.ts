import { Context } from '@temporalio/activity';
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
