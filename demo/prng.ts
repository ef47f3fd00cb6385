/**
 * Seeded random numbers for the synthetic race day. The demo must replay byte for byte from a seed,
 * so nothing here reads Math.random or the clock.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
  normal(mean?: number, sd?: number): number;
  /** Standard Gumbel: adding it to log-strengths and sorting draws a Plackett-Luce order. */
  gumbel(): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** FNV-1a over the seed and a label, so each part of the generator gets its own stream. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${seed}:${label}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  // mulberry32: small, fast and good enough for simulation (not for cryptography).
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const at = <T>(items: readonly T[], i: number): T => {
    const item = items[i];
    if (item === undefined) throw new RangeError(`index ${i} outside ${items.length} items`);
    return item;
  };
  const rng: Rng = {
    uniform,
    int: (lo, hi) => lo + Math.floor(uniform() * (hi - lo + 1)),
    normal: (mean = 0, sd = 1) => {
      const u = Math.max(uniform(), 1e-300);
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    },
    gumbel: () => -Math.log(-Math.log(Math.max(uniform(), 1e-300))),
    chance: (p) => uniform() < p,
    pick: (items) => at(items, Math.floor(uniform() * items.length)),
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = uniform() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return at(items, items.length - 1)[0];
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [out[i], out[j]] = [at(out, j), at(out, i)];
      }
      return out;
    },
  };
  return rng;
}
