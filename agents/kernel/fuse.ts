import type { AgentInput, AgentRunnerOutput } from '../../schemas/agent.js';
import type { CalibrationArtefacts, GroupCalibration } from '../artefacts.js';
import { DEFAULT_GROUP } from '../artefacts.js';
import { InvalidAgentInputError } from '../errors.js';
import type { CalibrationSpec } from './calibrate.js';
import { bindCalibrator, isotonicValue } from './calibrate.js';
import { runnerConfidence } from './confidence.js';
import { bayesUpdate, matrixAdjust, matrixLr } from './odds.js';
import { hardNormalise, softmaxNormalise } from './normalise.js';
import type { HarvilleDiscounts } from './place.js';
import { DEFAULT_DISCOUNTS, harvillePlace } from './place.js';
import type { Interval, UncertaintySpec } from './uncertainty.js';
import {
  bootstrapBand,
  conformalHalfWidth,
  conformalInterval,
  credibleInterval,
  orderInterval,
} from './uncertainty.js';

export type NormalisationSpec = { kind: 'hard' } | { kind: 'softmax'; temperature: number };

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
  /** Matrix LR per runner (after clipping), in input order; synthesis reuses it for flags. */
  matrixLr: number[];
}

export function validateAgentInput(input: AgentInput): void {
  const n = input.runners.length;
  if (n < 2) throw new InvalidAgentInputError(`race ${input.raceId}: at least 2 runners needed`);
  if (input.placesPaid > n) {
    throw new InvalidAgentInputError(
      `race ${input.raceId}: placesPaid ${input.placesPaid} exceeds ${n} runners`,
    );
  }
  const ids = new Set(input.runners.map((r) => r.horseId));
  if (ids.size !== n) throw new InvalidAgentInputError(`race ${input.raceId}: horse ids are not unique`);
  for (const r of input.runners) {
    if (!(r.lrProduct > 0) || !Number.isFinite(r.lrProduct) || !(r.chemistry > 0)) {
      throw new InvalidAgentInputError(
        `race ${input.raceId}: runner ${r.horseId} has an invalid LR or chemistry`,
      );
    }
  }
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

function normaliseField(q: readonly number[], spec: NormalisationSpec): number[] {
  return spec.kind === 'hard' ? hardNormalise(q) : softmaxNormalise(q, spec.temperature);
}

/** The normalised value runner i would get with q_i replaced by `qi`, the rest of the field unchanged. */
function normaliseOne(q: readonly number[], i: number, qi: number, spec: NormalisationSpec): number {
  const weight = (v: number): number => (spec.kind === 'hard' ? v : Math.exp(Math.log(v) / spec.temperature));
  let rest = 0;
  q.forEach((v, j) => {
    if (j !== i) rest += weight(v);
  });
  const own = weight(qi);
  return own / (own + rest);
}

const pct = (p: number): string => `${(100 * p).toFixed(1)}%`;

/** SPEC 3 steps 1-8 for one strategy and one race. Pure: same input, same output. */
export function fuseRace(
  strategy: string,
  params: FusionParams,
  input: AgentInput,
  artefacts: CalibrationArtefacts | null,
): FusedRace {
  validateAgentInput(input);
  const runners = input.runners;
  const lrs = runners.map((r) => matrixLr(r.lrProduct, r.chemistry, params.matrixWeight));
  const adjust = (base: number, i: number): { value: number; clipped: boolean } => {
    const r = runners[i];
    const lr = lrs[i];
    if (!r || !lr) throw new InvalidAgentInputError('runner index out of range');
    return matrixAdjust(
      bayesUpdate(base, lr.value, params.lrWeight),
      params.matrixWeight,
      r.distance,
      r.weather,
    );
  };
  const adjusted = runners.map((r, i) => adjust(r.winProbBase, i));
  const q = adjusted.map((a) => a.value);
  const fused = normaliseField(q, params.normalisation);

  const { cal, version } = selectCalibration(artefacts, strategy, input.calibrationGroup);
  const calibrator = bindCalibrator(params.calibration, cal, fused);
  const calibrated = calibrator.points;
  const discounts: HarvilleDiscounts = artefacts?.harville ?? DEFAULT_DISCOUNTS;
  const place = harvillePlace(calibrated, input.placesPaid, discounts);

  const out = runners.map((r, i): AgentRunnerOutput => {
    const x = fused[i] ?? 0;
    const p = calibrated[i] ?? 0;
    const lr = lrs[i] ?? { value: 1, clipped: null };
    const flags: string[] = [];
    if (lr.clipped) flags.push(`lr-clipped-${lr.clipped}`);
    if (adjusted[i]?.clipped) flags.push('q-clipped');
    if (lr.value > CONFLICT_HIGH || lr.value < CONFLICT_LOW) flags.push('conflict');
    if (calibrator.identity) flags.push('calibration-identity');

    const propagate = (): Interval => {
      const lo = Math.min(r.winProbLower, r.winProbBase);
      const hi = Math.max(r.winProbUpper, r.winProbBase);
      const fusedLo = normaliseOne(q, i, adjust(lo, i).value, params.normalisation);
      const fusedHi = normaliseOne(q, i, adjust(hi, i).value, params.normalisation);
      return orderInterval(p, calibrator.map(fusedLo), calibrator.map(fusedHi));
    };
    let interval: Interval;
    const u = params.uncertainty;
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
      interval = propagate();
    }
    const confidence = runnerConfidence({
      qualConfidence: r.qualConfidence,
      quantConfidence: r.quantConfidence,
      matrixLr: lr.value,
      lower: interval.lower,
      upper: interval.upper,
    });
    const reasoning =
      `base ${pct(r.winProbBase)} x LR ${lr.value.toFixed(2)}^${params.lrWeight} -> fused ${pct(x)}` +
      ` -> ${calibrator.identity ? 'uncalibrated' : 'calibrated'} ${pct(p)} [${pct(interval.lower)}, ${pct(interval.upper)}]` +
      `, place ${pct(place[i] ?? 0)}, confidence ${confidence.toFixed(2)}`;
    return {
      horseId: r.horseId,
      winProbFused: x,
      winProbCalibrated: p,
      placeProb: place[i] ?? 0,
      lower: interval.lower,
      upper: interval.upper,
      confidence,
      flags,
      reasoning,
    };
  });
  return { runners: out, calibratorVersion: version, matrixLr: lrs.map((l) => l.value) };
}
