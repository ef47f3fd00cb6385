import { z } from 'zod';
import type { AgentInput, AgentOutput } from '../schemas/agent.js';
import type { CalibrationArtefacts } from './artefacts.js';
import { UnknownStrategyError } from './errors.js';
import type { FusionParams, RaceContext } from './kernel/fuse.js';
import { fuseInContext, prepareRace } from './kernel/fuse.js';

/** The fifteen fusion strategies of SPEC 4 as data: one row each, validated when the module loads. */

const StrategySchema = z.object({
  id: z.number().int().min(1).max(15),
  name: z.string().regex(/^[A-Za-z]+_[A-Za-z]+$/),
  lrWeight: z.number().positive(),
  matrixWeight: z.number().min(0),
  calibration: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('isotonic') }),
    z.object({ kind: z.literal('temperature') }),
    z.object({ kind: z.literal('platt') }),
    z.object({
      kind: z.literal('ensemble'),
      isotonicWeight: z.number().min(0),
      temperatureWeight: z.number().min(0),
    }),
  ]),
  normalisation: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('hard') }),
    z.object({ kind: z.literal('softmax'), temperature: z.number().positive() }),
  ]),
  uncertainty: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('conformal'), coverage: z.number().gt(0).lt(1) }),
    z.object({ kind: z.literal('bootstrap'), resamples: z.number().int().positive() }),
    z.object({ kind: z.literal('credible'), mass: z.number().gt(0).lt(1) }),
  ]),
});
export type Strategy = z.infer<typeof StrategySchema> & FusionParams;

const ISO = { kind: 'isotonic' } as const;
const SOFT1 = { kind: 'softmax', temperature: 1 } as const;
const NONE = { kind: 'none' } as const;
/** The base row: w = 1, matrix weight 1, isotonic, softmax T = 1, interval propagated from the quant model. */
const BASE = {
  lrWeight: 1,
  matrixWeight: 1,
  calibration: ISO,
  normalisation: SOFT1,
  uncertainty: NONE,
} as const;

const TABLE = [
  { id: 1, name: 'BayesianUpdater_Conservative', ...BASE, lrWeight: 0.8 },
  { id: 2, name: 'BayesianUpdater_Aggressive', ...BASE, lrWeight: 1.2 },
  { id: 3, name: 'BayesianUpdater_Balanced', ...BASE },
  { id: 4, name: 'CalibrationAgent_Isotonic', ...BASE },
  { id: 5, name: 'CalibrationAgent_Temperature', ...BASE, calibration: { kind: 'temperature' } },
  { id: 6, name: 'CalibrationAgent_Platt', ...BASE, calibration: { kind: 'platt' } },
  { id: 7, name: 'FieldNormalizer_Softmax', ...BASE },
  { id: 8, name: 'FieldNormalizer_HardNorm', ...BASE, normalisation: { kind: 'hard' } },
  {
    id: 9,
    name: 'FieldNormalizer_TemperatureSoftmax',
    ...BASE,
    normalisation: { kind: 'softmax', temperature: 1.5 },
  },
  { id: 10, name: 'UncertaintyQuant_Conformal', ...BASE, uncertainty: { kind: 'conformal', coverage: 0.9 } },
  {
    id: 11,
    name: 'UncertaintyQuant_Bootstrapped',
    ...BASE,
    uncertainty: { kind: 'bootstrap', resamples: 1000 },
  },
  {
    id: 12,
    name: 'UncertaintyQuant_BayesianCredible',
    ...BASE,
    uncertainty: { kind: 'credible', mass: 0.9 },
  },
  { id: 13, name: 'MatrixIntegrator_Conservative', ...BASE, matrixWeight: 0.8 },
  { id: 14, name: 'MatrixIntegrator_Aggressive', ...BASE, matrixWeight: 1.2 },
  {
    id: 15,
    name: 'SynthesisAgent_Ensemble',
    ...BASE,
    calibration: { kind: 'ensemble', isotonicWeight: 0.6, temperatureWeight: 0.4 },
  },
] as const;

export const STRATEGIES: readonly Strategy[] = Object.freeze(
  z
    .array(StrategySchema)
    .length(15)
    .refine((rows) => new Set(rows.map((r) => r.name)).size === rows.length, 'strategy names must be unique')
    .parse(TABLE),
);

export type StrategyName = (typeof TABLE)[number]['name'];
export const STRATEGY_NAMES: readonly StrategyName[] = TABLE.map((s) => s.name);
/** The single sequential fusion used when synthesis falls below quorum (SPEC 6). */
export const FALLBACK_STRATEGY: StrategyName = 'BayesianUpdater_Balanced';

const BY_NAME = new Map(STRATEGIES.map((s) => [s.name, s]));

export function getStrategy(name: string): Strategy {
  const s = BY_NAME.get(name);
  if (!s) throw new UnknownStrategyError(`unknown strategy "${name}"`);
  return s;
}

function describe(s: Strategy): AgentOutput['parameters'] {
  const c = s.calibration;
  return {
    id: s.id,
    lrWeight: s.lrWeight,
    matrixWeight: s.matrixWeight,
    calibration:
      c.kind === 'ensemble' ? `${c.isotonicWeight} isotonic + ${c.temperatureWeight} temperature` : c.kind,
    normalisation: s.normalisation.kind === 'hard' ? 'hard' : `softmax T=${s.normalisation.temperature}`,
    uncertainty: s.uncertainty.kind,
    coverage: s.uncertainty.kind === 'conformal' ? s.uncertainty.coverage : null,
    resamples: s.uncertainty.kind === 'bootstrap' ? s.uncertainty.resamples : null,
    credibleMass: s.uncertainty.kind === 'credible' ? s.uncertainty.mass : null,
  };
}

const DESCRIBED = new Map(STRATEGIES.map((s) => [s.name, describe(s)]));

/** One strategy on a prepared race (prepareRace): what runStrategy and runStrategies share. */
export function runStrategyIn(ctx: RaceContext, name: string, computeMs?: number): AgentOutput {
  const strategy = getStrategy(name);
  const started = performance.now();
  const fused = fuseInContext(ctx, strategy.name, strategy);
  const elapsed = computeMs ?? performance.now() - started;
  return {
    strategy: strategy.name,
    parameters: { ...DESCRIBED.get(strategy.name)! },
    calibratorVersion: fused.calibratorVersion,
    runners: fused.runners,
    timingsMs: { compute: elapsed },
  };
}

/**
 * The whole per-agent computation: one strategy row applied to one race. `computeMs` lets a caller
 * that measures time pass it in; by default the compute time is measured here.
 */
export function runStrategy(
  name: string,
  input: AgentInput,
  artefacts: CalibrationArtefacts | null,
  computeMs?: number,
): AgentOutput {
  return runStrategyIn(prepareRace(input, artefacts), name, computeMs);
}

/**
 * Several strategies on one race in one process (the pipeline, the backtest, the bench): the race is
 * validated and prepared once and the strategies share what they have in common. Each output equals
 * runStrategy's for the same strategy; its compute time counts only its own work after preparation.
 */
export function runStrategies(
  input: AgentInput,
  artefacts: CalibrationArtefacts | null,
  names: readonly string[] = STRATEGY_NAMES,
): AgentOutput[] {
  const ctx = prepareRace(input, artefacts);
  return names.map((name) => runStrategyIn(ctx, name));
}
