/** Race ids sort numerically when both are numeric (HK ids), lexically otherwise. */
export function compareRaceIds(a: string, b: string): number {
  const numeric = /^\d+(\.\d+)?$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
