import { z } from 'zod';
import { AgentInputSchema } from '../../schemas/agent.js';
import type { AgentInput } from '../../schemas/agent.js';
import type { CalibrationArtefacts, GroupCalibration, MarketBlend } from '../artefacts.js';
import { CalibrationArtefactsSchema, DEFAULT_GROUP } from '../artefacts.js';
import { isotonicValue } from '../kernel/calibrate.js';
import { fuseRace } from '../kernel/fuse.js';
import { hardNormalise } from '../kernel/normalise.js';
import { mulberry32 } from '../prng.js';
import type { Strategy } from '../strategies.js';
import { FALLBACK_STRATEGY, STRATEGIES } from '../strategies.js';
import { fitHarvilleLambdas } from './harville.js';
import { fitBinCounts, fitBootstrap, fitConformal } from './intervals.js';
import type { CalibrationPoint } from './isotonic.js';
import { fitIsotonic } from './isotonic.js';
import { fitMarketBlend } from './market-blend.js';
import { fitPlatt } from './platt.js';
import { compareRaceIds } from './race-order.js';
import { fitTemperature } from './temperature.js';

/** One training race: the agents' input as it was before the race, and what happened. */
export const TrainingRaceSchema = z.object({
  input: AgentInputSchema,
  winnerHorseId: z.string(),
  finishOrder: z.array(z.string()).optional(),
  /** null marks a runner without usable odds: the race then stays out of the market-blend fit. */
  marketOdds: z.record(z.string(), z.number().nullable()).optional(),
});
export type TrainingRace = z.infer<typeof TrainingRaceSchema>;

export interface FitOptions {
  version: string;
  untilRaceId: string;
  /** Groups with fewer training races use the "default" group's calibrators. */
  minGroupRaces: number;
  bins: number;
  conformalGroupSize: number;
  /** Overrides the strategy table's resample count (tests use fewer). */
  bootstrapResamples?: number;
  bootstrapGridSize: number;
  /** Time blocks for the cross-fitted model probabilities the market blend is fitted on. */
  crossFitFolds: number;
  /** Fewer complete-odds races than this and no blend is fitted. */
  minBlendRaces: number;
  seed: number;
}

export const FIT_DEFAULTS: Omit<FitOptions, 'version' | 'untilRaceId'> = {
  minGroupRaces: 200,
  bins: 20,
  conformalGroupSize: 50,
  bootstrapGridSize: 40,
  crossFitFolds: 5,
  minBlendRaces: 100,
  seed: 20240601,
};

export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
}

interface PreparedRace {
  input: AgentInput;
  winner: number;
  order: number[];
  odds: number[] | null;
}

function prepare(race: TrainingRace): PreparedRace {
  const ids = race.input.runners.map((r) => r.horseId);
  const winner = ids.indexOf(race.winnerHorseId);
  if (winner < 0) {
    throw new TrainingDataError(
      `race ${race.input.raceId}: winner ${race.winnerHorseId} is not among its runners`,
    );
  }
  const order = (race.finishOrder ?? []).map((id) => ids.indexOf(id)).filter((i) => i >= 0);
  const odds = ids.map((id) => race.marketOdds?.[id] ?? undefined);
  const complete = odds.every((o): o is number => o !== undefined && o > 1 && Number.isFinite(o));
  return {
    input: race.input,
    winner,
    order: order[0] === winner ? order : [winner],
    odds: complete ? odds : null,
  };
}

/** The parts of a strategy that decide its pre-calibration output; strategies sharing them share the fit input. */
function fusedKey(s: Strategy): string {
  return JSON.stringify([s.lrWeight, s.matrixWeight, s.normalisation]);
}

function fitGroup(
  strategy: Strategy,
  races: readonly PreparedRace[],
  fused: readonly number[][],
  opts: FitOptions,
  seed: number,
): GroupCalibration {
  const perRace: CalibrationPoint[][] = races.map((r, j) =>
    (fused[j] ?? []).map((x, i) => ({ x, y: i === r.winner ? 1 : 0 })),
  );
  const points = perRace.flat();
  const cal: GroupCalibration = {
    races: races.length,
    runners: points.length,
    isotonic: fitIsotonic(points),
    temperature: { tau: fitTemperature(races.map((r, j) => ({ probs: fused[j] ?? [], winner: r.winner }))) },
    platt: fitPlatt(points),
  };
  const u = strategy.uncertainty;
  if (u.kind === 'credible') cal.bins = fitBinCounts(points, opts.bins);
  if (u.kind === 'conformal') cal.conformal = fitConformal(points, opts.conformalGroupSize);
  if (u.kind === 'bootstrap') {
    cal.bootstrap = fitBootstrap(
      perRace,
      opts.bootstrapResamples ?? u.resamples,
      0.9,
      opts.bootstrapGridSize,
      mulberry32(seed),
    );
  }
  return cal;
}

