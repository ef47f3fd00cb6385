/** SPEC 3 step 4 and the renormalisations used by calibration and synthesis. */

export function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** p_i = q_i / sum q. */
export function hardNormalise(q: readonly number[]): number[] {
  const s = sum(q);
  if (!(s > 0)) throw new RangeError('cannot normalise a field whose weights sum to zero');
  return q.map((v) => v / s);
}

/**
 * p_i = q_i^(1/T) / sum q_j^(1/T), computed in log space with the max subtracted so small q and
 * small T cannot underflow the whole field to zero.
 */
export function softmaxNormalise(q: readonly number[], temperature: number): number[] {
  if (!(temperature > 0)) throw new RangeError('temperature must be positive');
  const logs = q.map((v) => Math.log(v) / temperature);
  const max = Math.max(...logs);
  return hardNormalise(logs.map((l) => Math.exp(l - max)));
}

/** Unnormalised softmax weight of one value against the field's reference log (for interval bounds). */
export function softmaxWeight(value: number, temperature: number): number {
  return Math.exp(Math.log(value) / temperature);
}

/**
 * Scale non-negative values to sum to `target` with every value capped at 1 (place probabilities):
 * values that would pass 1 are fixed at 1 and the rest rescaled, until nothing passes the cap.
 */
export function normaliseCapped(values: readonly number[], target: number): number[] {
  if (target > values.length) throw new RangeError('target exceeds the number of values');
  const out = values.map((v) => Math.max(0, v));
  const fixed = new Array<boolean>(out.length).fill(false);
  for (let iter = 0; iter <= out.length; iter++) {
    let free = 0;
    let fixedCount = 0;
    out.forEach((v, i) => {
      if (fixed[i]) fixedCount += 1;
      else free += v;
    });
    const remaining = target - fixedCount;
    if (!(free > 0)) {
      // Nothing left to scale: spread the remainder evenly over the free entries.
      const freeIdx = out.map((_, i) => i).filter((i) => !fixed[i]);
      for (const i of freeIdx) out[i] = remaining / freeIdx.length;
      return out;
    }
    const scale = remaining / free;
    let newlyFixed = false;
    out.forEach((v, i) => {
      if (fixed[i]) return;
      const scaled = v * scale;
      if (scaled >= 1) {
        out[i] = 1;
        fixed[i] = true;
        newlyFixed = true;
      } else out[i] = scaled;
    });
    if (!newlyFixed) return out;
  }
  return out;
}
