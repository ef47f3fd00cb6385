import { RaceCardSchema } from '../../../schemas/index.js';
import type { PastRun, RaceCard, RunnerHistory } from '../../../schemas/index.js';
import { loadLlmConfig } from '../../../llm/config.js';
import type { LlmConfig } from '../../../llm/config.js';

/** A dummy key: tests assert it reaches the Authorization header and nothing else. */
export const DUMMY_KEY = 'sk-test-dummy-3f9a1c-never-log-me';

export const card: RaceCard = RaceCardSchema.parse({
  raceId: 'ST-2025-01-05-R3',
  meeting: { venue: 'ST', date: '2025-01-05' },
  raceNo: 3,
  distanceM: 1400,
  surface: 'turf',
  going: 'GOOD',
  raceClass: '4',
  runners: [
    {
      horseId: 'H1',
      horseName: 'Alpha',
      horseNo: 1,
      draw: 3,
      actualWeight: 128,
      jockeyId: 'J1',
      trainerId: 'T1',
      notes: 'sharp trackwork',
    },
    {
      horseId: 'H2',
      horseName: 'Bravo',
      horseNo: 2,
      draw: 11,
      actualWeight: 120,
      jockeyId: 'J2',
      trainerId: 'T2',
      gear: 'B',
    },
    {
      horseId: 'H3',
      horseName: 'Charlie',
      horseNo: 3,
      draw: 7,
      actualWeight: 115,
      jockeyId: 'J3',
      trainerId: 'T1',
    },
    {
      horseId: 'H4',
      horseName: 'Delta',
      horseNo: 4,
      draw: 1,
      actualWeight: 118,
      jockeyId: 'J4',
      trainerId: 'T3',
      scratched: true,
    },
  ],
});

const run = (overrides: Partial<PastRun>): PastRun => ({
  raceId: 'old',
  date: '2024-12-10',
  venue: 'ST',
  distanceM: 1400,
  surface: 'turf',
  going: 'GOOD',
  raceClass: '4',
  fieldSize: 12,
  draw: 5,
  position: 3,
  won: false,
  lengthsBehind: 1.5,
  finishTimeS: 82.1,
  winnerTimeS: 81.9,
  actualWeight: 125,
  declaredWeight: 1100,
  rating: 60,
  winOdds: 8,
  jockeyId: 'J1',
  trainerId: 'T1',
  gear: null,
  positionCalls: [2, 2, 3],
  ...overrides,
});

export const histories = new Map<string, RunnerHistory>([
  [
    'H1',
    {
      horseId: 'H1',
      runs: [run({}), run({ date: '2024-11-20', position: 1, won: true, lengthsBehind: 0 })],
      jockey: { rides: 100, wins: 15, places: 30 },
      trainer: { rides: 80, wins: 10, places: 22 },
    },
  ],
  [
    'H2',
    {
      horseId: 'H2',
      runs: [run({ jockeyId: 'J9', positionCalls: [10, 9, 8] })],
      jockey: { rides: 50, wins: 3, places: 10 },
      trainer: { rides: 0, wins: 0, places: 0 },
    },
  ],
]);

export const activeIds = ['H1', 'H2', 'H3'];

/** A config pointed at the stub with short timeouts and no LangChain retries unless asked. */
export function stubConfig(
  baseURL: string,
  env: Record<string, string> = {},
  activityStartToCloseMs = 30_000,
): LlmConfig {
  return loadLlmConfig(
    {
      OPENAI_API_KEY: DUMMY_KEY,
      LLM_BASE_URL: baseURL,
      LLM_TIMEOUT_MS: '2000',
      LLM_MAX_RETRIES: '0',
      ...env,
    },
    { activityStartToClose: activityStartToCloseMs },
  );
}
