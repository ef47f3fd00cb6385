import { marketProbabilities, winnerIndex } from '../agents/index.js';
import { BETTING_OPTIONS, type BacktestMetrics, type ProbabilitySet } from './metrics.js';
import type { ReplayedRace } from './replay.js';
import { lineChart } from './svg.js';

const COLORS: Record<ProbabilitySet, string> = {
  market: '#444444',
  quant: '#1f77b4',
  fused: '#2ca02c',
  final: '#d62728',
};

const probsOf = (r: ReplayedRace, set: ProbabilitySet): number[] =>
  set === 'market' ? (marketProbabilities(r.odds) ?? []) : r[set];

/** Mean prediction and observed win rate per equal-width bin (bins with fewer than 20 runners left out). */
export function reliability(
  races: readonly ReplayedRace[],
  set: ProbabilitySet,
  bins = 10,
): [number, number][] {
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  const n = new Array<number>(bins).fill(0);
  for (const r of races)
    probsOf(r, set).forEach((p, i) => {
      const b = Math.min(bins - 1, Math.floor(p * bins));
      sp[b] = (sp[b] as number) + p;
      sy[b] = (sy[b] as number) + (r.positions[i] === 1 ? 1 : 0);
      n[b] = (n[b] as number) + 1;
    });
  return n.flatMap((c, b) =>
    c >= 20 ? [[(sp[b] as number) / c, (sy[b] as number) / c] as [number, number]] : [],
  );
}

/** Cumulative flat-stake profit (one unit per value bet, edge >= minEdge) after each race. */
export function cumulativeReturn(races: readonly ReplayedRace[], set: ProbabilitySet): [number, number][] {
  let profit = 0;
  return races.map((r, k) => {
    probsOf(r, set).forEach((p, i) => {
      const o = r.odds[i];
      if (o === undefined || p * o - 1 < BETTING_OPTIONS.minEdge) return;
      profit += r.positions[i] === 1 ? o - 1 : -1;
    });
    return [k + 1, profit];
  });
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const f4 = (v: number): string => v.toFixed(4);

export function renderReport(
  metrics: BacktestMetrics,
  races: readonly ReplayedRace[],
  meta: { command: string; seconds: number; versions: string },
): {
  markdown: string;
  charts: Record<string, string>;
} {
  const scored = races.filter(
    (r) =>
      marketProbabilities(r.odds) !== null &&
      winnerIndex({ raceId: r.raceId, probs: r.final, positions: r.positions }) !== null,
  );
  const charts = {
    'reliability.svg': lineChart({
      title: 'Reliability (10 equal-width bins, test period)',
      xLabel: 'predicted win probability',
      yLabel: 'observed win rate',
      diagonal: true,
      series: (['market', 'quant', 'final'] as const).map((s) => ({
        name: s,
        color: COLORS[s],
        points: reliability(scored, s),
        markers: true,
      })),
    }),
    'cumulative-return.svg': lineChart({
      title: `Cumulative flat-stake profit on value bets (edge >= ${BETTING_OPTIONS.minEdge})`,
      xLabel: 'races (race_id order)',
      yLabel: 'profit, units staked 1 per bet',
      series: (['quant', 'fused', 'final'] as const).map((s) => ({
        name: s,
        color: COLORS[s],
        points: cumulativeReturn(scored, s),
      })),
    }),
  };
  const row = (name: ProbabilitySet): string => {
    const m = metrics[name];
    const b = m.betting;
    return `| ${name} | ${m.races} | ${f4(m.logLoss)} | ${f4(m.pseudoR2)} | ${f4(m.brier)} | ${f4(m.ece)} | ${pct(m.top1)} | ${f4(m.ndcg4)} | ${b.bets} | ${pct(b.flatRoi)} | ${b.kellyFinalBankroll.toFixed(3)} | ${pct(b.maxDrawdown)} |`;
  };
  const v = metrics.final.vsMarket;
  const markdown = [
    '# Backtest report',
    '',
    `Command: \`${meta.command}\` (${meta.seconds.toFixed(0)} s). Models: ${meta.versions}.`,
    '',
    `Test period: race_id >= ${metrics.testFromRaceId}; ${metrics.racesReplayed} races replayed, ` +
      `${metrics.excluded.noSingleWinner} left out for no single winner (dead heats), ${metrics.excluded.incompleteMarketOdds} left out of every block for missing market odds ` +
      `(quant alone on all single-winner races: pseudo R^2 ${f4(metrics.quantAllRaces.pseudoR2)} over ${metrics.quantAllRaces.races} races).`,
    '',
    '| probabilities | races | log loss | pseudo R^2 | Brier | ECE | top-1 | NDCG@4 | bets | flat ROI | Kelly bankroll | max drawdown |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...(['market', 'quant', 'fused', 'final'] as const).map(row),
    '',
    `Final vs market: mean per-race log-loss difference ${v.deltaLogLoss.toFixed(4)} (paired SE ${v.pairedSE.toFixed(4)}, ${v.races} races; negative = final better), ` +
      `a pseudo R^2 gain of ${f4(v.pseudoR2Gain)}.`,
    '',
    'quant = the ONNX ensemble alone; fused = the confidence-weighted consensus of the fifteen agents (winProbModel); ' +
      'final = the synthesis output after the market blend (winProbFinal), the figure the product prices with. ' +
      `Value bets: p * odds - 1 >= ${BETTING_OPTIONS.minEdge} at the final pre-race odds (the data's odds are capped at 99 and carry a ~18% take).`,
    '',
    '![reliability](reliability.svg)',
    '',
    '![cumulative return](cumulative-return.svg)',
    '',
  ].join('\n');
  return { markdown, charts };
}
