import { createAgentActivities } from './agent.js';
import { createBookActivities } from './book.js';
import { createHistoryLoader } from './history-loader.js';
import { createNoopActivities } from './noop.js';
import { createMonitoringActivities } from './monitoring.js';
import { createPersistActivities } from './persist.js';
import type { ActivityDeps } from './ports.js';
import { createQualActivities } from './qual.js';
import { createQuantActivities } from './quant.js';
import { createRaceDayActivities } from './race-day.js';
import { createRecalibrationActivities } from './recalibration.js';
import { createRecordActivities } from './record.js';
import { createResultsActivities } from './results.js';
import { createSynthesisActivities } from './synthesis.js';

/** Every activity, built from injected dependencies so tests can swap any of them. */
export function createActivities(deps: ActivityDeps) {
  // One history loader for both analyses, so a race's quant and qual share one read on this worker;
  // recording the run starts it.
  const histories = createHistoryLoader(deps.db);
  return {
    ...createRecordActivities(deps, histories),
    ...createQuantActivities(deps, histories),
    ...createQualActivities(deps, histories),
    ...createAgentActivities(deps),
    ...createSynthesisActivities(deps),
    ...createPersistActivities(deps),
    ...createNoopActivities(),
    ...createRaceDayActivities(deps),
    ...createResultsActivities(deps),
    ...createMonitoringActivities(deps),
    ...createRecalibrationActivities(deps),
    ...createBookActivities(deps),
  };
}
export type RaceActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps, Notifier } from './ports.js';
