import { lineChart } from '../backtest/svg.js';
import type { BetRow, LedgerPoint } from '../schemas/book.js';

const SETTLED = new Set(['won', 'placed', 'lost', 'void']);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Per policy over a window: bets, turnover, profit, ROI on settled bets, and by race day. */
export function renderBookReport(
  window: { from: string; to: string },
  bets: readonly BetRow[],
  ledgers: Record<string, LedgerPoint[]>,
): { markdown: string; charts: Record<string, string> } {
  const live = bets.filter((b) => b.status !== 'replaced');
  const policies = [...new Set(live.map((b) => b.policy))].sort();
  const row = (label: string, xs: readonly BetRow[]): string => {
    const settled = xs.filter((b) => SETTLED.has(b.status));
    const staked = settled.reduce((s, b) => s + b.stake, 0);
    const profit = settled.reduce((s, b) => s + (b.payout ?? 0) - b.stake, 0);
    const n = (st: string) => xs.filter((b) => b.status === st).length;
    return `| ${label} | ${xs.length} | ${n('open')} | ${n('won')}/${n('placed')}/${n('lost')}/${n('void')} | ${xs.reduce((s, b) => s + b.stake, 0).toFixed(2)} | ${profit.toFixed(2)} | ${staked > 0 ? pct(profit / staked) : '-'} |`;
  };
  const header = [
    '| | bets | open | won/placed/lost/void | turnover | profit | ROI (settled) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const perRace = (p: string): string[] => {
    const races = [...new Set(live.filter((b) => b.policy === p).map((b) => b.raceId))];
    return races.map((raceId) =>
      row(
        raceId,
        live.filter((b) => b.policy === p && b.raceId === raceId),
      ),
    );
  };
  const charts: Record<string, string> = {};
  const series = Object.entries(ledgers).filter(([, pts]) => pts.length > 0);
  if (series.length)
    charts['book-bankroll.svg'] = lineChart({
      title: 'Paper bankroll after every ledger movement',
      xLabel: 'ledger row',
      yLabel: 'balance, units',
      series: series.map(([name, pts], k) => ({
        name,
        color: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'][k % 5] ?? '#000000',
        points: pts.map((p, i) => [i, p.balance] as [number, number]),
      })),
    });
  const markdown = [
    `# Paper-trading book, ${window.from} to ${window.to}`,
    '',
    `${live.length} live bets (${bets.length - live.length} replaced by re-runs before their result).`,
    '',
    ...header,
    ...policies.map((p) =>
      row(
        p,
        live.filter((b) => b.policy === p),
      ),
    ),
    '',
    ...policies.flatMap((p) => [`## ${p}, per race`, '', ...header, ...perRace(p), '']),
    ...(charts['book-bankroll.svg'] ? ['![bankroll](book-bankroll.svg)', ''] : []),
  ].join('\n');
  return { markdown, charts };
}
