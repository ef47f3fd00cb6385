import type { AgentInput } from '../../schemas/agent.js';
import type { CalibrationArtefacts, GroupCalibration } from '../artefacts.js';
import { InvalidAgentInputError } from '../errors.js';
import type { BoundCalibrator, CalibrationSpec } from './calibrate.js';
import { bindCalibrator } from './calibrate.js';
import { pct, toFixedFast } from './format.js';
import { hardNormalise, softmaxNormalise } from './normalise.js';
import { matrixLr, Q_MAX, Q_MIN } from './odds.js';
import type { HarvilleDiscounts } from './place.js';
import { DEFAULT_DISCOUNTS, harvillePlace } from './place.js';

/**
 * One race prepared once for all fifteen strategies. The strategies differ in a few parameters and
 * share most intermediate results: three matrix weights give three matrix-LR vectors, seven
 * (LR weight, matrix weight, normalisation) rows give seven fused fields, and strategies whose fitted
 * calibrators are equal (they were fitted on the same fused outputs) share the calibrated field and its
 * Harville place probabilities. Each result is computed the first time a strategy asks for it, by the
 * same operations in the same order as for a lone strategy, so sharing changes no bit of any output.
 */

export type NormalisationSpec = { kind: 'hard' } | { kind: 'softmax'; temperature: number };

/** SPEC 3 step 1 for one matrix weight: A_i, its clip side, and the per-runner matrix factor. */
export interface LrField {
  value: Float64Array;
  /** The same values as a plain array, for FusedRace.matrixLr. */
  values: readonly number[];
  clipped: ('low' | 'high' | null)[];
  /** 1 + m * (distance_i + weather_i), the step 3 multiplier. */
  factor: Float64Array;
  /** A_i as the reasoning line prints it. */
  text: string[];
}

/** SPEC 3 steps 2-4 for one (LR weight, matrix weight, normalisation). */
export interface FusedField {
  lr: LrField;
  lrWeight: number;
  normalisation: NormalisationSpec;
  /** A_i^w, the Bayesian update's odds multiplier. */
  boost: Float64Array;
  q: Float64Array;
  qClipped: boolean[];
  fused: number[];
  /** The normaliser's weight of every other runner, summed: the field held fixed for interval bounds. */
  restWeight: Float64Array;
  /** "base b x LR A^w -> fused x -> " per runner. */
  prefix: string[];
  points: Map<string, CalibratedField>;
}

/** SPEC 3 steps 5-6 for one fused field and one calibrator. */
export interface CalibratedField {
  calibrator: BoundCalibrator;
  place: number[];
  pointText: string[];
  placeText: string[];
  /** Outputs already built on this field, by uncertainty method (only the ones that read no artefact). */
  shared: Map<string, unknown>;
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

/**
 * SPEC 3 steps 2-3 before the clip, with base probability b: bayesUpdate then matrixAdjust's factor,
 * the same operations with A^w and the factor computed once per runner.
 */
function adjustedRaw(b: number, boost: number, factor: number): number {
  const boosted = b * boost;
  const denom = boosted + (1 - b);
  return (denom > 0 ? boosted / denom : 1) * factor;
}

const clipQ = (raw: number): number => (raw < Q_MIN ? Q_MIN : raw > Q_MAX ? Q_MAX : raw);

/** q_i with the base probability replaced by b (for interval bounds). */
export function adjustedValue(b: number, boost: number, factor: number): number {
  return clipQ(adjustedRaw(b, boost, factor));
}

/** The normaliser's unnormalised weight of one value (hard: itself; softmax: v^(1/T)). */
export function normaliserWeight(v: number, spec: NormalisationSpec): number {
  return spec.kind === 'hard' ? v : Math.exp(Math.log(v) / spec.temperature);
}

const normKey = (spec: NormalisationSpec): string =>
  spec.kind === 'hard' ? 'hard' : `softmax:${spec.temperature}`;

const specKey = (spec: CalibrationSpec): string =>
  spec.kind === 'ensemble' ? `ensemble:${spec.isotonicWeight}:${spec.temperatureWeight}` : spec.kind;

/**
 * Cache keys of a strategy row, kept with the row (the table's rows live for the process): turning
 * fractional weights into strings costs more than the arithmetic they select.
 */
export interface FieldParams {
  lrWeight: number;
  matrixWeight: number;
  normalisation: NormalisationSpec;
  calibration: CalibrationSpec;
}
const paramKeys = new WeakMap<FieldParams, { field: string; spec: string; lrWeightText: string }>();
function keysOf(params: FieldParams): { field: string; spec: string; lrWeightText: string } {
  let keys = paramKeys.get(params);
  if (!keys) {
    keys = {
      field: `${params.lrWeight}|${params.matrixWeight}|${normKey(params.normalisation)}`,
      spec: specKey(params.calibration),
      lrWeightText: String(params.lrWeight),
    };
    paramKeys.set(params, keys);
  }
  return keys;
}

/**
 * Equal calibrators get one small id, so strategies fitted on the same fused outputs share the
 * calibrated field. Only what bindCalibrator reads counts; the interval artefacts differ per strategy
 * and are read per strategy. Ids live as long as the artefact object (loaded once, used for many races).
 */
const calibratorIds = new WeakMap<GroupCalibration, number>();
const idsByContent = new WeakMap<CalibrationArtefacts, Map<string, number>>();
function calibratorId(artefacts: CalibrationArtefacts | null, cal: GroupCalibration): number {
  let id = calibratorIds.get(cal);
  if (id !== undefined) return id;
  const content = JSON.stringify([
    cal.isotonic.x,
    cal.isotonic.y,
    cal.temperature.tau,
    cal.platt.a,
    cal.platt.b,
  ]);
  // A calibrator handed in without its artefact gets an id of its own.
  let registry = artefacts ? idsByContent.get(artefacts) : undefined;
  if (artefacts && !registry) {
    registry = new Map();
    idsByContent.set(artefacts, registry);
  }
  id = registry?.get(content) ?? nextCalibratorId++;
  registry?.set(content, id);
  calibratorIds.set(cal, id);
  return id;
}
let nextCalibratorId = 0;

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates the race once and holds the shared, lazily filled intermediate results. */
export class RaceContext {
  readonly discounts: HarvilleDiscounts;
  /** min(lower, base) and max(upper, base): the quant interval the "none" method propagates. */
  readonly low: Float64Array;
  readonly high: Float64Array;
  private readonly n: number;
  private readonly baseText: string[] = [];
  private readonly lrs = new Map<number, LrField>();
  private readonly fields = new Map<string, FusedField>();
  private readonly places: { win: number[]; place: number[] }[] = [];

