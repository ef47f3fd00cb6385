import { kelly } from '../agents/pricing.js';
import type { Policy, Signal } from './policies.js';
import { qualProbabilities, type BookRace } from './race.js';

export type BetType = 'win' | 'place';

export interface ProposedBet {
  horseId: string;
  horseNo?: string;
  betType: BetType;
  odds: number;
  /** Currency units, rounded to cents. */
  stake: number;
  /** The probability that priced the bet, and its expected return at the odds. */
  probability: number;
  edge: number;
}

/** Where the bankroll stands when a race is staked. */
export interface BankrollState {
  startingBankroll: number;
  bankroll: number;
  /** Bankroll when the race day's first bet was placed (per-day cap and loss stop). */
  dayOpening: number;
  /** Already staked on other races of the day. */
  dayStaked: number;
  /** Settled profit (negative: loss) of the day so far. */
  dayProfit: number;
}

export const cents = (v: number): number => Math.round(v * 100) / 100;

function signalEdges(race: BookRace, minEdge: number): Map<Signal, boolean[]> {
  const qual = qualProbabilities(race.runners);
  const at = (p: number | undefined, o: number | undefined): boolean =>
    p !== undefined && o !== undefined && o > 1 && p * o - 1 >= minEdge;
  return new Map<Signal, boolean[]>([
    ['quant', race.runners.map((r) => at(r.quant, r.odds))],
    ['fused', race.runners.map((r) => at(r.fused, r.odds))],
    ['qual', race.runners.map((r, i) => at(qual?.[i], r.odds))],
  ]);
}

/**
 * Win prices implying a book under 100% cannot be a real market (a runner missing from the card, or a
 * data error): every runner would show an edge, so no policy bets such a race.
 */
export function impossibleBook(race: BookRace): boolean {
  const odds = race.runners.filter((r) => !r.scratched).map((r) => r.odds);
  return (
    odds.every((o) => o !== undefined && o > 1) && odds.reduce<number>((s, o) => s + 1 / (o ?? 1), 0) < 1
  );
}

/**
 * The bets a policy places on one race, sized from the bankroll state: win bets on the triggered
 * runners, place bets where the policy asks and the card has place odds; then the per-bet, per-race and
 * per-day caps (scaled down in proportion) and the daily loss stop. Pure and deterministic.
 */
export function stakeRace(policy: Policy, race: BookRace, state: BankrollState): ProposedBet[] {
  if (state.bankroll <= 0 || impossibleBook(race)) return [];
  if (policy.dailyLossStop !== undefined && -state.dayProfit >= policy.dailyLossStop * state.dayOpening)
    return [];
  const signals = policy.convergence ? signalEdges(race, policy.minEdge) : null;
  const size = (p: number, o: number): number =>
    Math.min(
      policy.caps.perBet * state.bankroll,
      policy.stake.kind === 'flat'
        ? policy.stake.fraction * state.startingBankroll
        : policy.stake.fraction * kelly(p, o) * state.bankroll,
    );
  const bets: ProposedBet[] = [];
  race.runners.forEach((r, i) => {
    const o = r.odds;
    if (r.scratched || o === undefined || !(o > 1)) return;
    const p = r[policy.probability];
    const edge = p * o - 1;
    const conv = policy.convergence;
    const triggered =
      conv && signals
        ? conv.signals.filter((s) => signals.get(s)?.[i]).length >= conv.k
        : edge >= policy.minEdge;
    if (!triggered) return;
    bets.push({
      horseId: r.horseId,
      horseNo: r.horseNo,
      betType: 'win',
      odds: o,
      stake: size(p, o),
      probability: p,
      edge,
    });
    const po = r.placeOdds;
    if (
      policy.place &&
      r.place !== undefined &&
      po !== undefined &&
      po > 1 &&
      r.place * po - 1 >= policy.minEdge
    )
      bets.push({
        horseId: r.horseId,
        horseNo: r.horseNo,
        betType: 'place',
        odds: po,
        stake: size(r.place, po),
        probability: r.place,
        edge: r.place * po - 1,
      });
  });
  const total = bets.reduce((s, b) => s + b.stake, 0);
  const room = Math.min(
    policy.caps.perRace * state.bankroll,
    Math.max(0, policy.caps.perDay * state.dayOpening - state.dayStaked),
    state.bankroll,
  );
  const scale = total > room ? room / total : 1;
  return bets.map((b) => ({ ...b, stake: cents(b.stake * scale) })).filter((b) => b.stake >= 0.01);
}
