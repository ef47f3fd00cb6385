export {
  RaceClient,
  MAX_CARD_BYTES,
  type RaceClientOptions,
  type RunSummary,
  type StartRaceOptions,
} from './race-client.js';
export { InvalidInput, InvalidRaceCard, RaceRunFailed } from './errors.js';
export type { NightlyScheduleOptions, StartRaceDayOptions } from './ops.js';
export type {
  LateChange,
  OfficialResultInput,
  RaceDayFileInput,
  RaceDayStatus,
  DailyMetrics,
  MonitoringSummary,
} from '../schemas/ops.js';
export { resultFromOrder } from '../schemas/ops.js';
export type { RaceCardInput, RaceResult, RaceOptions } from '../schemas/index.js';