  constructor(
    readonly input: AgentInput,
    readonly artefacts: CalibrationArtefacts | null,
  ) {
    validateAgentInput(input);
    const n = input.runners.length;
    this.n = n;
    this.discounts = artefacts?.harville ?? DEFAULT_DISCOUNTS;
    this.low = new Float64Array(n);
    this.high = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = input.runners[i]!;
      this.low[i] = Math.min(r.winProbLower, r.winProbBase);
      this.high[i] = Math.max(r.winProbUpper, r.winProbBase);
      this.baseText.push(pct(r.winProbBase));
    }
  }

  lr(matrixWeight: number): LrField {
    let f = this.lrs.get(matrixWeight);
    if (f) return f;
    const n = this.n;
    const value = new Float64Array(n);
    const factor = new Float64Array(n);
    const clipped: LrField['clipped'] = [];
    const text: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.input.runners[i]!;
      const a = matrixLr(r.lrProduct, r.chemistry, matrixWeight);
      value[i] = a.value;
      clipped.push(a.clipped);
      factor[i] = 1 + matrixWeight * (r.distance + r.weather);
      text.push(toFixedFast(a.value, 2));
    }
    f = { value, values: Array.from(value), clipped, factor, text };
    this.lrs.set(matrixWeight, f);
    return f;
  }

  field(params: FieldParams): FusedField {
    const keys = keysOf(params);
    let f = this.fields.get(keys.field);
    if (f) return f;
    const { lrWeight, matrixWeight, normalisation } = params;
    const n = this.n;
    const lrField = this.lr(matrixWeight);
    const boost = new Float64Array(n);
    const q = new Float64Array(n);
    const qClipped: boolean[] = [];
    for (let i = 0; i < n; i++) {
      // pow(x, 1) is x exactly (an IEEE 754 special case), and most rows have w = 1.
      boost[i] = lrWeight === 1 ? lrField.value[i]! : Math.pow(lrField.value[i]!, lrWeight);
      const raw = adjustedRaw(this.input.runners[i]!.winProbBase, boost[i]!, lrField.factor[i]!);
      q[i] = clipQ(raw);
      qClipped.push(raw < Q_MIN || raw > Q_MAX);
    }
    const qs = Array.from(q);
    const fused =
      normalisation.kind === 'hard' ? hardNormalise(qs) : softmaxNormalise(qs, normalisation.temperature);
    const weights = qs.map((v) => normaliserWeight(v, normalisation));
    const restWeight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let rest = 0;
      for (let j = 0; j < n; j++) if (j !== i) rest += weights[j]!;
      restWeight[i] = rest;
    }
    const prefix = fused.map(
      (x, i) =>
        `base ${this.baseText[i]} x LR ${lrField.text[i]}^${keys.lrWeightText} -> fused ${pct(x)} -> `,
    );
    f = {
      lr: lrField,
      lrWeight,
      normalisation,
      boost,
      q,
      qClipped,
      fused,
      restWeight,
      prefix,
      points: new Map(),
    };
    this.fields.set(keys.field, f);
    return f;
  }

  calibrated(f: FusedField, params: FieldParams, cal: GroupCalibration | null): CalibratedField {
    const spec = params.calibration;
    // With no calibrator every spec is the identity map.
    const key = cal === null ? 'identity' : `${keysOf(params).spec}|${calibratorId(this.artefacts, cal)}`;
    let c = f.points.get(key);
    if (c) return c;
    const calibrator = bindCalibrator(spec, cal, f.fused);
    const place = this.placeFor(calibrator.points);
    c = {
      calibrator,
      place,
      pointText: calibrator.points.map(pct),
      placeText: place.map(pct),
      shared: new Map(),
    };
    f.points.set(key, c);
    return c;
  }

  /** Harville places once per distinct calibrated field (equal fields from different rows share). */
  private placeFor(win: number[]): number[] {
    const seen = this.places.find((p) => sameValues(p.win, win));
    if (seen) return seen.place;
    const place = harvillePlace(win, this.input.placesPaid, this.discounts);
    this.places.push({ win, place });
    return place;
  }
}

export function prepareRace(input: AgentInput, artefacts: CalibrationArtefacts | null): RaceContext {
  return new RaceContext(input, artefacts);
}
