import { DEFAULTS } from '../config/defaults.js';
import type { AgentInput, AgentOutput } from '../schemas/agent.js';
import { AgentOutputSchema } from '../schemas/agent.js';
import type { AgentFailure } from '../schemas/result.js';
import type { CalibrationArtefacts } from './artefacts.js';
import { SynthesisValidationError } from './errors.js';
import { hardNormalise, normaliseCapped, sum } from './kernel/normalise.js';
import { DEFAULT_DISCOUNTS, harvillePlace } from './kernel/place.js';
import type { PricingOptions } from './pricing.js';
import { interestMarketProbs, price } from './pricing.js';
import { applyRichBlend, richBlendTermsFor } from './fit/rich-blend.js';
import { FALLBACK_STRATEGY, runStrategy } from './strategies.js';

/** SPEC 6: outliers, confidence-weighted consensus, market blend, pricing, validation. */

export interface SynthesisOptions extends PricingOptions {
  /** Minimum successful agents before falling back to the single sequential fusion. */
  quorum: number;
  /** Values further than k standard deviations from the runner's mean are dropped. */
  k: number;
  /** An agent dropped on more than this share of runners is an outlier agent. */
  outlierAgentShare: number;
}

/** Every synthesis default, in one place. */
export const SYNTHESIS_DEFAULTS: Readonly<SynthesisOptions> = Object.freeze({
  ...DEFAULTS.race,
  k: 2,
  outlierAgentShare: 0.25,
  stakeCap: 0.1,
});

/** Sums must hold within this (SPEC 6.6). */
export const SUM_TOLERANCE = 1e-9;

export interface SynthesisInput {
  input: AgentInput;
  agentOutputs: AgentOutput[];
  failures: AgentFailure[];
  marketOdds: Record<string, number | undefined>;
  /** horseId -> betting interest; runners sharing one are one market price (absent: one per runner). */
  bettingInterests?: Record<string, string>;
  artefacts: CalibrationArtefacts | null;
  options?: Partial<SynthesisOptions>;
}

export interface SynthesisRunner {
  horseId: string;
  winProbModel: number;
  winProbFinal: number;
  placeProb: number;
  /** Interval around winProbModel (the market blend does not carry an interval). */
  lower: number;
  upper: number;
  confidence: number;
  consensusScore: number;
  fairOdds: number;
  marketProb?: number;
  edge?: number;
  kellyFraction?: number;
  stake?: number;
  /** Strategies whose value for this runner was dropped as an outlier. */
  droppedAgents: string[];
  flags: string[];
}

export interface SynthesisSummary {
  quorum: number;
  agentsSucceeded: number;
  agentsFailed: AgentFailure[];
  outlierAgents: string[];
  droppedValues: number;
  consensusScore: number;
  effectiveEstimates: number;
  marketBlend: { alpha: number; beta: number; version: string } | null;
  /** Set when the one-stage blend gave the final probabilities (it takes precedence over alpha/beta). */
  richBlend?: { terms: Record<string, number>; version: string };
}

export interface SynthesisExplanation {
  agentsUsed: string[];
  outlierAgents: string[];
  calibratorVersions: Record<string, string>;
  marketBlend: string;
  summary: string;
}

export interface SynthesisResult {
  raceId: string;
  placesPaid: number;
  degraded: boolean;
  runners: SynthesisRunner[];
  summary: SynthesisSummary;
  explanation: SynthesisExplanation;
}

/**
 * Agent outputs that arrive over a boundary (an activity's payload) checked against the schema: the
 * ones that break it become InvalidAgentOutput failures. The synthesis activity runs this once; the
 * in-process pipeline builds its outputs from the library's own types and skips it.
 */
export function screenAgentOutputs(outputs: readonly AgentOutput[]): {
  valid: AgentOutput[];
  failures: AgentFailure[];
} {
  const valid: AgentOutput[] = [];
  const failures: AgentFailure[] = [];
  for (const o of outputs) {
    const parsed = AgentOutputSchema.safeParse(o);
    if (parsed.success) valid.push(o);
    else
      failures.push({
        strategy: typeof o?.strategy === 'string' ? o.strategy : 'unknown',
        errorType: 'InvalidAgentOutput',
        message: parsed.error.issues[0]?.message ?? 'schema mismatch',
      });
  }
  return { valid, failures };
}

