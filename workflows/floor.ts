import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import type { ActivityPlan } from '../schemas/activity-placement.js';

const OPTIONS = { startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } } as const;
const noops = {
  remote: proxyActivities<RaceActivities>(OPTIONS).noop,
  local: proxyLocalActivities<RaceActivities>(OPTIONS).noop,
};

/**
 * The Temporal floor for benchmarks: the race workflow's shape (record, then quant and qual in
 * parallel, then 15 agents in parallel, then synthesis, then persistence) with activities that do
 * nothing, each stage local or remote as the race's activity plan placed it (all remote without a plan).
 * Our latency divided by this is the overhead we own.
 */
export async function floorWorkflow(plan?: ActivityPlan): Promise<void> {
  const at = (stage: Exclude<keyof ActivityPlan, 'mode'>) => noops[plan?.[stage] ?? 'remote'];
  await at('record')();
  await Promise.all([at('quant')(), at('qual')()]);
  await Promise.all(Array.from({ length: 15 }, () => at('agents')()));
  await at('synthesis')();
  await at('persist')();
}
