import { mulberry32 } from '../agents/prng.js';
import { POLICIES, STARTING_BANKROLL, type Policy } from '../book/policies.js';
import type { BookRace } from '../book/race.js';
import { settleBet } from '../book/settle.js';
import { stakeRace } from '../book/stake.js';
import type { ReplayedRace } from './replay.js';
import { lineChart } from './svg.js';

export const BOOK_STARTING_BANKROLL = STARTING_BANKROLL;
const RESAMPLES = 1000;

export interface PolicyFigures {
  name: string;
  description: string;
  bets: number;
  winBets: number;
  placeBets: number;
  turnover: number;
  profit: number;
  /** Profit per unit staked, with a 95% bootstrap interval over race days. */
  roi: number;
  roiCI: [number, number];
  /** Mean / standard deviation of the daily return (day's profit over the day's opening bankroll), per race day. */
  sharpe: number;
  /** Largest fall from a running peak of the bankroll, as a fraction of the peak. */
  maxDrawdown: number;
  finalBankroll: number;
}

export interface BookBacktest {
  startingBankroll: number;
  raceDays: number;
  races: number;
  policies: PolicyFigures[];
  markdown: string;
  charts: Record<string, string>;
}

/** The replay's per-race data in the book's plain shape (active runners in card order). */
export function bookRacesFromReplay(races: readonly ReplayedRace[]): BookRace[] {
  return races.map((r) => ({
    raceId: r.raceId,
    date: r.date,
    placesPaid: r.placesPaid,
    runners: r.horseIds.map((horseId, i) => ({
      horseId,
      final: r.final[i] ?? 0,
      quant: r.quant[i] ?? 0,
      fused: r.fused[i] ?? 0,
      qualLr: r.qualLr[i] ?? 1,
      place: r.place[i],
      odds: r.odds[i],
      placeOdds: r.placeOdds[i],
      position: r.positions[i],
    })),
  }));
}

interface Day {
  staked: number;
  profit: number;
  opening: number;
}

function simulate(policy: Policy, races: readonly BookRace[], start: number) {
  let bankroll = start;
  let peak = start;
  let maxDrawdown = 0;
  let winBets = 0;
  let placeBets = 0;
  const days: Day[] = [];
  const path: [number, number][] = [[0, start]];
  let day: Day | undefined;
  let dayDate: string | undefined;
  races.forEach((race, k) => {
    if (race.date !== dayDate || !day) {
      day = { staked: 0, profit: 0, opening: bankroll };
      days.push(day);
      dayDate = race.date;
    }
    const bets = stakeRace(policy, race, {
      startingBankroll: start,
      bankroll,
      dayOpening: day.opening,
      dayStaked: day.staked,
      dayProfit: day.profit,
    });
    const positions = new Map<string, number>();
    for (const r of race.runners) if (r.position != null) positions.set(r.horseId, r.position);
    const outcome = { positions, placesPaid: race.placesPaid, scratched: new Set<string>() };
    for (const b of bets) {
      const { payout } = settleBet(b, outcome);
      day.staked += b.stake;
      day.profit += payout - b.stake;
      bankroll += payout - b.stake;
      if (b.betType === 'win') winBets += 1;
      else placeBets += 1;
    }
    peak = Math.max(peak, bankroll);
    maxDrawdown = Math.max(maxDrawdown, (peak - bankroll) / peak);
    path.push([k + 1, bankroll]);
  });
  return { bankroll, maxDrawdown, winBets, placeBets, days, path };
}

const ratio = (days: readonly Day[]): number => {
  const staked = days.reduce((s, d) => s + d.staked, 0);
  return staked > 0 ? days.reduce((s, d) => s + d.profit, 0) / staked : 0;
};