/** Reasons a schema-valid agent output cannot be used here: runner set, or broken sums. */
function outputProblem(output: AgentOutput, input: AgentInput): string | null {
  const runners = input.runners;
  if (
    output.runners.length !== runners.length ||
    output.runners.some((r, i) => r.horseId !== runners[i]!.horseId)
  ) {
    return 'runners do not match the race input';
  }
  const win = sum(output.runners.map((r) => r.winProbCalibrated));
  if (Math.abs(win - 1) > 1e-6) return `win probabilities sum to ${win}`;
  return null;
}

/**
 * Effective number of distinct estimates: agents are grouped by identical winProbCalibrated vectors
 * (rounded to 1e-9), and the count is the exponential of the Shannon entropy of the group shares
 * (Hill number of order 1). It equals the count of distinct vectors when the groups are equal and
 * shrinks when one shared estimate carries most agents, which is what it contributes to a consensus
 * weighted per agent: seven agents repeating one estimate are not seven independent opinions.
 */
export function effectiveEstimates(outputs: readonly AgentOutput[]): number {
  // Grouped by comparing the rounded vectors themselves: the same groups, in the same order of first
  // appearance, as keying a map by the vectors joined into strings, without formatting 200 numbers.
  const keys: number[][] = [];
  const counts: number[] = [];
  for (const o of outputs) {
    const key = o.runners.map((r) => Math.round(r.winProbCalibrated * 1e9));
    const g = keys.findIndex((k) => sameRounded(k, key));
    if (g >= 0) counts[g]! += 1;
    else {
      keys.push(key);
      counts.push(1);
    }
  }
  let entropy = 0;
  for (const count of counts) {
    const share = count / outputs.length;
    entropy -= share * Math.log(share);
  }
  return Math.exp(entropy);
}

