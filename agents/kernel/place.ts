/**
 * SPEC 3 step 6: discounted Harville place probabilities by exact enumeration of the first
 * placesPaid finishers. The k-th finisher is drawn from those left with weights p_j^lambda_k.
 */

export interface HarvilleDiscounts {
  lambda2: number;
  lambda3: number;
}

export const DEFAULT_DISCOUNTS: HarvilleDiscounts = { lambda2: 0.81, lambda3: 0.65 };

export function harvillePlace(
  win: readonly number[],
  placesPaid: number,
  discounts: HarvilleDiscounts = DEFAULT_DISCOUNTS,
): number[] {
  const n = win.length;
  if (!Number.isInteger(placesPaid) || placesPaid < 1 || placesPaid > 3) {
    throw new RangeError(`placesPaid must be 1, 2 or 3, got ${placesPaid}`);
  }
  if (placesPaid > n) throw new RangeError(`placesPaid ${placesPaid} exceeds the field of ${n}`);
  const place = win.slice();
  if (placesPaid === 1) return place;
  const w2 = win.map((p) => Math.pow(p, discounts.lambda2));
  const w3 = win.map((p) => Math.pow(p, discounts.lambda3));
  const s2 = w2.reduce((a, b) => a + b, 0);
  const s3 = w3.reduce((a, b) => a + b, 0);
  for (let j = 0; j < n; j++) {
    const pj = win[j] ?? 0;
    const rest2 = s2 - (w2[j] ?? 0);
    if (!(pj > 0) || !(rest2 > 0)) continue;
    for (let k = 0; k < n; k++) {
      if (k === j) continue;
      // Probability that j wins and k is second.
      const pjk = (pj * (w2[k] ?? 0)) / rest2;
      place[k] = (place[k] ?? 0) + pjk;
      if (placesPaid < 3) continue;
      const rest3 = s3 - (w3[j] ?? 0) - (w3[k] ?? 0);
      if (!(pjk > 0) || !(rest3 > 0)) continue;
      for (let i = 0; i < n; i++) {
        if (i === j || i === k) continue;
        place[i] = (place[i] ?? 0) + (pjk * (w3[i] ?? 0)) / rest3;
      }
    }
  }
  return place.map((p) => Math.min(1, Math.max(0, p)));
}
