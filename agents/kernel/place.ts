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
  // r[k] = P(j wins, k second) / (weight left for third), for the current winner j.
  const r = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const pj = win[j]!;
    const rest2 = s2 - w2[j]!;
    if (!(pj > 0) || !(rest2 > 0)) continue;
    let sumR = 0;
    for (let k = 0; k < n; k++) {
      r[k] = 0;
      if (k === j) continue;
      const pjk = (pj * w2[k]!) / rest2;
      acc[k] = acc[k]! + pjk;
      const rest3 = s3 - w3[j]! - w3[k]!;
      if (placesPaid < 3 || !(pjk > 0) || !(rest3 > 0)) continue;
      r[k] = pjk / rest3;
      sumR += r[k]!;
    }
    if (placesPaid < 3) continue;
    // P(i third | j first) = w3_i * sum over k != i, j of r[k]: the inner sum over k is the same for
    // every i but one term, so the enumeration is O(n^2) instead of O(n^3). Equal to the plain
    // triple sum up to rounding in the last bits (the golden test holds it to 1e-12).
    for (let i = 0; i < n; i++) {
      if (i === j) continue;
      acc[i] = acc[i]! + w3[i]! * (sumR - r[i]!);
    }
  }
  for (let i = 0; i < n; i++) place[i] = Math.min(1, Math.max(0, acc[i]!));
  return place;
}