/** Equal as their decimal strings are equal: -0 and 0 alike, NaN equal to NaN. */
function sameRounded(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

/** SPEC 6.6: every probability in [0,1], intervals contain p, win sums to 1 and place to placesPaid. */
export function validateSynthesis(
  runners: readonly SynthesisRunner[],
  placesPaid: number,
  raceId: string,
): void {
  const inRange = (v: number): boolean => v >= 0 && v <= 1 && Number.isFinite(v);
  for (const r of runners) {
    for (const v of [r.winProbModel, r.winProbFinal, r.placeProb, r.lower, r.upper]) {
      if (!inRange(v))
        throw new SynthesisValidationError(`race ${raceId}: ${r.horseId} has probability ${v}`);
    }
    if (!(r.lower <= r.winProbModel && r.winProbModel <= r.upper)) {
      throw new SynthesisValidationError(`race ${raceId}: ${r.horseId} interval does not contain p`);
    }
  }
  for (const [name, target, total] of [
    ['model win', 1, sum(runners.map((r) => r.winProbModel))],
    ['final win', 1, sum(runners.map((r) => r.winProbFinal))],
    ['place', placesPaid, sum(runners.map((r) => r.placeProb))],
  ] as const) {
    if (Math.abs(total - target) > SUM_TOLERANCE) {
      throw new SynthesisValidationError(
        `race ${raceId}: ${name} probabilities sum to ${total}, expected ${target}`,
      );
    }
  }
}

/** Benter's two-stage blend: final_i proportional to exp(alpha ln p_i + beta ln m_i). */
export function marketBlend(
  model: readonly number[],
  market: readonly number[],
  alpha: number,
  beta: number,
): number[] {
  const scores = model.map(
    (p, i) => alpha * Math.log(Math.max(p, 1e-300)) + beta * Math.log(Math.max(market[i] ?? 0, 1e-300)),
  );
  const max = Math.max(...scores);
  return hardNormalise(scores.map((s) => Math.exp(s - max)));
}

export function synthesise(args: SynthesisInput): SynthesisResult {
  const opts: SynthesisOptions = { ...SYNTHESIS_DEFAULTS, ...args.options };
  const { input, artefacts } = args;
  const failures: AgentFailure[] = [...args.failures];
  const valid: AgentOutput[] = [];
  for (const o of args.agentOutputs) {
    const problem = outputProblem(o, input);
    if (problem === null) valid.push(o);
    else failures.push({ strategy: o.strategy, errorType: 'InvalidAgentOutput', message: problem });
  }

  // Below quorum: the single sequential fusion, computed here, and the result says so.
  const degraded = valid.length < opts.quorum;
  const used = degraded ? [runStrategy(FALLBACK_STRATEGY, input, artefacts)] : valid;
  const n = input.runners.length;

  const dropped: boolean[][] = used.map(() => new Array<boolean>(n).fill(false));
  const agents = used.length;
  const rawWin: number[] = [];
  const rawPlace: number[] = [];
  const rawLower: number[] = [];
  const rawUpper: number[] = [];
  const confidence: number[] = [];
  const consensus: number[] = [];
  // One pass per runner over the agents, sums accumulated in agent order from 0: the same operations
  // as mean, variance and weighted means over the kept values, without the per-runner arrays.
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let a = 0; a < agents; a++) total += used[a]!.runners[i]!.winProbCalibrated;
    const mu = total / agents;
    let squares = 0;
    for (let a = 0; a < agents; a++) squares += (used[a]!.runners[i]!.winProbCalibrated - mu) ** 2;
    const sigma = Math.sqrt(squares / agents);
    // sigma ~ 0 means the agents agree: there is nothing to call an outlier.
    const flat = sigma <= 1e-12 + 1e-9 * Math.abs(mu);
    let kept = 0;
    let wSum = 0;
    let win = 0;
    let place = 0;
    let lower = 0;
    let upper = 0;
    let keptWin = 0;
    for (let a = 0; a < agents; a++) {
      const r = used[a]!.runners[i]!;
      const drop = !flat && Math.abs(r.winProbCalibrated - mu) > opts.k * sigma;
      dropped[a]![i] = drop;
      if (drop) continue;
      kept += 1;
      wSum += r.confidence;
      win += r.winProbCalibrated * r.confidence;
      place += r.placeProb * r.confidence;
      lower += r.lower * r.confidence;
      upper += r.upper * r.confidence;
      keptWin += r.winProbCalibrated;
    }
    rawWin.push(win / wSum);
    rawPlace.push(place / wSum);
    rawLower.push(lower / wSum);
    rawUpper.push(upper / wSum);
    confidence.push(wSum / kept);
    const keptMu = keptWin / kept;
    let keptSquares = 0;
    for (let a = 0; a < agents; a++) {
      if (dropped[a]![i]) continue;
      keptSquares += (used[a]!.runners[i]!.winProbCalibrated - keptMu) ** 2;
    }
    const keptSigma = Math.sqrt(keptSquares / kept);
    consensus.push(keptMu > 0 ? 1 - Math.min(1, keptSigma / keptMu) : 0);
  }

  const winScale = 1 / sum(rawWin);
  const winModel = rawWin.map((v) => v * winScale);
  const place = normaliseCapped(rawPlace, input.placesPaid);

  const outlierAgents: string[] = [];
  let droppedValues = 0;
  for (let a = 0; a < agents; a++) {
    let count = 0;
    for (const d of dropped[a]!) if (d) count += 1;
    droppedValues += count;
    if (count > opts.outlierAgentShare * n) outlierAgents.push(used[a]!.strategy);
  }

  const odds = input.runners.map((r) => args.marketOdds[r.horseId]);
  const market = interestMarketProbs(
    odds,
    input.runners.map((r) => args.bettingInterests?.[r.horseId] ?? r.horseId),
  );
  const blend = artefacts?.marketBlend ?? null;
  const rich = artefacts?.richBlend ?? null;
  const richBlended = market && rich ? applyRichBlend(rich, input.runners, market) : null;
  // The terms that gave the final probabilities: the blend's own, or its base-term fallback when a
  // runner lacks the optional extras (lrGroups, quantMembers) an extended term reads.
  const richTerms = rich ? richBlendTermsFor(rich, input.runners) : [];
  const blended =
    richBlended ?? (market && blend ? marketBlend(winModel, market, blend.alpha, blend.beta) : null);
  const blendNote = richBlended
    ? `one-stage market blend over ${richTerms.map((t) => t.name).join(', ')}`
    : blended
      ? `blended with the market (alpha ${blend?.alpha.toFixed(3)}, beta ${blend?.beta.toFixed(3)})`
      : !blend && !rich
        ? 'model only: no fitted market blend'
        : 'model only: not every runner has market odds';

  // Place probabilities must agree with the win probabilities a user bets on: after a market blend they
  // are derived again from the final win probabilities (discounted Harville), never left at the model's.
  const finalPlace = blended
    ? harvillePlace(blended, input.placesPaid, artefacts?.harville ?? DEFAULT_DISCOUNTS)
    : place;

  const runners = input.runners.map((r, i): SynthesisRunner => {
    const p = winModel[i] ?? 0;
    const final = blended?.[i] ?? p;
    const bounds = {
      lower: Math.min(p, Math.max(0, (rawLower[i] ?? 0) * winScale)),
      upper: Math.max(p, Math.min(1, (rawUpper[i] ?? 1) * winScale)),
    };
    const droppedAgents = used.filter((_, a) => dropped[a]![i]).map((o) => o.strategy);
    const flags = new Set<string>();
    for (const o of used)
      for (const f of o.runners[i]!.flags)
        if (f.startsWith('lr-clipped') || f.startsWith('conflict') || f.startsWith('q-clipped')) flags.add(f);
    if (degraded) flags.add('degraded');
    if (droppedAgents.length > 0) flags.add('outlier-values-dropped');
    flags.add(blended ? 'market-blended' : 'model-only');
    return {
      horseId: r.horseId,
      winProbModel: p,
      winProbFinal: final,
      placeProb: finalPlace[i] ?? 0,
      lower: bounds.lower,
      upper: bounds.upper,
      confidence: confidence[i] ?? 0,
      consensusScore: consensus[i] ?? 0,
      ...(market ? { marketProb: market[i] } : {}),
      ...price(final, odds[i], opts),
      droppedAgents,
      flags: [...flags].sort(),
    };
  });
  validateSynthesis(runners, input.placesPaid, input.raceId);

  const raceScore = sum(consensus) / n;
  const summary: SynthesisSummary = {
    quorum: opts.quorum,
    agentsSucceeded: valid.length,
    agentsFailed: failures,
    outlierAgents,
    droppedValues,
    consensusScore: raceScore,
    effectiveEstimates: effectiveEstimates(used),
    marketBlend:
      blended && blend && !richBlended
        ? { alpha: blend.alpha, beta: blend.beta, version: artefacts?.version ?? 'unknown' }
        : null,
    ...(richBlended && rich
      ? {
          richBlend: {
            terms: Object.fromEntries(richTerms.map((t) => [t.name, t.coef])),
            version: artefacts?.version ?? 'unknown',
          },
        }
      : {}),
  };
  const calibratorVersions = Object.fromEntries(used.map((o) => [o.strategy, o.calibratorVersion]));
  const explanation: SynthesisExplanation = {
    agentsUsed: used.map((o) => o.strategy),
    outlierAgents,
    calibratorVersions,
    marketBlend: blendNote,
    summary:
      (degraded
        ? `DEGRADED: ${valid.length} of ${opts.quorum} required agents succeeded; fell back to ${FALLBACK_STRATEGY}. `
        : `${valid.length} agents, ${droppedValues} outlier values dropped, ${outlierAgents.length} outlier agents. `) +
      `Consensus ${raceScore.toFixed(3)}, ${summary.effectiveEstimates.toFixed(2)} effective estimates; ${blendNote}.`,
  };
  return { raceId: input.raceId, placesPaid: input.placesPaid, degraded, runners, summary, explanation };
}
