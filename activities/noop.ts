/** Does nothing: the floor workflow measures Temporal's own cost per activity. */
export function createNoopActivities() {
  return {
    async noop(): Promise<void> {},
  };
}
