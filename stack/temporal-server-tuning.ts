/**
 * Dynamic config for the Temporal servers we start or ship (the embedded dev server here, the compose file's
 * server through deploy/temporal-dynamic-config.yaml, which a unit test keeps equal to this).
 *
 * Why: each history shard's queue readers load new tasks at most `MaxPollRPS` times a second (default 20),
 * so on a server with one shard (the dev server) every workflow task or activity task waits up to 50 ms to be
 * handed to matching: measured with a bare SDK worker, one activity took 100 ms end to end and four
 * sequential ones 250 ms; with the limit raised, 25 ms and 42 ms. Production clusters have hundreds of
 * shards, so the per-shard limit rarely binds there; on a few shards it is most of a race's latency. The
 * reader still polls only when notified of new tasks (or on its idle interval), so a higher ceiling costs
 * nothing while the server is quiet.
 */
export const SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number | boolean>> = {
  // Workflow and activity tasks to matching: the sequential stage cost.
  'history.transferProcessorMaxPollRPS': 1000,
  // Durable timers, retry backoffs and timeouts fire through the timer queue.
  'history.timerProcessorMaxPollRPS': 1000,
  // Search attributes reach visibility (the UI's list, `workflow list` queries) through this queue.
  'history.visibilityProcessorMaxPollRPS': 1000,
};

/** `--dynamic-config-value KEY=JSON` pairs for `temporal server start-dev`. */
export function devServerDynamicConfigArgs(
  config: Readonly<Record<string, number | boolean>> = SERVER_DYNAMIC_CONFIG,
): string[] {
  return Object.entries(config).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}
