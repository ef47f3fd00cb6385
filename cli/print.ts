import Table from 'cli-table3';
import type { PricedRunner, RaceResult } from '../schemas/result.js';

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const num = (x: number | undefined, d = 2) => (x === undefined ? '-' : x.toFixed(d));

/** One runner's No, Runner, Base, LR, Final, Place, Fair, Market, Edge, Stake as text (the table and the web page). */
export function runnerCells(r: PricedRunner): string[] {
  return [
    String(r.horseNo),
    r.horseName ?? r.horseId,
    pct(r.winProbBase),
    num(r.lrProduct),
    pct(r.winProbFinal),
    pct(r.placeProb),
    num(r.fairOdds),
    num(r.marketWinOdds, 1),
    r.edge === undefined ? '-' : `${r.edge >= 0 ? '+' : ''}${(r.edge * 100).toFixed(1)}%`,
    r.stake ? pct(r.stake) : '',
  ];
}

function blendLabel(result: RaceResult): string {
  const s = result.synthesis;
  if (s.richBlend) return `one-stage (${s.richBlend.version})`;
  if (s.marketBlend) return `a=${s.marketBlend.alpha.toFixed(2)} b=${s.marketBlend.beta.toFixed(2)}`;
  return 'off';
}

/** The table an analyst reads: model and market side by side, value bets marked by a stake. */
export function formatRaceTable(result: RaceResult, title?: string): string {
  const table = new Table({
    head: ['No', 'Runner', 'Base', 'LR', 'Final', 'Place', 'Fair', 'Market', 'Edge', 'Stake', 'Flags'],
    colAligns: [
      'right',
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'left',
    ],
    style: { head: [], border: [] },
  });
  const rows = [...result.runners].sort((a, b) => b.winProbFinal - a.winProbFinal);
  for (const r of rows) {
    const [no, name, ...numbers] = runnerCells(r);
    table.push([
      no,
      name!.slice(0, 22),
      ...numbers,
      r.flags
        .filter((f) => !f.startsWith('calibration-identity'))
        .slice(0, 2)
        .join(','),
    ]);
  }
  const coupled = (result.interests ?? []).filter((i) => i.horseIds.length > 1);
  const head = title ?? `Race ${result.raceId}`;
  const s = result.synthesis;
  const footer =
    `agents ${s.agentsSucceeded}/15 ok` +
    (s.agentsFailed.length
      ? ` (${s.agentsFailed.map((f) => `${f.strategy}:${f.errorType}`).join(', ')} failed)`
      : '') +
    `, outlier agents: ${s.outlierAgents.length ? s.outlierAgents.join(', ') : 'none'}, consensus ${s.consensusScore.toFixed(3)}, ` +
    `distinct estimates ${s.effectiveEstimates.toFixed(1)}, market blend ${blendLabel(result)}` +
    (result.degraded ? '  ** DEGRADED **' : '');
  // A coupled entry is one bet: its price and stake are the interest's, listed under the table.
  const coupledLines = coupled.map(
    (i) =>
      `coupled entry ${i.bettingInterest} (${i.horseIds.length} runners): ${pct(i.winProbFinal)}, fair ${num(i.fairOdds)}, ` +
      `market ${num(i.marketWinOdds, 1)}, edge ${i.edge === undefined ? '-' : `${(i.edge * 100).toFixed(1)}%`}` +
      (i.stake ? `, stake ${pct(i.stake)}` : ''),
  );
  return [head, table.toString(), ...coupledLines, footer, result.explanation.summary].join('\n');
}
