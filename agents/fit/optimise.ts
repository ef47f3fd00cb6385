/** Small numerical optimisers for the one- and two-parameter likelihoods of the fitting code. */

const PHI = (Math.sqrt(5) - 1) / 2;

/** Maximise a unimodal f on [lo, hi] by golden-section search to the given tolerance. */
export function goldenMax(f: (x: number) => number, lo: number, hi: number, tol = 1e-7): number {
  let a = lo;
  let b = hi;
  let c = b - PHI * (b - a);
  let d = a + PHI * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - PHI * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + PHI * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

export interface Quadratic2 {
  value: number;
  grad: [number, number];
  /** Hessian [[h11, h12], [h12, h22]] of the function being maximised (negative definite near a maximum). */
  hess: [number, number, number];
}

/**
 * Newton's method for a concave 2-parameter objective, with step halving so the objective never
 * decreases; stops when the step is below tol.
 */
export function newtonMax2(
  f: (t: [number, number]) => Quadratic2,
  start: [number, number],
  tol = 1e-10,
): [number, number] {
  let t = start;
  let cur = f(t);
  for (let iter = 0; iter < 100; iter++) {
    const [g1, g2] = cur.grad;
    const [h11, h12, h22] = cur.hess;
    const det = h11 * h22 - h12 * h12;
    if (!(Math.abs(det) > 1e-300)) break;
    // Newton step: t - H^-1 g.
    let s1 = -(h22 * g1 - h12 * g2) / det;
    let s2 = -(-h12 * g1 + h11 * g2) / det;
    let next: [number, number] = [t[0] + s1, t[1] + s2];
    let nf = f(next);
    for (let half = 0; half < 40 && !(nf.value >= cur.value); half++) {
      s1 /= 2;
      s2 /= 2;
      next = [t[0] + s1, t[1] + s2];
      nf = f(next);
    }
    if (!(nf.value >= cur.value)) break;
    t = next;
    cur = nf;
    if (Math.abs(s1) + Math.abs(s2) < tol) break;
  }
  return t;
}
