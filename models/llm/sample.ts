/**
 * About `n` race ids spread evenly over [from, until): a local model answers a race in 15-20 s, so a
 * sample, not every training race, is what a fit or a backtest can afford.
 */
export function sampleEvery(from: number, until: number, n: number): (raceId: number) => boolean {
  const step = Math.max(1, Math.floor((until - from) / n));
  return (id) => id >= from && id < until && (until - 1 - id) % step === 0;
}
