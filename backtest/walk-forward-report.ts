import { marketProbabilities, raceLogLoss, winnerIndex } from '../agents/index.js';
import type { BacktestMetrics } from './metrics.js';
import { scoredRaces } from './metrics.js';
import type { ReplayedRace } from './replay.js';
import { lineChart } from './svg.js';
import type { BlockSummary } from './walk-forward.js';

/** Cumulative sum of (set - market) per-race log loss over the scored races, in race_id order: below 0 = better than the market. */
export function cumulativeLogLossVsMarket(
  races: readonly ReplayedRace[],
  set: 'quant' | 'fused' | 'final',
): [number, number][] {
  const scored = races.filter(
    (r) =>
      marketProbabilities(r.odds) !== null &&
      winnerIndex({ raceId: r.raceId, probs: r.final, positions: r.positions }) !== null,
  );
  const mine = scoredRaces(scored, set);
  const market = scoredRaces(scored, 'market');
  let total = 0;
  return mine.map((r, k) => {
    total += (raceLogLoss(r) ?? 0) - (raceLogLoss(market[k]!) ?? 0);
    return [scored[k]!.raceNumericId, total];
  });
}

const f4 = (v: number | undefined): string => (v ?? NaN).toFixed(4);

/** The walk-forward section of report.md (the per-block table) and its chart. */
export function renderWalkForwardSection(
  metrics: BacktestMetrics,
  races: readonly ReplayedRace[],
  blocks: readonly BlockSummary[],
): { markdown: string; charts: Record<string, string> } {
  const charts = {
    'cumulative-logloss-vs-market.svg': lineChart({
      title: 'Cumulative log-loss difference against the market (below 0: better than the market)',
      xLabel: 'race_id',
      yLabel: 'sum of (model - market) log loss',
      series: [{ name: 'final', color: '#d62728', points: cumulativeLogLossVsMarket(races, 'final') }],
    }),
  };
  const v = metrics.final.vsMarket;
  const markdown = [
    '## Walk-forward blocks',
    '',
    `${blocks.length} blocks; every model and artefact refitted on the races before each block only. ` +
      `Final minus market log loss ${v.deltaLogLoss.toFixed(4)} per race, paired SE ${v.pairedSE.toFixed(4)} ` +
      `(${(Math.abs(v.deltaLogLoss) / v.pairedSE).toFixed(1)} SE; pseudo R^2 gain ${f4(v.pseudoR2Gain)}).`,
    '',
    '| block | training races | scored | market | quant | fused | final | final - market log loss (SE) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...blocks.map(
      (b) =>
        `| ${b.firstRaceId}-${b.lastRaceId}${b.resumed ? ' (resumed)' : ''} | ${b.trainingRaces} | ${b.races} | ${f4(b.pseudoR2.market)} | ${f4(b.pseudoR2.quant)} | ${f4(b.pseudoR2.fused)} | ${f4(b.pseudoR2.final)} | ${b.finalVsMarket.deltaLogLoss.toFixed(4)} (${b.finalVsMarket.pairedSE.toFixed(4)}) |`,
    ),
    '',
    'Columns market to final are pseudo R^2 on the block.',
    '',
    '![cumulative log-loss difference vs market](cumulative-logloss-vs-market.svg)',
    '',
  ].join('\n');
  return { markdown, charts };
}
