export { raceWorkflow, raceStatusQuery } from './race.js';
