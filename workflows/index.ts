export { raceWorkflow, raceStatusQuery } from './race.js';
export {
  raceDayWorkflow,
  raceDayStatusQuery,
  setRaceDaySignal,
  pauseRaceDaySignal,
  resumeRaceDaySignal,
  triggerRaceSignal,
  lateChangeUpdate,
} from './race-day.js';
export { resultsWorkflow } from './results.js';
export { monitoringWorkflow } from './monitoring.js';
export { recalibrationWorkflow } from './recalibration.js';
export { floorWorkflow } from './floor.js';
export { bookWorkflow } from './book.js';
