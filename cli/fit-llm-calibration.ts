import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadEnv } from '../config/env.js';
import { readHkRaces } from '../import/hk-reader.js';
import { PROMPT_VERSION } from '../llm/prompt.js';
import { askLlmOnRaces, calibrationRaces, readAnswers, type AnsweredRace } from '../models/llm/answers.js';
import {
  DEFAULT_L2,
  fitLlmCalibration,
  LLM_MODELS_DIR,
  llmCalibrationFile,
} from '../models/llm/calibration.js';
import { sampleEvery } from '../models/llm/sample.js';
import { openCliLlm } from './llm-session.js';
import { positiveInt } from './options.js';

const program = new Command()
  .name('fit:llm-calibration')
  .description(
    'Ask the configured LLM analyst (LLM_LOCAL=true: the local model server) about a sample of training races, ' +
      'then fit one slope per evidence group on ln(LR) against the winners (conditional logit, L2 towards 0) and ' +
      'write models/llm/calibration-<model>-<prompt version>.json',
  )
  .option('--data <dir>', 'folder holding races.csv and runs.csv (Kaggle HK format)', loadEnv().HK_DATA_DIR)
  .option('--train-until-race-id <n>', 'only races with race_id < n are asked about', positiveInt, 5079)
  .option(
    '--races <n>',
    'races in the sample, spread evenly over the --span training races before the cut',
    positiveInt,
    50,
  )
  .option('--span <n>', 'how many race ids before the cut the sample is drawn from', positiveInt, 2000)
  .option('--l2 <x>', 'L2 penalty towards 0 on the slopes', Number, DEFAULT_L2)
  .option(
    '--answers <file>',
    'JSONL cache of the answers (resumable); default data/llm-answers/train-<model>-<prompt>.jsonl',
  )
  .option('--out-dir <dir>', 'where the calibration is written', LLM_MODELS_DIR)
  .option(
    '--refit <model>',
    'ask nothing: fit on the answers already in --answers for this model (e.g. another --l2, or a run stopped early)',
  )
  .parse();
const opts = program.opts<{
  data: string;
  trainUntilRaceId: number;
  races: number;
  span: number;
  l2: number;
  answers?: string;
  outDir: string;
  refit?: string;
}>();

const answersFile = (model: string): string =>
  opts.answers ?? join(loadEnv().DATA_DIR, 'llm-answers', `train-${model}-${PROMPT_VERSION}.jsonl`);

function fitAndWrite(model: string, answers: AnsweredRace[], file: string): void {
  const cal = fitLlmCalibration(calibrationRaces(answers), {
    model,
    promptVersion: PROMPT_VERSION,
    trainUntilRaceId: opts.trainUntilRaceId,
    racesAsked: answers.length,
    l2: opts.l2,
  });
  mkdirSync(opts.outDir, { recursive: true });
  const out = llmCalibrationFile(opts.outDir, model, PROMPT_VERSION);
  writeFileSync(out, `${JSON.stringify(cal, null, 1)}\n`);
  console.log(`${answers.filter((a) => a.ok).length}/${answers.length} answers valid; answers in ${file}`);
  console.log(`slopes ${JSON.stringify(cal.slopes)} (SE ${JSON.stringify(cal.standardErrors)})`);
  console.log(
    `train log loss per race: fitted ${cal.trainLogLoss.fitted}, neutral ${cal.trainLogLoss.neutral}`,
  );
  console.log(`wrote ${out}`);
}

if (opts.refit) {
  const model = opts.refit;
  const file = answersFile(model);
  const answers = readAnswers(file).filter(
    (a) => a.model === model && a.promptVersion === PROMPT_VERSION && a.raceNumericId < opts.trainUntilRaceId,
  );
  if (answers.length === 0) throw new Error(`no answers of ${model}/${PROMPT_VERSION} in ${file}`);
  fitAndWrite(model, answers, file);
} else {
  const llm = await openCliLlm((l) => console.log(l), { calibrated: false });
  try {
    const model = llm.config.model;
    const file = answersFile(model);
    const pick = sampleEvery(opts.trainUntilRaceId - opts.span, opts.trainUntilRaceId, opts.races);
    const answers = await askLlmOnRaces(readHkRaces(opts.data), {
      pick: (race) => pick(race.raceNumericId),
      analyst: llm.analyst,
      model,
      promptVersion: PROMPT_VERSION,
      file,
      onRace: (a, cached) =>
        console.log(
          `${a.raceNumericId} ${a.ok ? 'ok' : 'FAILED'} ${cached ? '(cached)' : `${Math.round(a.ms)} ms, ${a.inputTokens}+${a.outputTokens} tokens`}${a.error ? ` ${a.error}` : ''}`,
        ),
    });
    fitAndWrite(model, answers, file);
  } finally {
    await llm.stop();
  }
}
