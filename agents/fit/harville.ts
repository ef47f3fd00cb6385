import type { HarvilleDiscounts } from '../kernel/place.js';
import { goldenMax } from './optimise.js';

/** A race with win probabilities and the indices of the first finishers, winner first. */
export interface OrderOutcome {
  probs: readonly number[];
  order: readonly number[];
}

/**
 * Log-likelihood of lambda for the finisher in position `slot` (1 = second, 2 = third): that runner
 * chosen among those not yet placed with weights p^lambda.
 */
export function discountLogLik(races: readonly OrderOutcome[], slot: 1 | 2, lambda: number): number {
  let ll = 0;
  for (const r of races) {
    const chosen = r.order[slot];
    if (chosen === undefined) continue;
    const placed = new Set(r.order.slice(0, slot));
    let z = 0;
    r.probs.forEach((p, j) => {
      if (!placed.has(j)) z += Math.pow(Math.max(p, 1e-300), lambda);
    });
    ll += lambda * Math.log(Math.max(r.probs[chosen] ?? 0, 1e-300)) - Math.log(z);
  }
  return ll;
}

/**
 * lambda_2 and lambda_3 by maximum likelihood on finishing orders; each is a one-parameter
 * conditional logit (concave), maximised by golden-section on [0.05, 3].
 */
export function fitHarvilleLambdas(races: readonly OrderOutcome[]): HarvilleDiscounts {
  const withSecond = races.filter((r) => r.order.length >= 2);
  const withThird = races.filter((r) => r.order.length >= 3);
  return {
    lambda2: withSecond.length > 0 ? goldenMax((l) => discountLogLik(withSecond, 1, l), 0.05, 3, 1e-6) : 0.81,
    lambda3: withThird.length > 0 ? goldenMax((l) => discountLogLik(withThird, 2, l), 0.05, 3, 1e-6) : 0.65,
  };
}
