import { z } from 'zod';
import { SURFACES } from '../schemas/race-card.js';

/** CSV cells arrive as text; empty cells mean "not recorded", never zero. */
const num = z
  .string()
  .trim()
  .min(1, 'required number is empty')
  .transform(Number)
  .refine(Number.isFinite, 'not a number');
const optNum = z
  .string()
  .trim()
  .transform((s) => (s === '' ? null : Number(s)))
  .refine((v) => v === null || Number.isFinite(v), 'not a number');
const int = num.refine(Number.isInteger, 'not an integer');
const text = z.string().trim();
/** Columns some copies of the data lack (sectional times, pedigree): absent reads as not recorded. */
const absentText = z.string().trim().optional().default('');
const absentNum = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === '' ? null : Number(s)))
  .refine((v) => v === null || Number.isFinite(v), 'not a number');

export const RaceRowSchema = z.object({
  race_id: int,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  venue: text.min(1),
  race_no: int,
  config: text,
  /** The Kaggle HK code (0 turf, 1 dirt) or a surface by name (synthetic, hurdle, chase, ...). */
  surface: z.enum(['0', '1', ...SURFACES]),
  /** Metres, or furlongs when the import says so (converted to metres when the card is built). */
  distance: num,
  going: text.min(1),
  prize: optNum,
  race_class: text.min(1),
});
export type RaceRow = z.infer<typeof RaceRowSchema>;

export const RunRowSchema = z.object({
  race_id: int,
  /** Program number: 1-99, with a letter for a coupled entry ("1A") outside HK. */
  horse_no: text.min(1, 'program number is empty'),
  horse_id: int,
  result: optNum,
  won: num,
  lengths_behind: optNum,
  horse_age: optNum,
  horse_country: absentText,
  horse_type: absentText,
  horse_rating: optNum,
  horse_gear: text,
  declared_weight: optNum,
  actual_weight: num,
  draw: int,
  position_sec1: optNum,
  position_sec2: optNum,
  position_sec3: optNum,
  position_sec4: optNum,
  position_sec5: optNum,
  position_sec6: optNum,
  time1: absentNum,
  time2: absentNum,
  time3: absentNum,
  time4: absentNum,
  time5: absentNum,
  time6: absentNum,
  finish_time: optNum,
  win_odds: optNum,
  place_odds: optNum,
  trainer_id: int,
  jockey_id: int,
});
export type RunRow = z.infer<typeof RunRowSchema>;
