import type { Client } from '@temporalio/client';

export interface ActivityAttempt {
  activityType: string;
  input: unknown[];
  attempts: number[];
}

/** Reads a run's history and lists every scheduled activity with its decoded input and the attempts that started. */
export async function activityAttempts(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<ActivityAttempt[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const byScheduled = new Map<string, ActivityAttempt>();
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const input = (scheduled.input?.payloads ?? []).map((p) =>
        JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')),
      );
      byScheduled.set(String(e.eventId), {
        activityType: scheduled.activityType?.name ?? '',
        input,
        attempts: [],
      });
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) byScheduled.get(String(started.scheduledEventId))?.attempts.push(started.attempt ?? 1);
  }
  return [...byScheduled.values()];
}

export interface LocalActivityMarker {
  activityType: string;
  /** The attempt that completed (or failed last). */
  attempt: number;
  result: unknown;
  failed: boolean;
}

/** Reads a run's history and lists every local activity marker (type, final attempt, decoded result). */
export async function localActivityMarkers(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<LocalActivityMarker[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const decode = (p: { data?: Uint8Array | null } | undefined): unknown =>
    p?.data?.length ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined;
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_local_activity')
    .map((m) => {
      const data = decode(m!.details?.data?.payloads?.[0]) as { activity_type: string; attempt: number };
      return {
        activityType: data.activity_type,
        attempt: data.attempt,
        result: decode(m!.details?.result?.payloads?.[0]),
        failed: Boolean(m!.failure),
      };
    });
}
