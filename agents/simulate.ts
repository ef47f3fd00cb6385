import type { AgentInput } from '../schemas/agent.js';
import type { HarvilleDiscounts } from './kernel/place.js';
import { DEFAULT_DISCOUNTS } from './kernel/place.js';
import type { Rng } from './prng.js';
import { normal } from './prng.js';

/**
 * Races drawn from a known model, for recovery tests of the fitting code and for the benchmark.
 * Truth: win probabilities proportional to (base_i * LR_i)^(1/temperature); finishing orders by
 * discounted Harville with the given lambdas; market odds from the truth with log-normal noise and an
 * overround.
 */
export interface SimulationOptions {
  minRunners: number;
  maxRunners: number;
  /** Spread of log-strengths; about 1 gives HK-like favourites near 30%. */
  spread: number;
  /** Truth = calibrated^(1/temperature): a model with temperature 1.3 is over-confident. */
  temperature: number;
  /** Standard deviation of the qualitative log-LR signal; 0 gives LR = 1 and fused = base. */
  lrSignal: number;
  discounts: HarvilleDiscounts;
  marketNoise: number;
  overround: number;
  calibrationGroup: string;
}

export const SIMULATION_DEFAULTS: SimulationOptions = {
  minRunners: 8,
  maxRunners: 14,
  spread: 1,
  temperature: 1,
  lrSignal: 0,
  discounts: DEFAULT_DISCOUNTS,
  marketNoise: 0.3,
  overround: 1.2,
  calibrationGroup: 'sim',
};

export interface SimulatedRace {
  input: AgentInput;
  winnerHorseId: string;
  finishOrder: string[];
  marketOdds: Record<string, number>;
  trueWin: number[];
}

function normalise(w: readonly number[]): number[] {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

function draw(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] ?? 0;
    if (u <= 0) return i;
  }
  return weights.length - 1;
}

/** Discounted Harville finishing order: k-th place drawn with weights p^lambda_k (lambda_3 thereafter). */
export function drawFinishOrder(rng: Rng, win: readonly number[], discounts: HarvilleDiscounts): number[] {
  const left = win.map((_, i) => i);
  const order: number[] = [];
  while (left.length > 0) {
    const k = order.length;
    const lambda = k === 0 ? 1 : k === 1 ? discounts.lambda2 : discounts.lambda3;
    const pick = draw(
      rng,
      left.map((i) => Math.pow(win[i] ?? 0, lambda)),
    );
    order.push(left[pick] ?? 0);
    left.splice(pick, 1);
  }
  return order;
}

export function simulateRace(
  rng: Rng,
  raceId: string,
  options: Partial<SimulationOptions> = {},
): SimulatedRace {
  const o = { ...SIMULATION_DEFAULTS, ...options };
  const n = o.minRunners + Math.floor(rng() * (o.maxRunners - o.minRunners + 1));
  const base = normalise(Array.from({ length: n }, () => Math.exp(o.spread * normal(rng))));
  const lr = base.map(() => Math.exp(o.lrSignal * normal(rng)));
  const trueWin = normalise(base.map((b, i) => Math.pow(b * (lr[i] ?? 1), 1 / o.temperature)));
  const ids = base.map((_, i) => `${raceId}-h${i + 1}`);
  const order = drawFinishOrder(rng, trueWin, o.discounts);
  const market = normalise(trueWin.map((p) => p * Math.exp(o.marketNoise * normal(rng))));
  const input: AgentInput = {
    raceId,
    placesPaid: n < 4 ? 1 : n <= 6 ? 2 : 3,
    calibrationGroup: o.calibrationGroup,
    runners: base.map((b, i) => ({
      horseId: ids[i] ?? '',
      winProbBase: b,
      winProbLower: b * 0.8,
      winProbUpper: Math.min(1, b * 1.2),
      quantConfidence: 0.7,
      lrProduct: lr[i] ?? 1,
      chemistry: 1,
      distance: 0,
      weather: 0,
      qualConfidence: 0.6,
    })),
  };
  return {
    input,
    winnerHorseId: ids[order[0] ?? 0] ?? '',
    finishOrder: order.map((i) => ids[i] ?? ''),
    marketOdds: Object.fromEntries(
      ids.map((id, i) => [id, Math.min(99, Math.max(1.01, 1 / ((market[i] ?? 0) * o.overround)))]),
    ),
    trueWin,
  };
}