/**
 * Market blend on out-of-sample model probabilities: races split into time blocks; each block's
 * model probabilities come from the fallback strategy's fused output under an isotonic calibrator
 * fitted on the other blocks (time-blocked cross-fitting), so the blend never sees in-sample
 * calibration. The fallback strategy stands in for the consensus, which tracks it closely.
 */
function fitBlend(
  races: readonly PreparedRace[],
  fused: readonly number[][],
  opts: FitOptions,
): MarketBlend | null {
  const usable = races.map((r, j) => ({ r, x: fused[j] ?? [] })).filter((v) => v.r.odds !== null);
  if (usable.length < opts.minBlendRaces) return null;
  const folds = Math.min(opts.crossFitFolds, usable.length);
  const blockOf = (j: number): number => Math.floor((j * folds) / usable.length);
  const outcomes = [];
  for (let f = 0; f < folds; f++) {
    const train = usable.filter((_, j) => blockOf(j) !== f);
    const iso = fitIsotonic(train.flatMap((v) => v.x.map((x, i) => ({ x, y: i === v.r.winner ? 1 : 0 }))));
    for (const [j, v] of usable.entries()) {
      if (blockOf(j) !== f) continue;
      const model = hardNormalise(v.x.map((x) => Math.max(1e-6, isotonicValue(iso, x))));
      const market = hardNormalise((v.r.odds ?? []).map((o) => 1 / o));
      outcomes.push({ model, market, winner: v.r.winner });
    }
  }
  return { ...fitMarketBlend(outcomes), races: usable.length };
}

/**
 * Fits every artefact of SPEC 5 from training races (nothing here reads files). Each strategy is
 * calibrated on its own pre-calibration output (winProbFused); each calibration group with at least
 * minGroupRaces races gets its own calibrators, and "default" is fitted on all races.
 */
export function fitCalibrationArtefacts(
  trainingRaces: readonly TrainingRace[],
  options: Partial<FitOptions> & Pick<FitOptions, 'version' | 'untilRaceId'>,
): CalibrationArtefacts {
  const opts: FitOptions = { ...FIT_DEFAULTS, ...options };
  const sorted = [...trainingRaces].sort((a, b) => compareRaceIds(a.input.raceId, b.input.raceId));
  const races = sorted.map((r) => prepare(TrainingRaceSchema.parse(r)));
  if (races.length === 0) throw new TrainingDataError('no training races to fit on');

  const groups = new Map<string, number[]>([[DEFAULT_GROUP, races.map((_, j) => j)]]);
  const byGroup = new Map<string, number[]>();
  races.forEach((r, j) =>
    byGroup.set(r.input.calibrationGroup, [...(byGroup.get(r.input.calibrationGroup) ?? []), j]),
  );
  for (const [g, idx] of byGroup)
    if (g !== DEFAULT_GROUP && idx.length >= opts.minGroupRaces) groups.set(g, idx);

  const fusedCache = new Map<string, number[][]>();
  const fusedFor = (s: Strategy): number[][] => {
    const key = fusedKey(s);
    let f = fusedCache.get(key);
    if (!f) {
      f = races.map((r) =>
        fuseRace(s.name, { ...s, uncertainty: { kind: 'none' } }, r.input, null).runners.map(
          (o) => o.winProbFused,
        ),
      );
      fusedCache.set(key, f);
    }
    return f;
  };

  const strategies: CalibrationArtefacts['strategies'] = {};
  STRATEGIES.forEach((s, si) => {
    const fused = fusedFor(s);
    const perGroup: Record<string, GroupCalibration> = {};
    for (const [g, idx] of groups) {
      perGroup[g] = fitGroup(
        s,
        idx.map((j) => races[j]!),
        idx.map((j) => fused[j]!),
        opts,
        opts.seed + 7919 * si,
      );
    }
    strategies[s.name] = perGroup;
  });

  const fallback = STRATEGIES.find((s) => s.name === FALLBACK_STRATEGY)!;
  const baseFused = fusedFor(fallback);
  const defaultIso = strategies[FALLBACK_STRATEGY]?.[DEFAULT_GROUP]?.isotonic;
  const withOrder = races
    .map((r, j) => ({ r, j }))
    .filter(({ r }) => r.order.length >= 2)
    .map(({ r, j }) => ({
      probs: hardNormalise(
        (baseFused[j] ?? []).map((x) => Math.max(1e-6, defaultIso ? isotonicValue(defaultIso, x) : x)),
      ),
      order: r.order,
    }));
  const lambdas = fitHarvilleLambdas(withOrder);

  return CalibrationArtefactsSchema.parse({
    version: opts.version,
    fittedOn: {
      fromRaceId: races[0]?.input.raceId,
      untilRaceId: opts.untilRaceId,
      races: races.length,
    },
    strategies,
    harville: { ...lambdas, fitted: withOrder.length > 0, races: withOrder.length },
    marketBlend: fitBlend(races, baseFused, opts),
  });
}
