import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { FEATURE_DEFINITIONS, FEATURE_VERSION } from '../models/features/definitions.js';
import { readHkRaces, type HkReadSummary } from '../models/hk/reader.js';
import { assembleQuantRunners } from '../models/quant/assemble.js';
import { loadQuantMetadata } from '../models/quant/metadata.js';
import { analyseEvidence } from '../models/qual/analyse.js';
import { fitEvidenceModel } from '../models/qual/fit.js';
import { calibrationRace } from '../models/training/calibration-races.js';
import { collectTrainingData, featureMatrixCsv } from '../models/training/collect.js';
import { ensureVenv, runQuantTrainer } from '../models/training/python.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const program = new Command()
  .name('train')
  .description('Fit the quantitative ONNX model and the qualitative evidence model on HK races before a cut race id')
  .option('--data <dir>', 'folder holding races.csv and runs.csv', join(REPO, '..', 'shared', 'data', 'hkracing'))
  .option('--train-until-race-id <n>', 'fit on races with race_id below this (the rest is held out)', positiveInt, 5079)
  .option('--work-dir <dir>', 'git-ignored folder for the feature matrix and calibration races', join(REPO, 'data', 'train'))
  .option('--folds <n>', 'chronological folds for cross-fitted training probabilities', positiveInt, 4)
  .parse();

const opts = program.opts<{ data: string; trainUntilRaceId: number; workDir: string; folds: number }>();
const cut = opts.trainUntilRaceId;
const started = performance.now();
const log = (line: string): void => console.log(line);
const rel = (p: string): string => relative(process.cwd(), p);
mkdirSync(opts.workDir, { recursive: true });

log(`reading ${opts.data}`);
const summary: HkReadSummary = { races: 0, skipped: [] };
const hkRaces = [...readHkRaces(opts.data, summary)];
for (const s of summary.skipped) log(`skipped race ${s.raceId}: ${s.reason}`);

const bar = new SingleBar({ format: 'features  [{bar}] {value}/{total} races' }, Presets.shades_classic);
bar.start(hkRaces.length, 0);
const { races, featureNames } = collectTrainingData(hkRaces, () => bar.increment());
bar.stop();

const quantDir = join(REPO, 'models', 'quant');
const qualDir = join(REPO, 'models', 'qual');
const featuresFile = join(quantDir, `features-${FEATURE_VERSION}.json`);
writeFileSync(featuresFile, `${JSON.stringify({ version: FEATURE_VERSION, features: FEATURE_DEFINITIONS }, null, 1)}\n`);
const matrixFile = join(opts.workDir, 'features.csv');
writeFileSync(matrixFile, featureMatrixCsv(races, featureNames));
log(`wrote ${rel(matrixFile)} (${races.length} races)`);

const modelVersion = `clogit-${FEATURE_VERSION}-cut${cut}`;
const oofFile = join(opts.workDir, 'oof-scores.csv');
log('training the conditional logit (Python)...');
runQuantTrainer(ensureVenv(log), {
  matrix: matrixFile,
  cut,
  'out-dir': quantDir,
  'model-version': modelVersion,
  'feature-version': FEATURE_VERSION,
  'oof-out': oofFile,
  folds: opts.folds,
});
const metaFile = join(quantDir, `quant-${modelVersion}.json`);
const meta = loadQuantMetadata(metaFile);
writeFileSync(join(quantDir, 'current.json'), `${JSON.stringify({ modelVersion, metadataFile: `quant-${modelVersion}.json` }, null, 1)}\n`);

const training = races.filter((r) => r.raceNumericId < cut);
const evidence = fitEvidenceModel(
  training.flatMap((r) => r.evidence.map((e) => ({ raceId: r.raceId, evidence: e, won: r.winners.includes(e.horseId) }))),
  { trainUntilRaceId: cut, races: training.length },
);
const evidenceFile = join(qualDir, `evidence-${evidence.version}.json`);
writeFileSync(evidenceFile, `${JSON.stringify(evidence, null, 1)}\n`);

// Cross-fitted scores exist for single-winner training races only (the trainer skips dead heats).
const oof = new Map<string, Map<string, number>>();
for (const line of readFileSync(oofFile, 'utf8').trim().split('\n').slice(1)) {
  const [raceId = '', horseId = '', score = ''] = line.split(',');
  const m = oof.get(raceId) ?? new Map<string, number>();
  m.set(horseId, Number(score));
  oof.set(raceId, m);
}
const calibrationLines: string[] = [];
for (const race of training) {
  const scores = oof.get(race.raceId);
  if (!scores || race.winners.length !== 1) continue;
  const quant = assembleQuantRunners(race.horseIds, race.features, race.horseIds.map((id) => scores.get(id) ?? 0), meta, race.placesPaid);
  calibrationLines.push(JSON.stringify(calibrationRace(race, quant, analyseEvidence(race.evidence, evidence))));
}
const calibrationFile = join(opts.workDir, 'calibration-races.jsonl');
writeFileSync(calibrationFile, `${calibrationLines.join('\n')}\n`);

const h = meta.metrics.heldOut;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
log(`
quant model      ${rel(join(quantDir, meta.onnxFile))} (+ .json, parity fixture)
feature defs     ${rel(featuresFile)}
evidence model   ${rel(evidenceFile)}
calibration set  ${rel(calibrationFile)} (${calibrationLines.length} races, cross-fitted quant probabilities, ${opts.folds} folds)
training races   ${meta.trainingRaces} (race_id < ${cut})
held-out races   ${h.model.races} (race_id >= ${cut}, single winner)
pseudo R^2       quant ${h.model.pseudoR2.toFixed(4)} | market ${h.market ? h.market.pseudoR2.toFixed(4) : 'n/a'}
log loss         quant ${h.model.logLoss.toFixed(4)} | market ${h.market ? h.market.logLoss.toFixed(4) : 'n/a'} | uniform ${h.model.uniformLogLoss.toFixed(4)}
cross-fitted training pseudo R^2 ${meta.metrics.crossFittedTraining.model.pseudoR2.toFixed(4)}
done in ${seconds} s`);
