import { loadEnv } from '../config/env.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { errorMap } from '../agents/error-map.js';
import { renderContributions, type Contributions } from '../backtest/contributions.js';
import { backtestBook, bookMetrics, bookRacesFromReplay } from '../backtest/book.js';
import { errorMapRacesFromReplay, renderErrorMap } from '../backtest/error-map-report.js';
import { backtestMetrics, type BacktestMetrics } from '../backtest/metrics.js';
import { llmQualStep, renderSideBySide, sideBySide, type QualCall } from '../backtest/llm-side-by-side.js';
import { replayInProcess, type ReplayDeps, type ReplayedRace } from '../backtest/replay.js';
import { renderReport } from '../backtest/report.js';
import { replayOnTemporal } from '../backtest/temporal.js';
import { renderWalkForwardSection } from '../backtest/walk-forward-report.js';
import { runWalkForward, walkForwardBlocks, type BlockSummary } from '../backtest/walk-forward.js';
import { readHkRaces, type HkReadSummary } from '../import/hk-reader.js';
import { formatSkipped, type SkippedRace } from '../schemas/validate-races.js';
import type { HkRace } from '../models/hk/types.js';
import { QuantScorer } from '../models/quant/scorer.js';
import { formatComparison } from '../models/training/experiment-log.js';
import { ensureVenv } from '../models/training/python.js';
import { loadCalibrationArtefacts, loadEvidenceAnalyst } from '../worker/deps.js';
import { PROMPT_VERSION } from '../llm/prompt.js';
import { openCliLlm } from './llm-session.js';
import { positiveInt } from './options.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const program = new Command()
  .name('backtest')
  .description(
    'Replay HK races from a race id through the prediction pipeline and measure the probabilities against the ' +
      'results and the market (OUTDIR/metrics.json, OUTDIR/report.md with SVG charts): with the shipped models, ' +
      'or --walk-forward, refitting every model before each block of races',
  )
  .option('--data <dir>', 'folder holding races.csv and runs.csv (Kaggle HK format)', loadEnv().HK_DATA_DIR)
  .option(
    '--test-from-race-id <n>',
    'score races with race_id >= n; earlier races are history only',
    positiveInt,
    5079,
  )
  .option('--out <dir>', 'output folder', join(REPO, 'data', 'backtest'))
  .option(
    '--temporal',
    'run every race through raceWorkflow on the embedded stack instead of in process',
    false,
  )
  .option('--limit <n>', 'score at most n test races (smoke runs)', positiveInt)
  .option(
    '--strict',
    'fail when any race is malformed or invalid (default: skip it and list it in metrics.json)',
  )
  .addOption(
    new Option('--distance-unit <unit>', 'races.csv distance unit').choices(['m', 'furlongs']).default('m'),
  )
  .addOption(
    new Option(
      '--qual <analyst>',
      'llm: score the same races a second time with the LLM analyst (LLM_LOCAL=true or LLM_BASE_URL) and write side-by-side.md',
    )
      .choices(['evidence', 'llm'])
      .default('evidence'),
  )
  .option(
    '--answers <file>',
    '--qual llm: JSONL cache of the LLM calls (resumable); default data/llm-answers/test-<model>-<prompt>-<calibration>.jsonl',
  )
  .option('--walk-forward', 'refit every model on the races before each block, then score the block', false)
  .option('--from-race-id <n>', 'walk-forward: the first scored race id', positiveInt, 1500)
  .option('--step <n>', 'walk-forward: races per block', positiveInt, 500)
  .option('--folds <n>', 'walk-forward: time-blocked folds inside each training window', positiveInt, 4)
  .option(
    '--trials <n>',
    'walk-forward: Optuna trials for the boosted member, searched once on the first training window and reused',
    positiveInt,
    12,
  )
  .addOption(
    new Option('--market-stage <set>', 'walk-forward: the market stage fitted per block (see npm run train)')
      .choices(['stacked', 'base', 'extended'])
      .default('stacked'),
  )
  .option(
    '--experiment-log <file>',
    'walk-forward: the JSONL experiment log each refit is appended to',
    join(REPO, 'results', 'experiments.jsonl'),
  )
  .parse();

const opts = program.opts<{
  data: string;
  testFromRaceId: number;
  out: string;
  temporal: boolean;
  limit?: number;
  strict?: boolean;
  distanceUnit: 'm' | 'furlongs';
  qual: 'evidence' | 'llm';
  answers?: string;
  walkForward: boolean;
  fromRaceId: number;
  step: number;
  folds: number;
  trials: number;
  marketStage: 'stacked' | 'base' | 'extended';
  experimentLog: string;
}>();

const line = (metrics: BacktestMetrics, name: 'market' | 'quant' | 'fused' | 'final'): string =>
  `${name.padEnd(7)} pseudo R^2 ${metrics[name].pseudoR2.toFixed(4)}  log loss ${metrics[name].logLoss.toFixed(4)}  ECE ${metrics[name].ece.toFixed(4)}  top-1 ${(metrics[name].top1 * 100).toFixed(1)}%  flat ROI ${(metrics[name].betting.flatRoi * 100).toFixed(1)}% (${metrics[name].betting.bets} bets)`;

