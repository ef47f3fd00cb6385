/**
 * SPEC 3 step 8. Confidence of one runner's fused probability, in (0, 1]:
 *
 *   c = evidence * agreement * precision
 *   evidence  = 0.25 + 0.75 * (qualConfidence + quantConfidence) / 2      in [0.25, 1]
 *   agreement = 1 - 0.5 * min(1, |ln A| / ln 4)                            in [0.5, 1]
 *   precision = 1 - 0.5 * (upper - lower) / upper   (1 when upper = 0)      in [0.5, 1]
 *
 * evidence: both analysts' own confidence, floored so a runner is never weighted to nothing.
 * agreement: the LR A is the qualitative side disagreeing with the quant base; at the clip bound
 * ln 4 the two sides conflict as much as allowed, halving confidence.
 * precision: relative interval width; an interval reaching 0 halves confidence.
 * Hence c >= 0.25 * 0.5 * 0.5 = 0.0625 > 0 and c = 1 only for full confidence, A = 1, a point interval.
 */
export function runnerConfidence(args: {
  qualConfidence: number;
  quantConfidence: number;
  matrixLr: number;
  lower: number;
  upper: number;
}): number {
  const evidence = 0.25 + (0.75 * (args.qualConfidence + args.quantConfidence)) / 2;
  const agreement = 1 - 0.5 * Math.min(1, Math.abs(Math.log(args.matrixLr)) / Math.log(4));
  const relWidth = args.upper > 0 ? Math.min(1, Math.max(0, (args.upper - args.lower) / args.upper)) : 0;
  const precision = 1 - 0.5 * relWidth;
  return Math.min(1, Math.max(Number.MIN_VALUE, evidence * agreement * precision));
}
