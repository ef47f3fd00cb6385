import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalibrationArtefactsSchema,
  fitCalibrationArtefacts,
  fitRichBlend,
  fitStackedStage,
  marketProbabilities,
  RICH_BLEND_EXTENDED_TERMS,
  type CalibrationArtefacts,
  type RichBlendRace,
  type RichBlendTerm,
  type StackedFit,
} from '../../agents/index.js';
import { FEATURE_DEFINITIONS, FEATURE_VERSION } from '../features/definitions.js';
import { fitSpeedPars, type SpeedPars } from '../features/pars.js';
import type { HkRace } from '../hk/types.js';
import { assembleQuantRunners } from '../quant/assemble.js';
import { loadQuantMetadata, type QuantModelMetadata } from '../quant/metadata.js';
import { analyseEvidence } from '../qual/analyse.js';
import type { EvidenceArtefact } from '../qual/artefact.js';
import { fitEvidenceModel } from '../qual/fit.js';
import { calibrationRace, type CalibrationRace } from './calibration-races.js';
import { collectTrainingData, featureMatrixCsv, type TrainingRace } from './collect.js';
import { runQuantTrainer } from './python.js';

/** Where one training run writes: the three model folders (each gets its current.json) and scratch files. */
export interface FitDirs {
  quant: string;
  qual: string;
  artefacts: string;
  work: string;
}

export interface FitOptions {
  /** Fit on races with race_id below this; nothing at or after it is read. */
  cut: number;
  folds: number;
  /** Optuna trials for the boosted member's hyperparameters, searched inside the training window. */
  trials: number;
  /**
   * Search once, reuse later: when this file exists the trainer reuses its hyperparameters (re-choosing
   * only the boosting rounds on this window); when it does not, the trainer searches and writes it.
   * Unset: search on every fit.
   */
  quantParamsFile?: string;
  /** 'stacked': terms and L2 chosen by time-blocked CV on the training races (agents/fit/stacked.ts). */
  richTerms: 'base' | 'extended' | 'stacked';
  /** The ridge penalty of 'base' and 'extended' (the stacked stage chooses its own). */
  richL2: number;
  python: string;
  /**
   * Also build features for the races after the cut so the trainer reports its held-out figures (`train`);
   * nothing after the cut enters any fit either way.
   */
  measureHeldOut?: boolean;
  log: (line: string) => void;
  onFeatureRace?: () => void;
}

export interface FitResult {
  pars: SpeedPars;
  meta: QuantModelMetadata;
  metaFile: string;
  evidence: EvidenceArtefact;
  evidenceFile: string;
  artefacts: CalibrationArtefacts;
  artefactFile: string;
  calibrationRaces: number;
  richTerms: { name: string; coef: number }[];
  /** The stacked stage's CV choice, when richTerms is 'stacked'. */
  stacked?: StackedFit;
}

// The extended set (SPEC 6.4): the four qualitative group log-LRs and the quant members' log-probabilities
// replace the LR product and the pooled quant probability (the pool is log-linear in the members, so
// ln_quant would be collinear with them); the matrix terms are left out to keep the terms few.
const EXTENDED: RichBlendTerm[] = ['ln_market', 'ln_market_sq', ...RICH_BLEND_EXTENDED_TERMS];

const writeJson = (file: string, value: unknown): void =>
  writeFileSync(file, `${JSON.stringify(value, null, 1)}\n`);

/**
 * Every model and artefact from the races before `cut` only: speed pars, the quantitative ensemble
 * (Python), the evidence model, the calibration artefacts and both market blends. Unless held-out
 * figures are asked for, races at or after the cut are dropped before anything is computed. Used by `train` (into
 * models/) and by the walk-forward backtest (into one folder per block).
 */
