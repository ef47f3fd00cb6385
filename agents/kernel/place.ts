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
  // Typed arrays and no closures: this triple loop is most of a strategy's arithmetic. The operations
  // and their order are the plain formulas', so the results are the same to the last bit.
  const w2 = new Float64Array(n);
  const w3 = new Float64Array(n);
  let s2 = 0;
  let s3 = 0;
  for (let j = 0; j < n; j++) {
    const p = win[j]!;
    w2[j] = Math.pow(p, discounts.lambda2);
    w3[j] = Math.pow(p, discounts.lambda3);
    s2 += w2[j]!;
    s3 += w3[j]!;
  }
  const acc = Float64Array.from(place);
  for (let j = 0; j < n; j++) {
    const pj = win[j]!;
    const rest2 = s2 - w2[j]!;
    if (!(pj > 0) || !(rest2 > 0)) continue;
    for (let k = 0; k < n; k++) {
      if (k === j) continue;
      // Probability that j wins and k is second.
      const pjk = (pj * w2[k]!) / rest2;
      acc[k] = acc[k]! + pjk;
      if (placesPaid < 3) continue;
      const rest3 = s3 - w3[j]! - w3[k]!;
      if (!(pjk > 0) || !(rest3 > 0)) continue;
      // Every i but j and k, in index order, in three branch-free runs.
      const a = j < k ? j : k;
      const b = j < k ? k : j;
      for (let i = 0; i < a; i++) acc[i] = acc[i]! + (pjk * w3[i]!) / rest3;
      for (let i = a + 1; i < b; i++) acc[i] = acc[i]! + (pjk * w3[i]!) / rest3;
      for (let i = b + 1; i < n; i++) acc[i] = acc[i]! + (pjk * w3[i]!) / rest3;
    }
  }
  for (let i = 0; i < n; i++) place[i] = Math.min(1, Math.max(0, acc[i]!));
  return place;
}
