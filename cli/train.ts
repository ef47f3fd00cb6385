import { mkdirSync } from 'node:fs';
import { loadEnv } from '../config/env.js';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { readHkRaces, type HkReadSummary } from '../import/hk-reader.js';
import { appendExperiment, formatComparison } from '../models/training/experiment-log.js';
import { fitAllModels } from '../models/training/fit-all.js';
import { ensureVenv } from '../models/training/python.js';
import { FEATURE_VERSION } from '../models/features/definitions.js';
import { formatSkipped } from '../schemas/validate-races.js';
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
  .option(
    '--trials <n>',
    'Optuna trials for the boosted member (searched on the training window only)',
    positiveInt,
    12,
  )
  .option(
    '--rich-terms <set>',
    'market stage: "stacked" (terms and L2 chosen by time-blocked CV on the training races), "base" (market, ' +
      'quant, LR product, matrix) or "extended" (market, the four group log-LRs and the quant members; a ' +
      'base-term fallback is fitted beside the extended ones)',
    'stacked',
  )
  .option('--rich-l2 <x>', 'ridge penalty of the one-stage blend (every term but ln_market)', Number, 1)
  .option(
    '--experiment-log <file>',
    'the JSONL experiment log this run is appended to',
    join(REPO, 'results', 'experiments.jsonl'),
  )
  .parse();

const opts = program.opts<{
  data: string;
  trainUntilRaceId: number;
  workDir: string;
  folds: number;
  trials: number;
  richTerms: string;
  richL2: number;
  experimentLog: string;
}>();
if (opts.richTerms !== 'base' && opts.richTerms !== 'extended' && opts.richTerms !== 'stacked')
  throw new Error(`--rich-terms must be stacked, base or extended, not ${opts.richTerms}`);
if (!(opts.richL2 >= 0)) throw new Error(`--rich-l2 must be a number >= 0`);
const cut = opts.trainUntilRaceId;
const started = performance.now();
const log = (line: string): void => console.log(line);
const rel = (p: string): string => relative(process.cwd(), p);
mkdirSync(opts.workDir, { recursive: true });

log(`reading ${opts.data}`);
const summary: HkReadSummary = { races: 0, skipped: [] };
const hkRaces = [...readHkRaces(opts.data, summary)];
for (const s of summary.skipped) log(formatSkipped(s));

const quantDir = join(REPO, 'models', 'quant');
const modelsDirs = {
  quant: quantDir,
  qual: join(REPO, 'models', 'qual'),
  artefacts: join(REPO, 'models', 'artefacts'),
  work: opts.workDir,
};
const python = ensureVenv(log);
const bar = new SingleBar({ format: 'features  [{bar}] {value}/{total} races' }, Presets.shades_classic);
bar.start(hkRaces.length, 0);
const fit = fitAllModels(hkRaces, modelsDirs, {
  cut,
  folds: opts.folds,
  trials: opts.trials,
  richTerms: opts.richTerms,
  richL2: opts.richL2,
  python,
  measureHeldOut: true,
  log: (line) => {
    bar.stop();
    log(line);
  },
  onFeatureRace: () => bar.increment(),
});
const { meta, artefacts } = fit;

const h = meta.metrics.heldOut;
const member = (name: string): string => h?.members[name]?.pseudoR2.toFixed(4) ?? 'n/a';
const seconds = ((performance.now() - started) / 1000).toFixed(1);
log(`
quant ensemble   ${meta.members.map((m) => rel(join(quantDir, m.onnxFile))).join(', ')} (+ ${rel(fit.metaFile)}, parity fixture)
speed pars       ${rel(join(quantDir, `pars-${fit.pars.version}.json`))}
feature defs     ${rel(join(quantDir, `features-${FEATURE_VERSION}.json`))}
evidence model   ${rel(fit.evidenceFile)}
calibration      ${rel(fit.artefactFile)} (two-stage blend alpha ${artefacts.marketBlend?.alpha.toFixed(3) ?? 'n/a'}, beta ${artefacts.marketBlend?.beta.toFixed(3) ?? 'n/a'}; one-stage ${fit.richTerms.map((t) => `${t.name} ${t.coef.toFixed(3)}`).join(', ')})
calibration set  ${rel(join(opts.workDir, 'calibration-races.jsonl'))} (${fit.calibrationRaces} races, cross-fitted, ${opts.folds} folds)
training races   ${meta.trainingRaces} (race_id < ${cut})
pseudo R^2       ${h ? `held out ensemble ${h.model.pseudoR2.toFixed(4)} (clogit ${member('clogit')}, lgbm ${member('lgbm')}) | market ${h.market ? h.market.pseudoR2.toFixed(4) : 'n/a'}` : 'no held-out races'}
pool weights     ${Object.entries(meta.pool.weights)
  .map(([k, v]) => `${k} ${v.toFixed(3)}`)
  .join(', ')}
cross-fitted training pseudo R^2 ${meta.metrics.crossFittedTraining.model.pseudoR2.toFixed(4)}
done in ${seconds} s`);

const lastRaceId = Math.max(...hkRaces.map((r) => r.raceNumericId));
const comparison = appendExperiment(opts.experimentLog, {
  at: new Date().toISOString(),
  kind: 'train',
  data: {
    source: basename(resolve(opts.data)),
    trainUntilRaceId: cut,
    trainingRaces: meta.trainingRaces,
    ...(h ? { scoredFrom: cut, scoredTo: lastRaceId } : {}),
  },
  params: { folds: opts.folds, trials: opts.trials, richTerms: opts.richTerms, richL2: opts.richL2 },
  cv: {
    quantPseudoR2: meta.metrics.crossFittedTraining.model.pseudoR2,
    ...(fit.stacked
      ? { stacked: { ...fit.stacked.choice, terms: fit.stacked.terms, table: fit.stacked.cv.table } }
      : {}),
  },
  ...(h ? { heldOut: { quantPseudoR2: h.model.pseudoR2, marketPseudoR2: h.market?.pseudoR2 ?? null } } : {}),
  seconds: Number(seconds),
});
log(`appended to ${rel(opts.experimentLog)}\n${formatComparison(comparison)}`);