/** 95% percentile interval of the ROI over the race days with bets, resampled with replacement (seeded: reproducible). */
function roiInterval(all: readonly Day[]): [number, number] {
  const days = all.filter((d) => d.staked > 0);
  if (days.length === 0) return [0, 0];
  const rng = mulberry32(20261203);
  const draws = Array.from({ length: RESAMPLES }, () =>
    ratio(Array.from({ length: days.length }, () => days[Math.floor(rng() * days.length)] as Day)),
  ).sort((a, b) => a - b);
  return [draws[Math.floor(0.025 * RESAMPLES)] ?? 0, draws[Math.ceil(0.975 * RESAMPLES) - 1] ?? 0];
}

function sharpe(days: readonly Day[]): number {
  const r = days.map((d) => (d.opening > 0 ? d.profit / d.opening : 0));
  if (r.length < 2) return 0;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / (r.length - 1));
  return sd > 0 ? mean / sd : 0;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * Every staking policy over the same races in date order, from the same starting bankroll: each race
 * is staked from the bankroll as it stands, then settled on its result before the next race.
 */
export function backtestBook(
  races: readonly BookRace[],
  policies: readonly Policy[] = POLICIES,
  startingBankroll = BOOK_STARTING_BANKROLL,
): BookBacktest {
  const runs = policies.map((p) => ({ policy: p, run: simulate(p, races, startingBankroll) }));
  const figures = runs.map(({ policy, run }): PolicyFigures => {
    const turnover = run.days.reduce((s, d) => s + d.staked, 0);
    const profit = run.days.reduce((s, d) => s + d.profit, 0);
    return {
      name: policy.name,
      description: policy.description,
      bets: run.winBets + run.placeBets,
      winBets: run.winBets,
      placeBets: run.placeBets,
      turnover,
      profit,
      roi: ratio(run.days),
      roiCI: roiInterval(run.days),
      sharpe: sharpe(run.days),
      maxDrawdown: run.maxDrawdown,
      finalBankroll: run.bankroll,
    };
  });
  const raceDays = new Set(races.map((r) => r.date)).size;
  const chart = lineChart({
    title: `Bankroll by staking policy (from ${startingBankroll} units)`,
    xLabel: 'races (date order)',
    yLabel: 'bankroll, units',
    series: runs.map(({ policy, run }, k) => ({
      name: policy.name,
      color: COLORS[k % COLORS.length] ?? '#000000',
      points: run.path,
    })),
  });
  const markdown = [
    '## Paper-trading book',
    '',
    `Every staking policy (book/policies.ts) on the same ${races.length} races over ${raceDays} race days, from ${startingBankroll} units, ` +
      'staked at the card prices and settled on the results race by race (dead heats split). ROI interval: 95% bootstrap over race days; ' +
      'Sharpe: mean over standard deviation of the daily return, per race day.',
    '',
    '| policy | bets (win/place) | turnover | profit | ROI | ROI 95% CI | Sharpe/day | max drawdown | final bankroll |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${f.bets} (${f.winBets}/${f.placeBets}) | ${f.turnover.toFixed(0)} | ${f.profit.toFixed(0)} | ${pct(f.roi)} | ` +
        `${pct(f.roiCI[0])} to ${pct(f.roiCI[1])} | ${f.sharpe.toFixed(3)} | ${pct(f.maxDrawdown)} | ${f.finalBankroll.toFixed(0)} |`,
    ),
    '',
    ...figures.map((f) => `- ${f.name}: ${f.description}`),
    '',
    '![bankroll](bankroll.svg)',
    '',
  ].join('\n');
  return {
    startingBankroll,
    raceDays,
    races: races.length,
    policies: figures,
    markdown,
    charts: { 'bankroll.svg': chart },
  };
}

/** The book block of metrics.json. */
export function bookMetrics(b: BookBacktest) {
  return {
    startingBankroll: b.startingBankroll,
    races: b.races,
    raceDays: b.raceDays,
    policies: b.policies.map(({ name, bets, turnover, roi, roiCI, sharpe, maxDrawdown, finalBankroll }) => ({
      name,
      bets,
      turnover,
      roi,
      roiCI,
      sharpe,
      maxDrawdown,
      finalBankroll,
    })),
  };
}
