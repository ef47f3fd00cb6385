/**
 * Tote win odds from the generator's true probabilities. Two well-documented features of real pools
 * are built in so the engine has something to find: the takeout (overround; the HK data's median sum
 * of 1/odds is 1.23) and the favourite-longshot bias (longshots are over-bet, favourites under-bet).
 */
import type { Rng } from './prng.js';

const MAX_ODDS = 99; // HK data caps win odds at 99

/** Round like a tote display: tenths below 10, halves below 20, whole numbers above; capped at 99. */
export function toteOdds(odds: number): number {
  let rounded: number;
  if (odds < 10) rounded = Math.round(odds * 10) / 10;
  else if (odds < 20) rounded = Math.round(odds * 2) / 2;
  else rounded = Math.round(odds);
  return Math.min(MAX_ODDS, Math.max(1.1, rounded));
}

/**
 * Market odds for runners with win probabilities `trueProbs` (summing to 1). Probabilities are
 * flattened by a power gamma < 1 (the bias), perturbed by noise (the public's errors), renormalised
 * and then inflated by the overround before conversion to odds.
 */
export function marketOdds(rng: Rng, trueProbs: readonly number[]): number[] {
  const overround = 1.18 + rng.uniform() * 0.07;
  const gamma = 0.85 + rng.uniform() * 0.05;
  const weights = trueProbs.map((p) => Math.pow(p, gamma) * Math.exp(rng.normal(0, 0.12)));
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => toteOdds(total / (w * overround)));
}
