/**
 * Writes the quant trainer's feature matrix for the races before a cut, once, for the feature
 * experiments of models/training/feature_cv.py (forward-chained CV inside that window). Same code path
 * as `train`: pars fitted on the races before the cut, then the chronological collector. Nothing at or
 * after the cut is read, so choices made on this file never see the scored test period.
 *
 *   npx tsx models/training/dump-features.ts --data ../shared/data/hkracing --cut 5079 --out data/exp/cut5079.csv
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { positiveInt } from '../../cli/options.js';
import { loadEnv } from '../../config/env.js';
import { readHkRaces } from '../../import/hk-reader.js';
import { FEATURE_VERSION } from '../features/definitions.js';
import { fitSpeedPars } from '../features/pars.js';
import { collectTrainingData, featureMatrixCsv } from './collect.js';

const opts = new Command()
  .requiredOption('--cut <raceId>', 'use races with race_id below this only', positiveInt)
  .requiredOption('--out <file>', 'CSV to write (the format train_quant.py reads)')
  .option('--data <dir>', 'folder holding races.csv and runs.csv', loadEnv().HK_DATA_DIR)
  .parse()
  .opts<{ cut: number; out: string; data: string }>();

const before = [...readHkRaces(opts.data)].filter((r) => r.raceNumericId < opts.cut);
const pars = fitSpeedPars(before, opts.cut, `${FEATURE_VERSION}-cut${opts.cut}`);
const { races, featureNames } = collectTrainingData(before, pars);
writeFileSync(opts.out, featureMatrixCsv(races, featureNames));
console.log(`${opts.out}: ${races.length} races, ${featureNames.length} features (${FEATURE_VERSION})`);
