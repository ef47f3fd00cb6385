import { createAgentActivities } from './agent.js';
import { createPersistActivities } from './persist.js';
import type { ActivityDeps } from './ports.js';
import { createQualActivities } from './qual.js';
import { createQuantActivities } from './quant.js';
import { createRecordActivities } from './record.js';
import { createSynthesisActivities } from './synthesis.js';

/** Every activity, built from injected dependencies so tests can swap any of them. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createQuantActivities(deps),
    ...createQualActivities(deps),
    ...createAgentActivities(deps),
    ...createSynthesisActivities(deps),
    ...createPersistActivities(deps),
  };
}
export type RaceActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './ports.js';
