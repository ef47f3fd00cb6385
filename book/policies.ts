import { z } from 'zod';

/**
 * Staking policies as data: one typed row each, validated when the module loads (like the fifteen
 * strategies). Amounts are fractions of a bankroll; the book turns them into currency.
 */

/** The independent signals a convergence rule counts: each says whether a runner is under-priced. */
export const SIGNALS = ['quant', 'qual', 'fused'] as const;
export type Signal = (typeof SIGNALS)[number];

const Fraction = z.number().min(0, 'must not be negative').max(1, 'must be at most 1');

export const PolicySchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    /** flat: `fraction` of the starting bankroll per bet; kelly: `fraction` of full Kelly on the current bankroll. */
    stake: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('flat'), fraction: Fraction }),
      z.strictObject({ kind: z.literal('kelly'), fraction: Fraction }),
    ]),
    /** Which probability prices the bet (its edge and its Kelly stake). */
    probability: z.enum(['final', 'fused', 'quant']),
    /** A bet needs p * odds - 1 >= minEdge on `probability` (unless a convergence rule decides). */
    minEdge: z.number().min(0, 'must not be negative'),
    /** Largest stake per bet, per race and per race day, as fractions of the bankroll at the race. */
    caps: z.strictObject({ perBet: Fraction, perRace: Fraction, perDay: Fraction }),
    /** Stop betting for the day once the day's settled loss reaches this fraction of the day's opening bankroll. */
    dailyLossStop: Fraction.optional(),
    /** Bet only when at least k of these signals see an edge of minEdge at the market's price. */
    convergence: z
      .strictObject({
        k: z.number().int().min(1),
        signals: z.array(z.enum(SIGNALS)).min(1),
      })
      .optional(),
    /** Also back the runner to place where the card carries place odds (its own edge on the place probability). */
    place: z.boolean(),
  })
  .superRefine((p, ctx) => {
    const conv = p.convergence;
    if (conv && conv.k > new Set(conv.signals).size)
      ctx.addIssue({
        code: 'custom',
        path: ['convergence', 'k'],
        message: `k = ${conv.k} is more than the ${conv.signals.length} signals`,
      });
    if (Boolean(conv) !== p.name.includes('convergence'))
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'a policy name contains "convergence" exactly when it has a convergence rule',
      });
  });
export type Policy = z.infer<typeof PolicySchema>;

export class InvalidPolicyError extends Error {
  override readonly name = 'InvalidPolicy';
}

/** Validates a policy; a bad one throws InvalidPolicy naming every field and its problem. */
export function parsePolicy(raw: unknown): Policy {
  const parsed = PolicySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`);
  throw new InvalidPolicyError(`invalid staking policy: ${issues.join('; ')}`);
}

const CAPS = { perBet: 0.05, perRace: 0.1, perDay: 0.25 } as const;
/** The convergence rows differ only in k: a flat 1% win bet, the count deciding instead of one edge. */
const CONVERGENCE = {
  stake: { kind: 'flat', fraction: 0.01 },
  probability: 'final',
  minEdge: 0.05,
  caps: CAPS,
  place: false,
} as const;

const TABLE = [
  {
    name: 'flat-value',
    description:
      '1% of the starting bankroll on every win (and place) bet with a 5% edge on the final probability',
    stake: { kind: 'flat', fraction: 0.01 },
    probability: 'final',
    minEdge: 0.05,
    caps: CAPS,
    place: true,
  },
  {
    name: 'kelly-quarter',
    description: 'quarter Kelly on the final probability, 5% edge, capped, with a 10% daily loss stop',
    stake: { kind: 'kelly', fraction: 0.25 },
    probability: 'final',
    minEdge: 0.05,
    caps: CAPS,
    dailyLossStop: 0.1,
    place: true,
  },
  {
    name: 'kelly-tenth-fused',
    description: 'tenth Kelly on the fused consensus (before the market blend), 10% edge, capped',
    stake: { kind: 'kelly', fraction: 0.1 },
    probability: 'fused',
    minEdge: 0.1,
    caps: { perBet: 0.02, perRace: 0.05, perDay: 0.2 },
    dailyLossStop: 0.1,
    place: false,
  },
  {
    name: '2-module-convergence',
    description: '1% flat when at least 2 of quant, qualitative and fused see a 5% edge at the market price',
    ...CONVERGENCE,
    convergence: { k: 2, signals: SIGNALS },
  },
  {
    name: '3-module-convergence',
    description: '1% flat when quant, qualitative and fused all see a 5% edge at the market price',
    ...CONVERGENCE,
    convergence: { k: 3, signals: SIGNALS },
  },
] as const;

export const POLICIES: readonly Policy[] = TABLE.map(parsePolicy);
export const POLICY_NAMES = POLICIES.map((p) => p.name);
export const DEFAULT_POLICY = 'kelly-quarter';

export function policyByName(name: string): Policy {
  const p = POLICIES.find((x) => x.name === name);
  if (!p)
    throw new InvalidPolicyError(`unknown staking policy "${name}" (known: ${POLICY_NAMES.join(', ')})`);
  return p;
}

/** BOOK_POLICY: a policy name from the table, or a policy as JSON (validated like the table's rows). */
export function resolvePolicy(value: string): Policy {
  const v = value.trim();
  if (!v.startsWith('{')) return policyByName(v);
  let raw: unknown;
  try {
    raw = JSON.parse(v);
  } catch (err) {
    throw new InvalidPolicyError(`staking policy is not valid JSON: ${(err as Error).message}`);
  }
  return parsePolicy(raw);
}

/** Every book, live and backtest, starts from this many units. */
export const STARTING_BANKROLL = 1000;
