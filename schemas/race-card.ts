import { z } from 'zod';
import { defaultPlacesPaid } from './constants.js';

/** Ids end up in workflow ids, search attributes and file names: keep them to a safe alphabet. */
const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - only');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
/**
 * Program (saddle-cloth) number as printed on the card: "1", "1A", "1X". Numbers are still accepted and
 * normalised to text, so HK cards written before keep working.
 */
const ProgramNo = z
  .union([
    z
      .string()
      .regex(
        /^[1-9]\d?[A-Za-z]{0,2}$/,
        'a program number is 1-99 with up to two letters after it, e.g. 1, 1A, 1X',
      ),
    z.number().int().min(1).max(99),
  ])
  .transform((v) => String(v).toUpperCase());
const Odds = z.number().finite().gt(1, 'decimal odds include the stake, so they must be above 1').max(1000);

export const RunnerSchema = z.strictObject({
  horseId: Id,
  horseName: z.string().min(1).max(80).optional(),
  horseNo: ProgramNo,
  /** Runners sharing one are a coupled entry: one betting interest, priced and scored as one. */
  bettingInterest: z
    .string()
    .regex(/^[A-Za-z0-9]{1,8}$/, 'a betting interest is 1-8 letters or digits')
    .optional(),
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
    /** Where the race is run (HK, US, GB, IRE, AUS, ...): informational. */
    jurisdiction: z.string().min(2).max(8).optional(),
    /**
     * True where the jurisdiction couples entries (US): a runner without a bettingInterest belongs to
     * the interest of its program number's leading number, so "1" and "1A" are one interest.
     */
    couplesEntries: z.boolean().optional(),
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
    const seenNos = new Set<string>();
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
/** The betting interest a runner belongs to (SPEC 2): its own, the coupled default, or its program number. */
export function bettingInterestOf(card: Pick<RaceCard, 'couplesEntries'>, runner: Runner): string {
  if (runner.bettingInterest !== undefined) return runner.bettingInterest.toUpperCase();
  return card.couplesEntries ? (/^\d+/.exec(runner.horseNo)?.[0] ?? runner.horseNo) : runner.horseNo;
}

export const placesPaidFor = (card: RaceCard): number =>
  card.placesPaid ?? defaultPlacesPaid(activeRunners(card).length);
