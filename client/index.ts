export { RaceClient, MAX_CARD_BYTES, type RaceClientOptions, type RunSummary, type StartRaceOptions } from './race-client.js';
export { InvalidRaceCard, RaceRunFailed } from './errors.js';
export type { RaceCardInput, RaceResult, RaceOptions } from '../schemas/index.js';
