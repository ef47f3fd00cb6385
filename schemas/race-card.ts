import { z } from 'zod';
import { defaultPlacesPaid } from './constants.js';

/** Ids end up in workflow ids, search attributes and file names: keep them to a safe alphabet. */
const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - only');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
const Odds = z.number().finite().gt(1, 'decimal odds include the stake, so they must be above 1').max(1000);

export const RunnerSchema = z.strictObject({
  horseId: Id,
  horseName: z.string().min(1).max(80).optional(),
  horseNo: z.number().int().min(1).max(99),
  draw: z.number().int().min(1).max(30),
  /** Weight carried, in pounds (HK convention). */
  actualWeight: z.number().finite().min(95).max(150),
  /** Declared body weight, in pounds. */
  declaredWeight: z.number().finite().min(600).max(1700).optional(),
  rating: z.number().finite().min(0).max(200).optional(),
  age: z.number().int().min(2).max(15).optional(),
  /** Country of origin (HK data: AUS, NZ, IRE, GB, ...) and sex/type (Gelding, ...): pedigree/physical evidence. */
  horseCountry: z.string().max(20).optional(),
  horseType: z.string().max(20).optional(),
  jockeyId: Id,
  trainerId: Id,
  gear: z.string().max(60).optional(),
  scratched: z.boolean().default(false),
  marketWinOdds: Odds.optional(),
  marketPlaceOdds: Odds.optional(),
  notes: z.string().max(2000).optional(),
});

export const MeetingSchema = z.strictObject({
  venue: z.string().min(1).max(40),
  date: IsoDate,
  trackGroup: z.string().min(1).max(40).optional(),
});

export const RaceCardSchema = z
  .strictObject({
    raceId: Id,
    meeting: MeetingSchema,
    raceNo: z.number().int().min(1).max(20),
    postTime: z.iso.datetime({ offset: true }).optional(),
    distanceM: z.number().int().min(800).max(5000),
    surface: z.enum(['turf', 'dirt', 'synthetic']),
    going: z.string().min(1).max(40),
    raceClass: z.string().min(1).max(40),
    prize: z.number().finite().min(0).optional(),
    placesPaid: z.number().int().min(1).max(3).optional(),
    runners: z.array(RunnerSchema).min(2).max(24),
  })
  .superRefine((card, ctx) => {
    const seenIds = new Set<string>();
    const seenNos = new Set<number>();
    card.runners.forEach((r, i) => {
      if (seenIds.has(r.horseId))
        ctx.addIssue({
          code: 'custom',
          path: ['runners', i, 'horseId'],
          message: `duplicate horseId ${r.horseId}`,
        });
      if (seenNos.has(r.horseNo))
        ctx.addIssue({
          code: 'custom',
          path: ['runners', i, 'horseNo'],
          message: `duplicate horseNo ${r.horseNo}`,
        });
      seenIds.add(r.horseId);
      seenNos.add(r.horseNo);
    });
    const active = card.runners.filter((r) => !r.scratched).length;
    if (active < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['runners'],
        message: `at least 2 active runners are needed, found ${active}`,
      });
    if (card.placesPaid !== undefined && card.placesPaid > Math.max(1, active - 1))
      ctx.addIssue({
        code: 'custom',
        path: ['placesPaid'],
        message: `placesPaid ${card.placesPaid} needs more than ${active} active runners`,
      });
  });

export type Runner = z.infer<typeof RunnerSchema>;
export type RaceCardInput = z.input<typeof RaceCardSchema>;
export type RaceCard = z.infer<typeof RaceCardSchema>;

export const activeRunners = (card: RaceCard): Runner[] => card.runners.filter((r) => !r.scratched);
export const placesPaidFor = (card: RaceCard): number =>
  card.placesPaid ?? defaultPlacesPaid(activeRunners(card).length);
