import { proxyActivities } from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';

const { noop } = proxyActivities<RaceActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/**
 * The Temporal floor for benchmarks: the race workflow's shape (2 parallel, then 15 parallel, then
 * 2 sequential activities) with activities that do nothing. Our latency divided by this is the
 * overhead we own.
 */
export async function floorWorkflow(): Promise<void> {
  await Promise.all([noop(), noop()]);
  await Promise.all(Array.from({ length: 15 }, () => noop()));
  await noop();
  await noop();
}
