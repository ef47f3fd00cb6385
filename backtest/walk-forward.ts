import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HkRace } from '../models/hk/types.js';
import { QuantScorer } from '../models/quant/scorer.js';
import { appendExperiment, type ExperimentComparison } from '../models/training/experiment-log.js';
import { fitAllModels, type FitOptions, type FitResult } from '../models/training/fit-all.js';
import { loadCalibrationArtefacts, loadEvidenceAnalyst } from '../worker/deps.js';
import { contributions, type ContributionBlock, type Contributions } from './contributions.js';
import { backtestMetrics, PROBABILITY_SETS } from './metrics.js';
import { replayInProcess, type ReplayedRace } from './replay.js';

const ReplayedRaceSchema = z.object({
  raceNumericId: z.number().int(),
  raceId: z.string(),
  horseIds: z.array(z.string()),
  positions: z.array(z.number().nullable()),
  odds: z.array(z.number().nullable()).transform((xs) => xs.map((x) => x ?? undefined)),
  quant: z.array(z.number()),
  fused: z.array(z.number()),
  final: z.array(z.number()),
  date: z.string(),
  placesPaid: z.number().int(),
  qualLr: z.array(z.number()),
  place: z.array(z.number()),
  placeOdds: z.array(z.number().nullable()).transform((xs) => xs.map((x) => x ?? undefined)),
  strategies: z.record(z.string(), z.array(z.number())),
  groupLr: z.record(z.string(), z.array(z.number())),
  degraded: z.boolean(),
  ms: z.number(),
});
const BlockFileSchema = z.object({ races: z.array(ReplayedRaceSchema) });

export interface BlockSummary {
  firstRaceId: number;
  lastRaceId: number;
  /** Races scored (single winner, complete market odds). */
  races: number;
  trainingRaces: number;
  logLoss: Record<string, number>;
  pseudoR2: Record<string, number>;
  finalVsMarket: { deltaLogLoss: number; pairedSE: number };
  resumed: boolean;
}

export interface WalkForwardOptions {
  from: number;
  step: number;
  out: string;
  fit: Omit<FitOptions, 'cut' | 'onFeatureRace'>;
  onBlockStart?: (index: number, total: number, first: number, last: number) => void;
  onRace?: () => void;
  /** The experiment log each block's refit is appended to (models/training/experiment-log.ts). */
  experimentLog: string;
  /** The data folder's name, recorded with each run. */
  source?: string;
  onExperiment?: (comparison: ExperimentComparison | null) => void;
}

/** Consecutive blocks of `step` races (race_id order) from race_id `from` on. */
export function walkForwardBlocks(races: readonly HkRace[], from: number, step: number): HkRace[][] {
  const scored = races.filter((r) => r.raceNumericId >= from);
  return Array.from({ length: Math.ceil(scored.length / step) }, (_, i) =>
    scored.slice(i * step, (i + 1) * step),
  );
}

/** The per-block figures (SPEC 7 metrics of one block's races), written to metrics.json's `blocks`. */
export function summariseBlock(
  block: readonly ReplayedRace[],
  first: number,
  last: number,
  trainingRaces: number,
  resumed: boolean,
): BlockSummary {
  const m = backtestMetrics(block, first);
  return {
    firstRaceId: first,
    lastRaceId: last,
    races: m.final.races,
    trainingRaces,
    logLoss: Object.fromEntries(PROBABILITY_SETS.map((s) => [s, m[s].logLoss])),
    pseudoR2: Object.fromEntries(PROBABILITY_SETS.map((s) => [s, m[s].pseudoR2])),
    finalVsMarket: { deltaLogLoss: m.final.vsMarket.deltaLogLoss, pairedSE: m.final.vsMarket.pairedSE },
    resumed,
  };
}

/**
 * Fits every model on the races before one block (into its own folder) and scores the block through
 * the workflow's steps (replayInProcess -> runRacePipeline). Nothing at or after the block's first race
 * reaches a fit: fitAllModels drops those races before computing anything.
 */
