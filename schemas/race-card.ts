import { z } from 'zod';
import { defaultPlacesPaid } from './constants.js';

/** Ids end up in workflow ids, search attributes and file names: keep them to a safe alphabet. */
const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - only');
/**
 * A runner without a horse id (a card from outside the data the engine knows) gets one of these when
 * the card is validated: unique to the race, so it can never pick up another horse's history.
 */
const ANON_PREFIX = '_anon:';
const AnonHorseId = z
  .string()
  .max(120)
  .regex(/^_anon:[A-Za-z0-9._:-]+$/);
const HorseId = z.union([Id, AnonHorseId]);
export const isAnonymousHorse = (horseId: string): boolean => horseId.startsWith(ANON_PREFIX);

/** Weight carried and body weight, per unit: flat and jumps racing worldwide (jumps top weights ~12st = 168 lb). */
export const WEIGHT_BOUNDS = {
  lb: { actual: [95, 180], declared: [600, 1700] },
  kg: { actual: [43, 82], declared: [270, 775] },
} as const;
export const LB_PER_KG = 2.20462262;
const toLb = (unit: 'lb' | 'kg' | undefined, w: number): number =>
  unit === 'kg' ? Math.round(w * LB_PER_KG * 10) / 10 : w;

export const SURFACES = ['turf', 'dirt', 'synthetic', 'hurdle', 'chase'] as const;

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
  /** Optional: a runner without one has no history, and its result row is flagged `no-horse-id`. */
  horseId: HorseId.optional(),
  horseName: z.string().min(1).max(80).optional(),
  horseNo: ProgramNo,
  /** Runners sharing one are a coupled entry: one betting interest, priced and scored as one. */
  bettingInterest: z
    .string()
    .regex(/^[A-Za-z0-9]{1,8}$/, 'a betting interest is 1-8 letters or digits')
    .optional(),
  draw: z.number().int().min(1).max(30),
  /** Weight carried, in the card's weightUnit (pounds unless it says kg); its bounds depend on the unit. */
  actualWeight: z.number().finite().positive(),
  /** Declared body weight, in the card's weightUnit. */
  declaredWeight: z.number().finite().positive().optional(),
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
    /** Metres (furlongs are converted at import): 800 m sprints to 7,200 m jumps races. */
    distanceM: z.number().int().min(800).max(7200),
    /** Flat: turf, dirt, synthetic; jumps: hurdle, chase (both run on turf). */
    surface: z.enum(SURFACES),
    /**
     * Unit of every weight on the card (default lb). A kg card is converted to pounds when validated, so
     * the engine and everything stored work in one unit; the output says lb.
     */
    weightUnit: z.enum(['lb', 'kg']).optional(),
    going: z.string().min(1).max(40),
    raceClass: z.string().min(1).max(40),
    prize: z.number().finite().min(0).optional(),
    placesPaid: z.number().int().min(1).max(3).optional(),
    runners: z.array(RunnerSchema).min(2).max(24),
  })
  .superRefine((card, ctx) => {
    const seenIds = new Set<string>();
    const seenNos = new Set<string>();
    const unit = card.weightUnit ?? 'lb';
    const bounds = WEIGHT_BOUNDS[unit];
    card.runners.forEach((r, i) => {
      const outside = (v: number, [lo, hi]: readonly [number, number]) => v < lo || v > hi;
      if (outside(r.actualWeight, bounds.actual))
        ctx.addIssue({
          code: 'custom',
          path: ['runners', i, 'actualWeight'],
          message: `weight carried ${r.actualWeight} ${unit} is outside ${bounds.actual.join('-')} ${unit}`,
        });
      if (r.declaredWeight !== undefined && outside(r.declaredWeight, bounds.declared))
        ctx.addIssue({
          code: 'custom',
          path: ['runners', i, 'declaredWeight'],
          message: `body weight ${r.declaredWeight} ${unit} is outside ${bounds.declared.join('-')} ${unit}`,
        });
      if (r.horseId !== undefined && seenIds.has(r.horseId))
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
      if (r.horseId !== undefined) seenIds.add(r.horseId);
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
  })
  .transform(({ runners, ...card }) => ({
    ...card,
    ...(card.weightUnit ? { weightUnit: 'lb' as const } : {}),
    runners: runners.map((r) => ({
      ...r,
      horseId: r.horseId ?? `${ANON_PREFIX}${card.raceId}:${r.horseNo}`,
      actualWeight: toLb(card.weightUnit, r.actualWeight),
      ...(r.declaredWeight === undefined ? {} : { declaredWeight: toLb(card.weightUnit, r.declaredWeight) }),
    })),
  }));

export type Runner = RaceCard['runners'][number];
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
