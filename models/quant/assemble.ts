import type { QuantRunner } from '../../schemas/quant.js';
import type { IntervalBin, QuantModelMetadata } from './metadata.js';
import { harvillePlaceProbs } from './place.js';

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Per-race softmax at temperature 1: the conditional logit's own probability model. */
export function raceSoftmax(scores: ArrayLike<number>): number[] {
  const xs = Array.from(scores);
  const m = Math.max(...xs);
  const e = xs.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/**
 * Interval ratios from the calibration bin the probability falls in (bins come from cross-fitted
 * training predictions): with m the bin's mean prediction, o its observed win rate over n runners
 * and s = sqrt(o(1 - o)/n), the interval is p * [(o - 1.96 s)/m, (o + 1.96 s)/m], widened so that it
 * always contains p. It therefore covers both the bin's miscalibration and its sampling error.
 * A bin with fewer than 30 runners gives the fallback p * [0.5, 1.5].
 */
export function intervalRatios(p: number, bins: IntervalBin[]): [number, number] {
  const bin = bins.find((b) => p >= b.lo && p < b.hi) ?? bins[bins.length - 1];
  if (!bin || bin.n < 30 || bin.meanPred === null || bin.observed === null || bin.meanPred <= 0)
    return [0.5, 1.5];
  const s = Math.sqrt((bin.observed * (1 - bin.observed)) / bin.n);
  return [
    Math.min(1, Math.max(0, bin.observed - 1.96 * s) / bin.meanPred),
    Math.max(1, (bin.observed + 1.96 * s) / bin.meanPred),
  ];
}

/**
 * Confidence from history depth: c = 0.15 + 0.85 (1 - e^(-runs/4)), times 0.7 when no past run has a
 * finishing time (the speed features are then defaults). A debutant gets 0.15 (0.105 without times).
 */
export function quantConfidence(pastRuns: number, hasSpeed: boolean): number {
  return clip((0.15 + 0.85 * (1 - Math.exp(-pastRuns / 4))) * (hasSpeed ? 1 : 0.7), 0, 1);
}

/**
 * Everything QuantOutput needs per runner, from the pooled scores, each member's raw scores and the
 * feature rows. modelScores holds each member's own race softmax (the ranker's raw scale is not
 * calibrated; the pool weights rescale it) and the pooled probability under the model version.
 */
export function assembleQuantRunners(
  horseIds: string[],
  rows: Float32Array[],
  scores: ArrayLike<number>,
  meta: QuantModelMetadata,
  placesPaid: number,
  memberScores: Record<string, ArrayLike<number>> = {},
): QuantRunner[] {
  const win = raceSoftmax(scores);
  const memberProbs = Object.entries(memberScores).map(([name, s]) => [name, raceSoftmax(s)] as const);
  const place = harvillePlaceProbs(win, placesPaid);
  const names = meta.featureNames;
  const runsIdx = names.indexOf('log_runs');
  const speedMissingIdx = names.indexOf('speed_missing');
  return horseIds.map((horseId, i) => {
    const row = rows[i] as Float32Array;
    const p = win[i] as number;
    const pl = clip(place[i] as number, 0, 1);
    const [lo, hi] = intervalRatios(p, meta.intervalBins.bins);
    const contributions = names.map((name, j) => {
      const z =
        ((row[j] as number) - (meta.standardiser.mean[j] as number)) / (meta.standardiser.std[j] as number);
      return { name, value: row[j] as number, contribution: (meta.coefficients[j] as number) * z };
    });
    const topFeatures = contributions
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, 10);
    const pastRuns = runsIdx >= 0 ? Math.round(Math.expm1(row[runsIdx] as number)) : 0;
    const hasSpeed = speedMissingIdx >= 0 ? row[speedMissingIdx] === 0 : true;
    return {
      horseId,
      winProbBase: p,
      placeProbBase: pl,
      winProbLower: clip(p * lo, 0, p),
      winProbUpper: clip(p * hi, p, 1),
      placeProbLower: clip(pl * lo, 0, pl),
      placeProbUpper: clip(pl * hi, pl, 1),
      modelScores: {
        ...Object.fromEntries(memberProbs.map(([name, probs]) => [name, probs[i] as number])),
        [meta.modelVersion]: p,
      },
      topFeatures,
      confidence: quantConfidence(pastRuns, hasSpeed),
    };
  });
}
