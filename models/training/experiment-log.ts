import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { StackedCvSchema } from '../../agents/artefacts.js';

/**
 * The experiment log: one JSON line per training run (`npm run train`, and each walk-forward block's
 * refit) and per feature variant scored by models/training/feature_cv.py, append-only, in results/experiments.jsonl by default. A new entry is compared against the
 * latest earlier entry of the same kind on the same data range, so a change shows its effect on the
 * CV and walk-forward figures next to the run it replaced.
 */
const Finite = z.number().finite();

export const ExperimentSchema = z.object({
  at: z.string().datetime(),
  kind: z.enum(['train', 'walk-forward-block', 'feature-cv']),
  data: z.object({
    /** The data folder's name (the range below is within it). */
    source: z.string().optional(),
    /** Every fit reads races with race_id below this only. */
    trainUntilRaceId: z.number().int(),
    trainingRaces: z.number().int().min(0),
    /** The scored block (walk-forward) or held-out races (train). */
    scoredFrom: z.number().int().optional(),
    scoredTo: z.number().int().optional(),
  }),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  cv: z.object({
    /** The quant ensemble's cross-fitted pseudo R^2 on the training races. */
    quantPseudoR2: Finite,
    /** feature-cv: the members' figures and the variant's pooled pseudo R^2 minus the baseline's, paired SE. */
    clogitPseudoR2: Finite.optional(),
    lgbmPseudoR2: Finite.optional(),
    baselinePseudoR2: Finite.optional(),
    deltaVsBaseline: Finite.optional(),
    deltaSE: z.number().min(0).optional(),
    stacked: z
      .object({
        candidate: z.string(),
        l2: z.number().min(0),
        terms: z.array(z.object({ name: z.string(), coef: Finite, se: z.number().min(0) })),
        table: StackedCvSchema.shape.table,
      })
      .optional(),
  }),
  /** train: the quant ensemble and the market on the races at or after the cut (when measured). */
  heldOut: z.object({ quantPseudoR2: Finite, marketPseudoR2: Finite.nullable() }).optional(),
  /** walk-forward: the block's figures. */
  walkForward: z
    .object({
      races: z.number().int().min(0),
      pseudoR2: z.record(z.string(), Finite),
      finalVsMarket: z.object({ deltaLogLoss: Finite, pairedSE: z.number().min(0) }),
    })
    .optional(),
  seconds: z.number().min(0),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

export function readExperiments(file: string): Experiment[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (line.trim() === '') return [];
      const parsed = ExperimentSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file} line ${i + 1}: ${parsed.error.issues[0]?.message}`);
      return [parsed.data];
    });
}

export interface ExperimentComparison {
  previousAt: string;
  /** This run minus the previous one, per figure both have. */
  delta: Record<string, number>;
}

/** The figures two runs are compared on. */
function figures(e: Experiment): Record<string, number> {
  const out: Record<string, number> = { 'cv.quantPseudoR2': e.cv.quantPseudoR2 };
  if (e.heldOut) out['heldOut.quantPseudoR2'] = e.heldOut.quantPseudoR2;
  if (e.walkForward) {
    for (const [k, v] of Object.entries(e.walkForward.pseudoR2)) out[`walkForward.${k}PseudoR2`] = v;
    out['walkForward.finalMinusMarketLogLoss'] = e.walkForward.finalVsMarket.deltaLogLoss;
  }
  return out;
}

const sameRange = (a: Experiment, b: Experiment): boolean =>
  a.kind === b.kind &&
  a.data.source === b.data.source &&
  a.data.trainUntilRaceId === b.data.trainUntilRaceId &&
  a.data.scoredTo === b.data.scoredTo;

export function compareExperiment(
  history: readonly Experiment[],
  entry: Experiment,
): ExperimentComparison | null {
  const previous = history.filter((h) => sameRange(h, entry)).at(-1);
  if (!previous) return null;
  const before = figures(previous);
  const now = figures(entry);
  return {
    previousAt: previous.at,
    delta: Object.fromEntries(
      Object.entries(now).flatMap(([k, v]) => (before[k] === undefined ? [] : [[k, v - before[k]]])),
    ),
  };
}

/** Validates and appends one run; returns its comparison with the latest comparable earlier run. */
export function appendExperiment(file: string, entry: Experiment): ExperimentComparison | null {
  const valid = ExperimentSchema.parse(entry);
  const comparison = compareExperiment(readExperiments(file), valid);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(valid)}\n`);
  return comparison;
}

export const formatComparison = (c: ExperimentComparison | null): string =>
  c === null
    ? 'experiment log: first run on this data range'
    : `experiment log: vs the run of ${c.previousAt}: ${Object.entries(c.delta)
        .map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v.toFixed(4)}`)
        .join(', ')}`;