export function fitAllModels(hkRaces: readonly HkRace[], dirs: FitDirs, opts: FitOptions): FitResult {
  const { cut, folds, log } = opts;
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const before = hkRaces.filter((r) => r.raceNumericId < cut);
  const pars = fitSpeedPars(before, cut, `${FEATURE_VERSION}-cut${cut}`);
  const parsFile = `pars-${pars.version}.json`;
  writeJson(join(dirs.quant, parsFile), pars);

  const collected = collectTrainingData(opts.measureHeldOut ? hkRaces : before, pars, opts.onFeatureRace);
  const { featureNames } = collected;
  const training = collected.races.filter((r) => r.raceNumericId < cut);
  writeJson(join(dirs.quant, `features-${FEATURE_VERSION}.json`), {
    version: FEATURE_VERSION,
    features: FEATURE_DEFINITIONS,
  });
  const matrixFile = join(dirs.work, 'features.csv');
  writeFileSync(matrixFile, featureMatrixCsv(collected.races, featureNames));

  const modelVersion = `ens-${FEATURE_VERSION}-cut${cut}`;
  const oofFile = join(dirs.work, 'oof-scores.csv');
  log(
    `training the conditional logit and the boosted conditional logit (LightGBM, Optuna search) on ${training.length} races (Python)...`,
  );
  runQuantTrainer(opts.python, {
    matrix: matrixFile,
    cut,
    'out-dir': dirs.quant,
    'model-version': modelVersion,
    'feature-version': FEATURE_VERSION,
    'pars-file': parsFile,
    'oof-out': oofFile,
    folds,
    trials: opts.trials,
    ...(opts.quantParamsFile ? { 'params-file': opts.quantParamsFile } : {}),
  });
  const metaFile = join(dirs.quant, `quant-${modelVersion}.json`);
  const meta = loadQuantMetadata(metaFile);
  writeJson(join(dirs.quant, 'current.json'), { modelVersion, metadataFile: `quant-${modelVersion}.json` });

  const samplesOf = (rs: TrainingRace[]) =>
    rs.flatMap((r) =>
      r.evidence.map((e) => ({ raceId: r.raceId, evidence: e, won: r.winners.includes(e.horseId) })),
    );
  const evidence = fitEvidenceModel(samplesOf(training), { trainUntilRaceId: cut, races: training.length });
  const evidenceFile = join(dirs.qual, `evidence-${evidence.version}.json`);
  writeJson(evidenceFile, evidence);
  writeFileSync(
    join(dirs.qual, 'current.json'),
    `${JSON.stringify({ file: `evidence-${evidence.version}.json` })}\n`,
  );

  // Everything fitted from here on sees out-of-sample inputs only: the quant scores are cross-fitted by
  // the trainer, and the evidence tables are refitted per time block on the other blocks.
  const blockOf = (j: number): number => Math.min(folds - 1, Math.floor((j * folds) / training.length));
  const evidenceByBlock = Array.from({ length: folds }, (_, k) =>
    fitEvidenceModel(samplesOf(training.filter((_, j) => blockOf(j) !== k)), {
      trainUntilRaceId: cut,
      races: training.length,
    }),
  );
  const oof = new Map<string, Map<string, { clogit: number; lgbm: number }>>();
  for (const line of readFileSync(oofFile, 'utf8').trim().split('\n').slice(1)) {
    const [raceId = '', horseId = '', clogit = '', lgbm = ''] = line.split(',');
    const m = oof.get(raceId) ?? new Map<string, { clogit: number; lgbm: number }>();
    m.set(horseId, { clogit: Number(clogit), lgbm: Number(lgbm) });
    oof.set(raceId, m);
  }
  const calibration: CalibrationRace[] = [];
  training.forEach((race, j) => {
    const scores = oof.get(String(race.raceNumericId)) ?? oof.get(race.raceId);
    if (!scores || race.winners.length !== 1) return;
    const member = (name: 'clogit' | 'lgbm'): number[] =>
      race.horseIds.map((id) => scores.get(id)?.[name] ?? 0);
    const members = { clogit: member('clogit'), lgbm: member('lgbm') };
    const pooled = race.horseIds.map((_, i) =>
      Object.entries(members).reduce(
        (s, [name, v]) => s + (meta.pool.weights[name] ?? 0) * (v[i] as number),
        0,
      ),
    );
    const quant = assembleQuantRunners(race.horseIds, race.features, pooled, meta, race.placesPaid, members);
    calibration.push(
      calibrationRace(race, quant, analyseEvidence(race.evidence, evidenceByBlock[blockOf(j)] ?? evidence)),
    );
  });
  writeFileSync(
    join(dirs.work, 'calibration-races.jsonl'),
    `${calibration.map((c) => JSON.stringify(c)).join('\n')}\n`,
  );

  log(`fitting calibration artefacts and the market blends on ${calibration.length} training races...`);
  const artefactVersion = `cal-${modelVersion}`;
  const fitted = fitCalibrationArtefacts(calibration, { version: artefactVersion, untilRaceId: String(cut) });
  const blendRaces: RichBlendRace[] = calibration.flatMap((c) => {
    const market = marketProbabilities(c.input.runners.map((r) => c.marketOdds[r.horseId] ?? undefined));
    const winner = c.input.runners.findIndex((r) => r.horseId === c.winnerHorseId);
    return market && winner >= 0 ? [{ runners: c.input.runners, market, winner }] : [];
  });
  const richBlend = fitMarketStage(blendRaces, opts);
  const artefacts = CalibrationArtefactsSchema.parse({
    ...fitted,
    richBlend: {
      ...richBlend.blend,
      source: `cross-fitted quant scores and evidence LRs (${folds} time blocks) on training races before ${cut}`,
    },
  });
  const artefactFile = join(dirs.artefacts, `calibration-${artefactVersion}.json`);
  writeFileSync(artefactFile, `${JSON.stringify(artefacts)}\n`);
  writeFileSync(
    join(dirs.artefacts, 'current.json'),
    `${JSON.stringify({ file: `calibration-${artefactVersion}.json` })}\n`,
  );
  return {
    pars,
    meta,
    metaFile,
    evidence,
    evidenceFile,
    artefacts,
    artefactFile,
    calibrationRaces: calibration.length,
    richTerms: richBlend.blend.terms,
    ...(richBlend.stacked ? { stacked: richBlend.stacked } : {}),
  };
}