/** Races the reader skipped (invalid or malformed), reported with every run's figures. */
let skipped: SkippedRace[] = [];

/** The one place where the scored races of a run become metrics.json, report.md and the console summary. */
function writeOutputs(
  replayed: ReplayedRace[],
  from: number,
  meta: { command: string; seconds: number; versions: string; mode: string },
  walk?: { blocks: BlockSummary[]; contributions: Contributions },
): void {
  const blocks = walk?.blocks;
  const metrics = backtestMetrics(replayed, from);
  const report = renderReport(metrics, replayed, meta);
  const wf = blocks ? renderWalkForwardSection(metrics, replayed, blocks) : null;
  const book = backtestBook(bookRacesFromReplay(replayed));
  const errors = errorMap(errorMapRacesFromReplay(replayed));
  const errorReport = renderErrorMap(errors, 'Error map (per module and odds band, scored period)');
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(
    join(opts.out, 'metrics.json'),
    `${JSON.stringify({ ...metrics, skipped, book: bookMetrics(book), errorMap: errors, mode: meta.mode, versions: meta.versions, seconds: meta.seconds, ...(walk ? walk : {}) }, null, 1)}\n`,
  );
  const sections = [
    report.markdown,
    ...(wf ? [wf.markdown] : []),
    ...(walk ? [renderContributions(walk.contributions)] : []),
    book.markdown,
    errorReport.markdown,
  ];
  writeFileSync(join(opts.out, 'report.md'), sections.join('\n'));
  for (const [name, svg] of Object.entries({
    ...report.charts,
    ...wf?.charts,
    ...book.charts,
    ...errorReport.charts,
  }))
    writeFileSync(join(opts.out, name), svg);
  console.log(
    [
      `${skipped.length} races skipped (listed above and in metrics.json)`,
      `${metrics.market.races} races scored (${metrics.excluded.noSingleWinner} without a single winner, ${metrics.excluded.incompleteMarketOdds} without complete odds left out)`,
      line(metrics, 'market'),
      line(metrics, 'quant'),
      line(metrics, 'fused'),
      line(metrics, 'final'),
      `final - market log loss ${metrics.final.vsMarket.deltaLogLoss.toFixed(4)} per race (paired SE ${metrics.final.vsMarket.pairedSE.toFixed(4)})`,
      ...book.policies.map(
        (p) =>
          `book ${p.name.padEnd(20)} ${String(p.bets).padStart(5)} bets  ROI ${(p.roi * 100).toFixed(1)}% [${(p.roiCI[0] * 100).toFixed(1)}, ${(p.roiCI[1] * 100).toFixed(1)}]  max DD ${(p.maxDrawdown * 100).toFixed(1)}%  final ${p.finalBankroll.toFixed(0)}`,
      ),
      `wrote ${join(opts.out, 'metrics.json')} and report.md in ${meta.seconds.toFixed(1)} s`,
    ].join('\n'),
  );
}

async function singleSplit(all: HkRace[], started: number): Promise<void> {
  const from = opts.testFromRaceId;
  if (opts.qual === 'llm' && opts.temporal)
    throw new Error('--qual llm replays in process (one LLM call at a time); leave out --temporal');
  const testIds = new Set(
    all
      .filter((r) => r.raceNumericId >= from)
      .slice(0, opts.limit ?? Number.POSITIVE_INFINITY)
      .map((r) => r.raceNumericId),
  );
  const races = all.filter((r) => r.raceNumericId < from || testIds.has(r.raceNumericId));
  const testCount = testIds.size;
  if (testCount === 0) throw new Error(`no race in ${opts.data} has race_id >= ${opts.testFromRaceId}`);

  const modelsDir = join(REPO, 'models');
  const quantModel = await QuantScorer.load();
  const evidenceAnalyst = loadEvidenceAnalyst(modelsDir);
  const artefacts = loadCalibrationArtefacts(modelsDir);
  const bar = new SingleBar(
    { format: `${opts.temporal ? 'workflows' : 'replay'}  [{bar}] {value}/{total} races` },
    Presets.shades_classic,
  );
  bar.start(opts.temporal ? testCount : races.length, 0);
  let replayed;
  try {
    try {
      replayed = opts.temporal
        ? await replayOnTemporal(races, opts.testFromRaceId, () => bar.increment())
        : await replayInProcess(races, opts.testFromRaceId, { quantModel, evidenceAnalyst, artefacts }, () =>
            bar.increment(),
          );
    } finally {
      bar.stop();
    }
    if (opts.qual === 'llm') await llmSideBySide(races, replayed, { quantModel, evidenceAnalyst, artefacts });
  } finally {
    await quantModel.release();
  }
  writeOutputs(replayed, from, {
    command: `npm run backtest -- --data ${opts.data} --test-from-race-id ${opts.testFromRaceId} --out ${opts.out}${opts.temporal ? ' --temporal' : ''}`,
    seconds: (performance.now() - started) / 1000,
    versions: `quant ${quantModel.modelVersion}, evidence ${evidenceAnalyst.version}, calibration ${artefacts?.version ?? 'none (identity)'}`,
    mode: opts.temporal ? 'temporal' : 'in-process',
  });
}

