/** SPEC 3 step 6 defaults: the runner finishing k-th is drawn with weights p^lambda_k. */
export const DEFAULT_HARVILLE_LAMBDAS = [1, 0.81, 0.65] as const;

/**
 * Discounted Harville: P(runner finishes in the first `placesPaid`), by exact enumeration of the
 * first placesPaid positions (at most 3, so at most n^3 orders). The results sum to placesPaid.
 */
export function harvillePlaceProbs(
  winProbs: number[],
  placesPaid: number,
  lambdas: readonly number[] = DEFAULT_HARVILLE_LAMBDAS,
): number[] {
  const n = winProbs.length;
  const depthMax = Math.min(placesPaid, n);
  const weights = Array.from({ length: depthMax }, (_, k) =>
    winProbs.map((p) => Math.max(p, 1e-12) ** (lambdas[k] ?? 1)),
  );
  const out = new Array<number>(n).fill(0);
  const used = new Array<boolean>(n).fill(false);
  const walk = (depth: number, pathProb: number): void => {
    if (depth === depthMax) return;
    const w = weights[depth] as number[];
    let total = 0;
    for (let j = 0; j < n; j++) if (!used[j]) total += w[j] as number;
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      const pj = (pathProb * (w[j] as number)) / total;
      out[j] = (out[j] as number) + pj;
      used[j] = true;
      walk(depth + 1, pj);
      used[j] = false;
    }
  };
  walk(0, 1);
  return out;
}