/**
 * The market stage (SPEC 6.4): the one-stage blend on fixed terms ('base', 'extended' at richL2), or
 * the stacked second stage with its terms and L2 chosen by time-blocked CV inside these training
 * races. A blend with extended terms carries a base-term fallback fitted on the same races.
 */
function fitMarketStage(
  blendRaces: RichBlendRace[],
  opts: FitOptions,
): {
  // Checked when CalibrationArtefactsSchema parses the artefact it goes into.
  blend: { terms: { name: RichBlendTerm; coef: number }[] } & Record<string, unknown>;
  stacked?: StackedFit;
} {
  if (opts.richTerms === 'stacked') {
    const stacked = fitStackedStage(blendRaces, { folds: opts.folds });
    const { l2 } = stacked.choice;
    const terms = stacked.terms.map(({ name, coef }) => ({ name, coef }));
    const needsFallback = terms.some((t) =>
      (RICH_BLEND_EXTENDED_TERMS as readonly string[]).includes(t.name),
    );
    const fallback = needsFallback ? fitRichBlend(blendRaces, l2) : null;
    opts.log(
      `stacked stage: ${stacked.choice.candidate} at L2 ${l2} (CV ${stacked.cv.races} races): ${terms.map((t) => `${t.name} ${t.coef.toFixed(3)}`).join(', ')}`,
    );
    return {
      blend: {
        kind: 'conditional-logit',
        terms,
        races: stacked.races,
        l2,
        ...(fallback ? { fallback: { terms: fallback.terms, races: fallback.races } } : {}),
        stacked: {
          candidate: stacked.choice.candidate,
          se: Object.fromEntries(stacked.terms.map((t) => [t.name, t.se])),
          cv: stacked.cv,
        },
      },
      stacked,
    };
  }
  const base = fitRichBlend(blendRaces, opts.richL2);
  const rich = opts.richTerms === 'extended' ? fitRichBlend(blendRaces, opts.richL2, EXTENDED) : base;
  return {
    blend: {
      kind: 'conditional-logit',
      terms: rich.terms,
      races: rich.races,
      l2: opts.richL2,
      ...(rich === base ? {} : { fallback: { terms: base.terms, races: base.races } }),
    },
  };
}
