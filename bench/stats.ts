export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  n: number;
}

/** Nearest-rank percentiles: with few samples p99 is the maximum, and the count says so. */
export function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    n: s.length,
  };
}

export const median = (values: number[]): number => percentiles(values).p50;
