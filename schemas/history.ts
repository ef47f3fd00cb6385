import { z } from 'zod';
import { SURFACES } from './race-card.js';

/**
 * What the feature builder knows about a runner's past, as of the race date: only earlier races.
 * Both the HK importer and the synthetic demo generator fill the same store.
 */
export const PastRunSchema = z.object({
  raceId: z.string(),
  date: z.string(),
  venue: z.string(),
  distanceM: z.number(),
  surface: z.enum(SURFACES),
  going: z.string(),
  raceClass: z.string(),
  fieldSize: z.number().int(),
  draw: z.number().int(),
  position: z.number().int().nullable(),
  won: z.boolean(),
  lengthsBehind: z.number().nullable(),
  finishTimeS: z.number().nullable(),
  /** Winner's finishing time of that race, for speed relative to the race. */
  winnerTimeS: z.number().nullable(),
  actualWeight: z.number(),
  declaredWeight: z.number().nullable(),
  rating: z.number().nullable(),
  winOdds: z.number().nullable(),
  jockeyId: z.string(),
  trainerId: z.string(),
  gear: z.string().nullable(),
  /** Running positions at each sectional call, earliest first. */
  positionCalls: z.array(z.number()),
  /** The runner's own time for each section in seconds, earliest first (absent where not recorded). */
  sectionalTimesS: z.array(z.number()).optional(),
  /**
   * Mean over that race's runners of lengths behind per km, each clipped to [0, 10] (a runner with no
   * margin counts as 10): what the qf5 margin rating compares the horse's own margin with. Optional so
   * rows stored before qf5 still parse (the rating skips such runs); `npm run import` refills it.
   */
  fieldBehindPerKm: z.number().optional(),
});
export type PastRun = z.infer<typeof PastRunSchema>;

/** Rolling record of a jockey or trainer before the race date. */
export const PersonFormSchema = z.object({
  rides: z.number().int(),
  wins: z.number().int(),
  places: z.number().int(),
});
export type PersonForm = z.infer<typeof PersonFormSchema>;

export const RunnerHistorySchema = z.object({
  horseId: z.string(),
  /** Most recent first. */
  runs: z.array(PastRunSchema),
  jockey: PersonFormSchema,
  trainer: PersonFormSchema,
  /** Record of this jockey with this trainer before the race (the qualitative "chemistry" evidence). */
  jockeyTrainer: PersonFormSchema.optional(),
});
export type RunnerHistory = z.infer<typeof RunnerHistorySchema>;
