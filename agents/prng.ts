/**
 * Seeded pseudo-random numbers (mulberry32). agents/ must be deterministic, so every random draw
 * (bootstrap resamples, simulated races) comes from an explicit seed, never Math.random.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw by Box-Muller; two uniforms per call keeps it simple and reproducible. */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