export async function fitAndScoreBlock(
  all: readonly HkRace[],
  block: readonly HkRace[],
  dir: string,
  fit: WalkForwardOptions['fit'],
  onRace?: () => void,
): Promise<{
  races: ReplayedRace[];
  trainingRaces: number;
  cvPseudoR2: number;
  stacked?: FitResult['stacked'];
}> {
  const first = block[0]!.raceNumericId;
  const last = block[block.length - 1]!.raceNumericId;
  const models = join(dir, 'models');
  const result = fitAllModels(
    all,
    {
      quant: join(models, 'quant'),
      qual: join(models, 'qual'),
      artefacts: join(models, 'artefacts'),
      work: join(dir, 'work'),
    },
    { ...fit, cut: first },
  );
  const quantModel = await QuantScorer.load(result.metaFile);
  try {
    const races = await replayInProcess(
      all.filter((r) => r.raceNumericId <= last),
      first,
      {
        quantModel,
        evidenceAnalyst: loadEvidenceAnalyst(models),
        artefacts: loadCalibrationArtefacts(models),
      },
      (r) => {
        if (r) onRace?.();
      },
    );
    return {
      races,
      trainingRaces: result.meta.trainingRaces,
      cvPseudoR2: result.meta.metrics.crossFittedTraining.model.pseudoR2,
      ...(result.stacked ? { stacked: result.stacked } : {}),
    };
  } finally {
    await quantModel.release();
  }
}

/**
 * The walk-forward backtest: for each block, refit on the races before it and score it. A block whose
 * OUT/blocks/<first>-<last>/races.json exists is read back instead of redone (resume); each fit is
 * appended to the experiment log.
 */
export async function runWalkForward(
  all: readonly HkRace[],
  opts: WalkForwardOptions,
): Promise<{ races: ReplayedRace[]; blocks: BlockSummary[]; contributions: Contributions }> {
  const blocks = walkForwardBlocks(all, opts.from, opts.step);
  const races: ReplayedRace[] = [];
  const summaries: BlockSummary[] = [];
  const stages: ContributionBlock[] = [];
  mkdirSync(opts.out, { recursive: true });
  for (const [i, block] of blocks.entries()) {
    const first = block[0]!.raceNumericId;
    const last = block[block.length - 1]!.raceNumericId;
    opts.onBlockStart?.(i, blocks.length, first, last);
    const dir = join(opts.out, 'blocks', `${first}-${last}`);
    const done = join(dir, 'races.json');
    let scored: ReplayedRace[];
    let trainingRaces: number;
    const resumed = existsSync(done);
    if (resumed) {
      const file = BlockFileSchema.extend({ trainingRaces: z.number().int() }).parse(
        JSON.parse(readFileSync(done, 'utf8')),
      );
      scored = file.races;
      trainingRaces = file.trainingRaces;
      for (let k = 0; k < block.length; k++) opts.onRace?.();
    } else {
      const t0 = performance.now();
      const res = await fitAndScoreBlock(all, block, dir, opts.fit, opts.onRace);
      scored = res.races;
      trainingRaces = res.trainingRaces;
      // Written whole, then renamed: an interrupted block is never mistaken for a finished one.
      writeFileSync(`${done}.tmp`, JSON.stringify({ trainingRaces, races: scored }));
      renameSync(`${done}.tmp`, done);
      const summary = summariseBlock(scored, first, last, trainingRaces, false);
      const comparison = appendExperiment(opts.experimentLog, {
        at: new Date().toISOString(),
        kind: 'walk-forward-block',
        data: {
          ...(opts.source ? { source: opts.source } : {}),
          trainUntilRaceId: first,
          trainingRaces,
          scoredFrom: first,
          scoredTo: last,
        },
        params: {
          folds: opts.fit.folds,
          trials: opts.fit.trials,
          richTerms: opts.fit.richTerms,
          richL2: opts.fit.richL2,
        },
        cv: {
          quantPseudoR2: res.cvPseudoR2,
          ...(res.stacked
            ? { stacked: { ...res.stacked.choice, terms: res.stacked.terms, table: res.stacked.cv.table } }
            : {}),
        },
        walkForward: {
          races: summary.races,
          pseudoR2: summary.pseudoR2,
          finalVsMarket: summary.finalVsMarket,
        },
        seconds: (performance.now() - t0) / 1000,
      });
      opts.onExperiment?.(comparison);
    }
    races.push(...scored);
    summaries.push(summariseBlock(scored, first, last, trainingRaces, resumed));
    const stage = loadCalibrationArtefacts(join(dir, 'models'))?.richBlend;
    stages.push({
      firstRaceId: first,
      lastRaceId: last,
      races: scored,
      ...(stage
        ? {
            stage: {
              candidate: stage.stacked?.candidate ?? `${stage.terms.length} fixed terms`,
              terms: stage.terms.map((t) => ({
                ...t,
                ...(stage.stacked ? { se: stage.stacked.se[t.name] } : {}),
              })),
            },
          }
        : {}),
    });
  }
  return { races, blocks: summaries, contributions: contributions(stages) };
}
