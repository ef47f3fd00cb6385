import { loadEnv, type Env } from '../config/env.js';
import type { Notifier } from './ports.js';

export class AlertDeliveryFailed extends Error {
  override name = 'AlertDeliveryFailed';
}

/** POSTs each alert as JSON; a non-2xx answer throws, so the activity is retried and the alert is not lost. */
export function webhookNotifier(url: string, timeoutMs = 10_000): Notifier {
  return {
    kind: 'webhook',
    async notify(alert) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'race-engine', ...alert }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new AlertDeliveryFailed(`alert webhook answered ${res.status}`);
    },
  };
}

export function logNotifier(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Notifier {
  return {
    kind: 'log',
    async notify(alert) {
      write(`ALERT ${alert.severity} ${alert.key}: ${alert.message}`);
    },
  };
}

/** The webhook when ALERT_WEBHOOK_URL is set, the log otherwise. */
export function notifierFromEnv(env: Pick<Env, 'ALERT_WEBHOOK_URL'> = loadEnv()): Notifier {
  const url = env.ALERT_WEBHOOK_URL;
  return url ? webhookNotifier(url) : logNotifier();
}
