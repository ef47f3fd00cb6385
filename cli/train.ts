import { loadEnv } from '../config/env.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import {
  CalibrationArtefactsSchema,
  fitCalibrationArtefacts,
  fitRichBlend,
  marketProbabilities,
  type RichBlendRace,
  type RichBlendTerm,
} from '../agents/index.js';
import { FEATURE_DEFINITIONS, FEATURE_VERSION } from '../models/features/definitions.js';
import { fitSpeedPars } from '../models/features/pars.js';
import { readHkRaces, type HkReadSummary } from '../import/hk-reader.js';
import { assembleQuantRunners } from '../models/quant/assemble.js';
import { loadQuantMetadata } from '../models/quant/metadata.js';
import { analyseEvidence } from '../models/qual/analyse.js';
import { fitEvidenceModel } from '../models/qual/fit.js';
import { calibrationRace, type CalibrationRace } from '../models/training/calibration-races.js';
import { collectTrainingData, featureMatrixCsv, type TrainingRace } from '../models/training/collect.js';
import { ensureVenv, runQuantTrainer } from '../models/training/python.js';
import { positiveInt } from './options.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const program = new Command()
  .name('train')
  .description(
    'Refit every model and artefact on HK races before a cut race id: speed pars, the quantitative ONNX ensemble, ' +
      'the evidence model, the calibration artefacts and the market blends; the current.json pointers move to them',
  )
  .option('--data <dir>', 'folder holding races.csv and runs.csv', loadEnv().HK_DATA_DIR)
  .option(
    '--train-until-race-id <n>',
    'fit on races with race_id below this (the rest is held out)',
    positiveInt,
    5079,
  )
  .option(
    '--work-dir <dir>',
    'git-ignored folder for the feature matrix and calibration races',
    join(REPO, 'data', 'train'),
  )
  .option('--folds <n>', 'chronological folds for cross-fitted training probabilities', positiveInt, 4)
  .option('--rounds <n>', 'boosting rounds of the LightGBM ranker', positiveInt, 400)
  .option(
    '--rich-terms <set>',
    'one-stage blend terms: "base" (market, quant, LR product, matrix) or "extended" (market, the four group ' +
      'log-LRs and the quant members; a base-term fallback is fitted beside it)',
    'base',
  )
  .option('--rich-l2 <x>', 'ridge penalty of the one-stage blend (every term but ln_market)', Number, 1)
  .parse();

const opts = program.opts<{
  data: string;
  trainUntilRaceId: number;
  workDir: string;
  folds: number;
  rounds: number;
  richTerms: string;
  richL2: number;
}>();
if (opts.richTerms !== 'base' && opts.richTerms !== 'extended')
  throw new Error(`--rich-terms must be base or extended, not ${opts.richTerms}`);
if (!(opts.richL2 >= 0)) throw new Error(`--rich-l2 must be a number >= 0`);
const cut = opts.trainUntilRaceId;
const started = performance.now();
const log = (line: string): void => console.log(line);
const rel = (p: string): string => relative(process.cwd(), p);
const writeJson = (file: string, value: unknown): void =>
  writeFileSync(file, `${JSON.stringify(value, null, 1)}\n`);
mkdirSync(opts.workDir, { recursive: true });

log(`reading ${opts.data}`);
const summary: HkReadSummary = { races: 0, skipped: [] };
const hkRaces = [...readHkRaces(opts.data, summary)];
for (const s of summary.skipped) log(`skipped race ${s.raceId}: ${s.reason}`);

const quantDir = join(REPO, 'models', 'quant');
const qualDir = join(REPO, 'models', 'qual');
const artefactDir = join(REPO, 'models', 'artefacts');
const pars = fitSpeedPars(hkRaces, cut, `${FEATURE_VERSION}-cut${cut}`);
const parsFile = `pars-${pars.version}.json`;
writeJson(join(quantDir, parsFile), pars);

const bar = new SingleBar({ format: 'features  [{bar}] {value}/{total} races' }, Presets.shades_classic);
bar.start(hkRaces.length, 0);
const { races, featureNames } = collectTrainingData(hkRaces, pars, () => bar.increment());
bar.stop();

const featuresFile = join(quantDir, `features-${FEATURE_VERSION}.json`);
writeJson(featuresFile, { version: FEATURE_VERSION, features: FEATURE_DEFINITIONS });
const matrixFile = join(opts.workDir, 'features.csv');
writeFileSync(matrixFile, featureMatrixCsv(races, featureNames));
log(`wrote ${rel(matrixFile)} (${races.length} races)`);

const modelVersion = `ens-${FEATURE_VERSION}-cut${cut}`;
const oofFile = join(opts.workDir, 'oof-scores.csv');
log('training the conditional logit and the LightGBM ranker (Python)...');
runQuantTrainer(ensureVenv(log), {
  matrix: matrixFile,
  cut,
  'out-dir': quantDir,
  'model-version': modelVersion,
  'feature-version': FEATURE_VERSION,
  'pars-file': parsFile,
  'oof-out': oofFile,
  folds: opts.folds,
  rounds: opts.rounds,
});
const metaFile = join(quantDir, `quant-${modelVersion}.json`);
const meta = loadQuantMetadata(metaFile);
writeJson(join(quantDir, 'current.json'), { modelVersion, metadataFile: `quant-${modelVersion}.json` });