/** --qual llm: the same races again with the (calibrated) LLM analyst, one at a time, then side-by-side.md. */
async function llmSideBySide(races: HkRace[], evidenceRun: ReplayedRace[], deps: ReplayDeps): Promise<void> {
  const llm = await openCliLlm((l) => console.log(l), { calibrated: true });
  const calls: QualCall[] = [];
  const answers =
    opts.answers ??
    join(
      loadEnv().DATA_DIR,
      'llm-answers',
      `test-${llm.config.model}-${PROMPT_VERSION}-${llm.calibrationLabel}.jsonl`,
    );
  console.log(`LLM answers cached in ${answers} (a stopped run resumes from it)`);
  let llmRun: ReplayedRace[];
  try {
    llmRun = await replayInProcess(
      races,
      opts.testFromRaceId,
      { ...deps, analyseQual: llmQualStep(llm.analyst, deps.evidenceAnalyst, calls, answers) },
      (race) => {
        const c = calls.at(-1);
        if (race && c)
          console.log(
            `${race.raceNumericId} ${c.valid ? 'llm' : 'FALLBACK'} ${(c.ms / 1000).toFixed(1)} s ${c.inputTokens}+${c.outputTokens} tokens${c.absurd ? ' absurd' : ''}`,
          );
      },
    );
  } finally {
    await llm.stop();
  }
  const summary = sideBySide(evidenceRun, llmRun, calls);
  const command = `npm run backtest -- --data ${opts.data} --test-from-race-id ${opts.testFromRaceId} --qual llm${opts.limit ? ` --limit ${opts.limit}` : ''} --out ${opts.out}`;
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(
    join(opts.out, 'side-by-side.json'),
    `${JSON.stringify({ model: llm.config.model, command, ...summary, calls }, null, 1)}\n`,
  );
  const markdown = renderSideBySide(summary, { model: llm.config.model, command });
  writeFileSync(join(opts.out, 'side-by-side.md'), markdown);
  console.log(markdown);
}

async function walkForward(all: HkRace[], started: number): Promise<void> {
  if (opts.temporal) throw new Error('--walk-forward runs in process; leave out --temporal');
  if (opts.qual === 'llm') throw new Error('--qual llm scores the shipped models; leave out --walk-forward');
  const total = walkForwardBlocks(all, opts.fromRaceId, opts.step).reduce((s, b) => s + b.length, 0);
  if (total === 0) throw new Error(`no race in ${opts.data} has race_id >= ${opts.fromRaceId}`);
  const python = ensureVenv((l) => console.log(l));
  const bar = new SingleBar(
    { format: 'walk-forward  [{bar}] {value}/{total} races | block {block} | {stage}' },
    Presets.shades_classic,
  );
  bar.start(total, 0, { block: '-', stage: 'starting' });
  const comparisons: string[] = [];
  let result;
  try {
    result = await runWalkForward(all, {
      from: opts.fromRaceId,
      step: opts.step,
      out: opts.out,
      fit: {
        folds: opts.folds,
        trials: opts.trials,
        // Searched once on the first block's window (races before --from-race-id), reused after.
        quantParamsFile: join(opts.out, 'quant-params.json'),
        richTerms: opts.marketStage,
        richL2: 1,
        python,
        log: (l) => bar.update({ stage: l.slice(0, 60) }),
      },
      onBlockStart: (i, n, first, last) =>
        bar.update({ block: `${i + 1}/${n} (${first}-${last})`, stage: 'fitting' }),
      onRace: () => bar.increment({ stage: 'scoring' }),
      experimentLog: opts.experimentLog,
      source: basename(resolve(opts.data)),
      onExperiment: (c) => comparisons.push(formatComparison(c)),
    });
  } finally {
    bar.stop();
  }
  writeOutputs(
    result.races,
    opts.fromRaceId,
    {
      command: `npm run backtest -- --walk-forward --data ${opts.data} --from-race-id ${opts.fromRaceId} --step ${opts.step} --out ${opts.out}`,
      seconds: (performance.now() - started) / 1000,
      versions: `refitted per block (OUT/blocks/<first>-<last>/models), ${opts.folds} folds, ${opts.trials} search trials`,
      mode: 'walk-forward',
    },
    { blocks: result.blocks, contributions: result.contributions },
  );
  console.log([`refits appended to ${opts.experimentLog}`, ...comparisons].join('\n'));
}

async function main(): Promise<void> {
  const started = performance.now();
  const summary: HkReadSummary = { races: 0, skipped: [] };
  const all = [...readHkRaces(opts.data, summary, { strict: opts.strict, distanceUnit: opts.distanceUnit })];
  for (const s of summary.skipped) console.log(formatSkipped(s));
  skipped = summary.skipped;
  await (opts.walkForward ? walkForward(all, started) : singleSplit(all, started));
}

main().catch((err: unknown) => {
  console.error(`${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
});
