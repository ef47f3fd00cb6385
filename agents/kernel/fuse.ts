import type { AgentInput, AgentRunnerOutput } from '../../schemas/agent.js';
import type { CalibrationArtefacts, GroupCalibration } from '../artefacts.js';
import { DEFAULT_GROUP } from '../artefacts.js';
import type { CalibrationSpec } from './calibrate.js';
import { isotonicValue } from './calibrate.js';
import { runnerConfidence } from './confidence.js';
import { pct, toFixedFast } from './format.js';
import type { CalibratedField, FusedField, NormalisationSpec } from './race-context.js';
import {
  adjustedValue,
  normaliserWeight,
  prepareRace,
  RaceContext,
  validateAgentInput,
} from './race-context.js';
import type { Interval, UncertaintySpec } from './uncertainty.js';
import {
  bootstrapBand,
  conformalHalfWidth,
  conformalInterval,
  credibleInterval,
  orderInterval,
} from './uncertainty.js';

export type { NormalisationSpec };
export { prepareRace, RaceContext, validateAgentInput };

/** Everything that distinguishes one strategy from another (one row of the SPEC 4 table). */
export interface FusionParams {
  lrWeight: number;
  matrixWeight: number;
  calibration: CalibrationSpec;
  normalisation: NormalisationSpec;
  uncertainty: UncertaintySpec;
}

/** Conflict thresholds of SPEC 6.6 on the matrix LR. */
export const CONFLICT_HIGH = 2.5;
export const CONFLICT_LOW = 0.4;

export interface FusedRace {
  runners: AgentRunnerOutput[];
  calibratorVersion: string;
  /** Matrix LR per runner (after clipping), in input order; shared by the strategies of one race. */
  matrixLr: readonly number[];
}

/** The artefact's calibrators for this strategy and group, falling back to the "default" group. */
export function selectCalibration(
  artefacts: CalibrationArtefacts | null,
  strategy: string,
  group: string,
): { cal: GroupCalibration | null; version: string } {
  const groups = artefacts?.strategies[strategy];
  if (!artefacts || !groups) return { cal: null, version: 'identity (no fitted artefact)' };
  const own = groups[group];
  if (own) return { cal: own, version: `${artefacts.version}/${group}` };
  const fallback = groups[DEFAULT_GROUP];
  if (fallback) return { cal: fallback, version: `${artefacts.version}/${DEFAULT_GROUP}` };
  return { cal: null, version: 'identity (no fitted artefact)' };
}

/**
 * The "none" method: the quant interval propagated through steps 1-5 with the rest of the field held
 * fixed (the bound replaces the runner's own q in the normaliser).
 */
function propagated(ctx: RaceContext, f: FusedField, c: CalibratedField, i: number, p: number): Interval {
  const boost = f.boost[i]!;
  const factor = f.lr.factor[i]!;
  const rest = f.restWeight[i]!;
  const ownLo = normaliserWeight(adjustedValue(ctx.low[i]!, boost, factor), f.normalisation);
  const ownHi = normaliserWeight(adjustedValue(ctx.high[i]!, boost, factor), f.normalisation);
  const map = c.calibrator.map;
  return orderInterval(p, map(ownLo / (ownLo + rest)), map(ownHi / (ownHi + rest)));
}

