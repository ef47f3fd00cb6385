import { cents, type BetType } from './stake.js';

export type SettledStatus = 'won' | 'placed' | 'lost' | 'void';

export interface RaceOutcome {
  /** Finishing positions by horse id (dead heats share a position). */
  positions: ReadonlyMap<string, number>;
  placesPaid: number;
  /** Runners scratched after the bet was struck: their bets are void (stake returned). */
  scratched: ReadonlySet<string>;
}

/**
 * Settles one bet on the official result. Dead heats follow the usual rule: the stake is divided by
 * the number of runners sharing the paid positions that remain, each part paid at full odds.
 */
export function settleBet(
  bet: { horseId: string; betType: BetType; odds: number; stake: number },
  outcome: RaceOutcome,
): { status: SettledStatus; payout: number } {
  if (outcome.scratched.has(bet.horseId)) return { status: 'void', payout: bet.stake };
  const pos = outcome.positions.get(bet.horseId);
  const paid = bet.betType === 'win' ? 1 : outcome.placesPaid;
  if (pos === undefined || pos > paid) return { status: 'lost', payout: 0 };
  let tied = 0;
  for (const p of outcome.positions.values()) if (p === pos) tied += 1;
  const share = Math.min(1, (paid - pos + 1) / tied);
  return { status: bet.betType === 'win' ? 'won' : 'placed', payout: cents(bet.stake * bet.odds * share) };
}
