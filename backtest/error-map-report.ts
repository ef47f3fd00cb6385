import { groupProbabilities, ODDS_BANDS, type ErrorMap, type ErrorMapRace } from '../agents/error-map.js';
import { marketProbabilities } from '../agents/metrics.js';
import type { ReplayedRace } from './replay.js';
import { lineChart } from './svg.js';

/** The replay's races as the error map's rows: quant, the evidence groups, the strategies, fused, final. */
export function errorMapRacesFromReplay(races: readonly ReplayedRace[]): ErrorMapRace[] {
  return races.map((r) => {
    const groups = Object.entries(r.groupLr).flatMap(([g, lr]) => {
      const p = groupProbabilities(r.odds, lr);
      return p ? [[`evidence:${g}`, p] as const] : [];
    });
    const market = marketProbabilities(r.odds);
    return {
      raceId: r.raceId,
      date: r.date,
      odds: r.odds,
      positions: r.positions,
      horseIds: r.horseIds,
      qualLr: r.qualLr,
      modules: {
        ...(market ? { market } : {}),
        quant: r.quant,
        ...Object.fromEntries(groups),
        ...Object.fromEntries(Object.entries(r.strategies).map(([s, p]) => [`strategy:${s}`, p])),
        fused: r.fused,
        final: r.final,
      },
    };
  });
}

const f4 = (v: number) => v.toFixed(4);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const CHARTED = [
  'quant',
  'fused',
  'final',
  'evidence:formFitness',
  'evidence:conditions',
  'evidence:tactics',
  'evidence:context',
];
const COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

/** The error map as a Markdown section with one chart (optimism by odds band). */
export function renderErrorMap(
  map: ErrorMap,
  title: string,
): { markdown: string; charts: Record<string, string> } {
  const bandIndex = new Map<string, number>(ODDS_BANDS.map((b, i) => [b.name, i + 1]));
  const charted = CHARTED.filter((m) => map.modules.some((x) => x.module === m));
  const charts = {
    'error-map-optimism.svg': lineChart({
      title: 'Predicted minus observed win rate by odds band (1 = <3 ... 5 = 25+)',
      xLabel: 'odds band',
      yLabel: 'optimism (predicted - observed)',
      series: charted.map((m, k) => ({
        name: m,
        color: COLORS[k % COLORS.length] ?? '#000000',
        markers: true,
        points: map.cells
          .filter((c) => c.module === m)
          .map((c) => [bandIndex.get(c.band) ?? 0, c.optimism] as [number, number]),
      })),
    }),
  };
  const markdown = [
    `## ${title}`,
    '',
    `${map.races} races. Evidence groups are priced as the market moved by that group's LR alone; strategies by their calibrated output.`,
    '',
    '| module | races | log loss (winner) | top-1 | mean predicted | observed |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...map.modules.map(
      (m) =>
        `| ${m.module} | ${m.races} | ${f4(m.raceLogLoss)} | ${pct(m.top1)} | ${f4(m.predicted)} | ${f4(m.observed)} |`,
    ),
    '',
    '| module | odds band | runners | log loss (per runner) | predicted | observed | optimism |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...map.cells.map(
      (c) =>
        `| ${c.module} | ${c.band} | ${c.runners} | ${f4(c.logLoss)} | ${pct(c.predicted)} | ${pct(c.observed)} | ${(c.optimism * 100).toFixed(2)} pt |`,
    ),
    '',
    `Traps: ${map.traps.count} of ${map.traps.shortPricedBoosted} short-priced runners (odds < 4) that the qualitative evidence pushed up ` +
      '(LR product >= 1.25, final above the market) lost. Largest pushes that lost:',
    '',
    '| race | horse | odds | LR product | final | market |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...map.traps.examples.map(
      (t) =>
        `| ${t.raceId} | ${t.horseId} | ${t.odds} | ${t.qualLr.toFixed(2)} | ${pct(t.final)} | ${pct(t.market)} |`,
    ),
    '',
    '![optimism by odds band](error-map-optimism.svg)',
    '',
  ].join('\n');
  return { markdown, charts };
}