function runnerOutputs(
  ctx: RaceContext,
  f: FusedField,
  c: CalibratedField,
  cal: GroupCalibration | null,
  u: UncertaintySpec,
): AgentRunnerOutput[] {
  const points = c.calibrator.points;
  const identity = c.calibrator.identity;
  const word = identity ? 'uncalibrated' : 'calibrated';
  return ctx.input.runners.map((r, i): AgentRunnerOutput => {
    const x = f.fused[i]!;
    const p = points[i]!;
    const lr = f.lr.value[i]!;
    const clipped = f.lr.clipped[i];
    const flags: string[] = [];
    if (clipped) flags.push(`lr-clipped-${clipped}`);
    if (f.qClipped[i]) flags.push('q-clipped');
    if (lr > CONFLICT_HIGH || lr < CONFLICT_LOW) flags.push('conflict');
    if (identity) flags.push('calibration-identity');

    let interval: Interval;
    if (u.kind === 'conformal' && cal?.conformal) {
      interval = conformalInterval(p, conformalHalfWidth(cal.conformal, u.coverage));
    } else if (u.kind === 'bootstrap' && cal?.bootstrap) {
      const band = bootstrapBand(cal.bootstrap, x);
      // The band is on the raw isotonic scale; move it by the same field renormalisation as p.
      const scale = p / Math.max(1e-6, isotonicValue(cal.isotonic, x));
      interval = orderInterval(p, band.lower * scale, band.upper * scale);
    } else if (u.kind === 'credible' && cal?.bins) {
      interval = credibleInterval(cal.bins, x, p, u.mass);
    } else {
      if (u.kind !== 'none') flags.push(`uncertainty-fallback-none`);
      interval = propagated(ctx, f, c, i, p);
    }
    const confidence = runnerConfidence({
      qualConfidence: r.qualConfidence,
      quantConfidence: r.quantConfidence,
      matrixLr: lr,
      lower: interval.lower,
      upper: interval.upper,
    });
    const reasoning =
      `${f.prefix[i]}${word} ${c.pointText[i]} [${pct(interval.lower)}, ${pct(interval.upper)}]` +
      `, place ${c.placeText[i]}, confidence ${toFixedFast(confidence, 2)}`;
    return {
      horseId: r.horseId,
      winProbFused: x,
      winProbCalibrated: p,
      placeProb: c.place[i]!,
      lower: interval.lower,
      upper: interval.upper,
      confidence,
      flags,
      reasoning,
    };
  });
}

/** Copies built as literals in the fields' order, so every runner output has one shape for the synthesis. */
function copyRunners(runners: readonly AgentRunnerOutput[]): AgentRunnerOutput[] {
  return runners.map((r) => ({
    horseId: r.horseId,
    winProbFused: r.winProbFused,
    winProbCalibrated: r.winProbCalibrated,
    placeProb: r.placeProb,
    lower: r.lower,
    upper: r.upper,
    confidence: r.confidence,
    flags: r.flags.slice(),
    reasoning: r.reasoning,
  }));
}

/**
 * SPEC 3 steps 1-8 for one strategy on a prepared race. Pure: same input, same output. Strategies
 * on one context share every intermediate result they have in common, and whole outputs when only
 * the strategy's name differs (the interval methods that read a strategy's own artefact never share).
 */
export function fuseInContext(ctx: RaceContext, strategy: string, params: FusionParams): FusedRace {
  const f = ctx.field(params);
  const { cal, version } = selectCalibration(ctx.artefacts, strategy, ctx.input.calibrationGroup);
  const c = ctx.calibrated(f, params, cal);
  const u = params.uncertainty;
  const readsArtefact =
    (u.kind === 'conformal' && cal?.conformal) ||
    (u.kind === 'bootstrap' && cal?.bootstrap) ||
    (u.kind === 'credible' && cal?.bins);
  let runners: AgentRunnerOutput[];
  if (readsArtefact) {
    runners = runnerOutputs(ctx, f, c, cal, u);
  } else {
    // Only the fallback flag tells a method that fell back to "none" from "none" itself.
    const key = u.kind === 'none' ? 'none' : 'fallback-none';
    const seen = c.shared.get(key) as AgentRunnerOutput[] | undefined;
    if (seen) runners = copyRunners(seen);
    else {
      runners = runnerOutputs(ctx, f, c, cal, u);
      c.shared.set(key, copyRunners(runners));
    }
  }
  return { runners, calibratorVersion: version, matrixLr: f.lr.values };
}

/** SPEC 3 steps 1-8 for one strategy and one race. Pure: same input, same output. */
export function fuseRace(
  strategy: string,
  params: FusionParams,
  input: AgentInput,
  artefacts: CalibrationArtefacts | null,
): FusedRace {
  return fuseInContext(prepareRace(input, artefacts), strategy, params);
}
