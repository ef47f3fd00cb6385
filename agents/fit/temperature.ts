import { goldenMax } from './optimise.js';

/** A race for race-level fitting: the field's probabilities and the winner's index. */
export interface FieldOutcome {
  probs: readonly number[];
  winner: number;
}

/** Race-softmax log-likelihood of tau: sum over races of ln(p_w^(1/tau) / sum_j p_j^(1/tau)). */
export function temperatureLogLik(races: readonly FieldOutcome[], tau: number): number {
  let ll = 0;
  for (const r of races) {
    const logs = r.probs.map((p) => Math.log(Math.max(p, 1e-300)) / tau);
    const max = Math.max(...logs);
    let z = 0;
    for (const l of logs) z += Math.exp(l - max);
    ll += (logs[r.winner] ?? 0) - max - Math.log(z);
  }
  return ll;
}

/** Maximum-likelihood tau, by golden-section on ln tau over [0.1, 10] (the likelihood is unimodal there). */
export function fitTemperature(races: readonly FieldOutcome[]): number {
  if (races.length === 0) return 1;
  const logTau = goldenMax((lt) => temperatureLogLik(races, Math.exp(lt)), Math.log(0.1), Math.log(10), 1e-6);
  return Math.exp(logTau);
}
