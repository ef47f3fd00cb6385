/**
 * The error map: which module misleads, and where. For each module (quant, each qualitative evidence
 * group, each strategy, the fused consensus, the final probabilities) and each odds band: log loss,
 * predicted against observed win rate, top-1; plus the traps, races where the qualitative evidence
 * pushed a short-priced runner up and it lost. Pure: the backtest and the nightly job feed it rows.
 */
export interface ErrorMapRace {
  raceId: string;
  date: string;
  odds: (number | undefined)[];
  /** 1 = winner; dead heats share 1. */
  positions: (number | null)[];
  /** Win probabilities per module, per runner in the same order. */
  modules: Record<string, number[]>;
  /** The qualitative LR product per runner (traps), and the runners' ids (to name them). */
  qualLr: number[];
  horseIds: string[];
}

export const ODDS_BANDS = [
  { name: '<3', lo: 1, hi: 3 },
  { name: '3-6', lo: 3, hi: 6 },
  { name: '6-12', lo: 6, hi: 12 },
  { name: '12-25', lo: 12, hi: 25 },
  { name: '25+', lo: 25, hi: Number.POSITIVE_INFINITY },
] as const;

export interface ErrorCell {
  module: string;
  band: string;
  runners: number;
  /** Mean binary log loss per runner on the win indicator. */
  logLoss: number;
  predicted: number;
  observed: number;
  /** predicted - observed: positive = optimistic. */
  optimism: number;
}

export interface ModuleSummary {
  module: string;
  races: number;
  /** Mean -ln p(winner) over single-winner races. */
  raceLogLoss: number;
  top1: number;
  predicted: number;
  observed: number;
}

export interface Trap {
  raceId: string;
  horseId: string;
  odds: number;
  qualLr: number;
  final: number;
  market: number;
}

export interface ErrorMap {
  races: number;
  modules: ModuleSummary[];
  cells: ErrorCell[];
  traps: { count: number; shortPricedBoosted: number; examples: Trap[] };
}

const EPS = 1e-6;
const clip = (p: number) => Math.min(1 - EPS, Math.max(EPS, p));
const bandOf = (o: number | undefined) =>
  o === undefined ? null : (ODDS_BANDS.find((b) => o >= b.lo && o < b.hi)?.name ?? null);

/** A trap: odds below this, qualitative LR product above that, final above the market, and it lost. */
export const TRAP = { maxOdds: 4, minLr: 1.25 } as const;

export function errorMap(races: readonly ErrorMapRace[]): ErrorMap {
  const names = [...new Set(races.flatMap((r) => Object.keys(r.modules)))];
  const cells = new Map<string, { n: number; ll: number; p: number; y: number }>();
  const mods = new Map<string, { races: number; ll: number; top: number; n: number; p: number; y: number }>();
  const trapList: Trap[] = [];
  let boosted = 0;
  for (const r of races) {
    const winners = r.positions.filter((p) => p === 1).length;
    const inv = r.odds.every((o) => o !== undefined && o > 1) ? r.odds.map((o) => 1 / (o as number)) : null;
    const book = inv?.reduce((a, b) => a + b, 0) ?? 0;
    for (const name of names) {
      const probs = r.modules[name];
      if (!probs) continue;
      const m = mods.get(name) ?? { races: 0, ll: 0, top: 0, n: 0, p: 0, y: 0 };
      probs.forEach((raw, i) => {
        const p = clip(raw);
        const y = r.positions[i] === 1 ? 1 : 0;
        const band = bandOf(r.odds[i]);
        m.n += 1;
        m.p += raw;
        m.y += y;
        if (band === null) return;
        const key = `${name}\u0000${band}`;
        const c = cells.get(key) ?? { n: 0, ll: 0, p: 0, y: 0 };
        c.n += 1;
        c.ll += -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        c.p += raw;
        c.y += y;
        cells.set(key, c);
      });
      if (winners === 1) {
        const w = r.positions.indexOf(1);
        m.races += 1;
        m.ll += -Math.log(clip(probs[w] ?? 0));
        const top = probs.reduce((best, p, i) => (p > (probs[best] ?? -1) ? i : best), 0);
        if (top === w) m.top += 1;
      }
      mods.set(name, m);
    }
    const final = r.modules.final;
    if (inv && final)
      r.odds.forEach((o, i) => {
        const lr = r.qualLr[i] ?? 1;
        const market = (inv[i] ?? 0) / book;
        if (o === undefined || o >= TRAP.maxOdds || lr < TRAP.minLr || (final[i] ?? 0) <= market) return;
        boosted += 1;
        if (r.positions[i] !== 1)
          trapList.push({
            raceId: r.raceId,
            horseId: r.horseIds[i] ?? '?',
            odds: o,
            qualLr: lr,
            final: final[i] ?? 0,
            market,
          });
      });
  }
  return {
    races: races.length,
    modules: names.map((name) => {
      const m = mods.get(name) ?? { races: 0, ll: 0, top: 0, n: 0, p: 0, y: 0 };
      return {
        module: name,
        races: m.races,
        raceLogLoss: m.races ? m.ll / m.races : 0,
        top1: m.races ? m.top / m.races : 0,
        predicted: m.n ? m.p / m.n : 0,
        observed: m.n ? m.y / m.n : 0,
      };
    }),
    cells: names.flatMap((name) =>
      ODDS_BANDS.flatMap((b) => {
        const c = cells.get(`${name}\u0000${b.name}`);
        if (!c) return [];
        return [
          {
            module: name,
            band: b.name,
            runners: c.n,
            logLoss: c.ll / c.n,
            predicted: c.p / c.n,
            observed: c.y / c.n,
            optimism: (c.p - c.y) / c.n,
          },
        ];
      }),
    ),
    traps: {
      count: trapList.length,
      shortPricedBoosted: boosted,
      examples: [...trapList].sort((a, b) => b.final - b.market - (a.final - a.market)).slice(0, 10),
    },
  };
}

/** The qualitative evidence groups' own probabilities: the market's, moved by one group's LR, renormalised. */
export function groupProbabilities(
  odds: readonly (number | undefined)[],
  lr: readonly number[],
): number[] | null {
  if (!odds.every((o) => o !== undefined && o > 1)) return null;
  const w = odds.map((o, i) => (lr[i] ?? 1) / (o as number));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}