const training = races.filter((r) => r.raceNumericId < cut);
const samplesOf = (rs: TrainingRace[]) =>
  rs.flatMap((r) =>
    r.evidence.map((e) => ({ raceId: r.raceId, evidence: e, won: r.winners.includes(e.horseId) })),
  );
const evidence = fitEvidenceModel(samplesOf(training), { trainUntilRaceId: cut, races: training.length });
const evidenceFile = join(qualDir, `evidence-${evidence.version}.json`);
writeJson(evidenceFile, evidence);
writeFileSync(
  join(qualDir, 'current.json'),
  `${JSON.stringify({ file: `evidence-${evidence.version}.json` })}\n`,
);

// Everything fitted from here on sees out-of-sample inputs only: the quant scores are cross-fitted by
// the trainer, and the evidence tables are refitted per time block on the other blocks.
const blockOf = (j: number): number =>
  Math.min(opts.folds - 1, Math.floor((j * opts.folds) / training.length));
const evidenceByBlock = Array.from({ length: opts.folds }, (_, k) =>
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
  const scores = oof.get(race.raceId);
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
const calibrationFile = join(opts.workDir, 'calibration-races.jsonl');
writeFileSync(calibrationFile, `${calibration.map((c) => JSON.stringify(c)).join('\n')}\n`);

log(`fitting calibration artefacts and the market blends on ${calibration.length} training races...`);
const artefactVersion = `cal-${modelVersion}`;
const fitted = fitCalibrationArtefacts(calibration, { version: artefactVersion, untilRaceId: String(cut) });
const blendRaces: RichBlendRace[] = calibration.flatMap((c) => {
  const market = marketProbabilities(c.input.runners.map((r) => c.marketOdds[r.horseId] ?? undefined));
  const winner = c.input.runners.findIndex((r) => r.horseId === c.winnerHorseId);
  return market && winner >= 0 ? [{ runners: c.input.runners, market, winner }] : [];
});
const RICH_L2 = opts.richL2;
// The extended set (SPEC 6.4): the four qualitative group log-LRs and the quant members' log-probabilities
// replace the LR product and the pooled quant probability (the pool is log-linear in the members, so
// ln_quant would be collinear with them); the matrix terms are left out to keep the terms few.
const EXTENDED: RichBlendTerm[] = [
  'ln_market',
  'ln_market_sq',
  'ln_lr_form',
  'ln_lr_conditions',
  'ln_lr_tactics',
  'ln_lr_context',
  'ln_clogit',
  'ln_lgbm',
];
const base = fitRichBlend(blendRaces, RICH_L2);
const rich = opts.richTerms === 'extended' ? fitRichBlend(blendRaces, RICH_L2, EXTENDED) : base;
const artefacts = CalibrationArtefactsSchema.parse({
  ...fitted,
  richBlend: {
    kind: 'conditional-logit',
    terms: rich.terms,
    races: rich.races,
    l2: RICH_L2,
    source: `cross-fitted quant scores and evidence LRs (${opts.folds} time blocks) on training races before ${cut}`,
    ...(rich === base ? {} : { fallback: { terms: base.terms, races: base.races } }),
  },
});
const artefactFile = join(artefactDir, `calibration-${artefactVersion}.json`);
writeFileSync(artefactFile, `${JSON.stringify(artefacts)}\n`);
writeFileSync(
  join(artefactDir, 'current.json'),
  `${JSON.stringify({ file: `calibration-${artefactVersion}.json` })}\n`,
);

const h = meta.metrics.heldOut;
const member = (name: string): string => h.members[name]?.pseudoR2.toFixed(4) ?? 'n/a';
const seconds = ((performance.now() - started) / 1000).toFixed(1);
log(`
quant ensemble   ${meta.members.map((m) => rel(join(quantDir, m.onnxFile))).join(', ')} (+ ${rel(metaFile)}, parity fixture)
speed pars       ${rel(join(quantDir, parsFile))}
feature defs     ${rel(featuresFile)}
evidence model   ${rel(evidenceFile)}
calibration      ${rel(artefactFile)} (two-stage blend alpha ${artefacts.marketBlend?.alpha.toFixed(3) ?? 'n/a'}, beta ${artefacts.marketBlend?.beta.toFixed(3) ?? 'n/a'}; one-stage ${rich.terms.map((t) => `${t.name} ${t.coef.toFixed(3)}`).join(', ')})
calibration set  ${rel(calibrationFile)} (${calibration.length} races, cross-fitted, ${opts.folds} folds)
training races   ${meta.trainingRaces} (race_id < ${cut})
held-out races   ${h.model.races} (race_id >= ${cut}, single winner)
pseudo R^2       ensemble ${h.model.pseudoR2.toFixed(4)} (clogit ${member('clogit')}, lgbm ${member('lgbm')}) | market ${h.market ? h.market.pseudoR2.toFixed(4) : 'n/a'}
pool weights     ${Object.entries(meta.pool.weights)
  .map(([k, v]) => `${k} ${v.toFixed(3)}`)
  .join(', ')}
cross-fitted training pseudo R^2 ${meta.metrics.crossFittedTraining.model.pseudoR2.toFixed(4)}
done in ${seconds} s`);
