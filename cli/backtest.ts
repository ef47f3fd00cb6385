import { loadEnv } from '../config/env.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { backtestMetrics } from '../backtest/metrics.js';
import { replayInProcess } from '../backtest/replay.js';
import { renderReport } from '../backtest/report.js';
import { replayOnTemporal } from '../backtest/temporal.js';
import { readHkRaces, type HkReadSummary } from '../import/hk-reader.js';
import { QuantScorer } from '../models/quant/scorer.js';
import { loadCalibrationArtefacts, loadEvidenceAnalyst } from '../worker/deps.js';
import { positiveInt } from './options.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const program = new Command()
  .name('backtest')
  .description(
    'Replay HK races from a race id through the prediction pipeline with the shipped models and measure the probabilities ' +
      'against the results and the market (OUTDIR/metrics.json, OUTDIR/report.md with SVG charts)',
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
  .parse();

const opts = program.opts<{
  data: string;
  testFromRaceId: number;
  out: string;
  temporal: boolean;
  limit?: number;
}>();

async function main(): Promise<void> {
  const started = performance.now();
  const summary: HkReadSummary = { races: 0, skipped: [] };
  const all = [...readHkRaces(opts.data, summary)];
  for (const s of summary.skipped) console.log(`skipped race ${s.raceId}: ${s.reason}`);
  const from = opts.testFromRaceId;
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
    replayed = opts.temporal
      ? await replayOnTemporal(races, opts.testFromRaceId, () => bar.increment())
      : await replayInProcess(races, opts.testFromRaceId, { quantModel, evidenceAnalyst, artefacts }, () =>
          bar.increment(),
        );
  } finally {
    bar.stop();
    await quantModel.release();
  }
  const metrics = backtestMetrics(replayed, opts.testFromRaceId);
  const seconds = (performance.now() - started) / 1000;
  const command = `npm run backtest -- --data ${opts.data} --test-from-race-id ${opts.testFromRaceId} --out ${opts.out}${opts.temporal ? ' --temporal' : ''}`;
  const versions = `quant ${quantModel.modelVersion}, evidence ${evidenceAnalyst.version}, calibration ${artefacts?.version ?? 'none (identity)'}`;
  const { markdown, charts } = renderReport(metrics, replayed, { command, seconds, versions });
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(
    join(opts.out, 'metrics.json'),
    `${JSON.stringify({ ...metrics, mode: opts.temporal ? 'temporal' : 'in-process', versions, seconds }, null, 1)}\n`,
  );
  writeFileSync(join(opts.out, 'report.md'), markdown);
  for (const [name, svg] of Object.entries(charts)) writeFileSync(join(opts.out, name), svg);
  const line = (name: 'market' | 'quant' | 'fused' | 'final'): string =>
    `${name.padEnd(7)} pseudo R^2 ${metrics[name].pseudoR2.toFixed(4)}  log loss ${metrics[name].logLoss.toFixed(4)}  ECE ${metrics[name].ece.toFixed(4)}  top-1 ${(metrics[name].top1 * 100).toFixed(1)}%  flat ROI ${(metrics[name].betting.flatRoi * 100).toFixed(1)}% (${metrics[name].betting.bets} bets)`;
  console.log(
    [
      `${metrics.market.races} races scored (${metrics.excluded.noSingleWinner} without a single winner, ${metrics.excluded.incompleteMarketOdds} without complete odds left out)`,
      line('market'),
      line('quant'),
      line('fused'),
      line('final'),
      `final - market log loss ${metrics.final.vsMarket.deltaLogLoss.toFixed(4)} per race (paired SE ${metrics.final.vsMarket.pairedSE.toFixed(4)})`,
      `wrote ${join(opts.out, 'metrics.json')} and report.md in ${seconds.toFixed(1)} s`,
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(`${(err as Error).name}: ${(err as Error).message}`);
  process.exitCode = 1;
});
