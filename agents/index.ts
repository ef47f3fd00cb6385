/** Public API of the fusion library: pure, deterministic, no I/O. */
export * from './artefacts.js';
export * from './errors.js';
export { mulberry32, normal, type Rng } from './prng.js';
export { matrixLr, bayesUpdate, matrixAdjust, LR_MIN, LR_MAX, Q_MIN, Q_MAX } from './kernel/odds.js';
export { hardNormalise, softmaxNormalise, normaliseCapped } from './kernel/normalise.js';
export {
  bindCalibrator,
  isotonicValue,
  plattValue,
  temperatureWeight,
  logit,
  sigmoid,
  type CalibrationSpec,
} from './kernel/calibrate.js';
export { harvillePlace, DEFAULT_DISCOUNTS, type HarvilleDiscounts } from './kernel/place.js';
export { betaCdf, betaQuantile, logGamma } from './kernel/beta.js';
export * from './kernel/uncertainty.js';
export { runnerConfidence } from './kernel/confidence.js';
export {
  fuseRace,
  fuseInContext,
  prepareRace,
  RaceContext,
  selectCalibration,
  validateAgentInput,
  type FusionParams,
  type NormalisationSpec,
} from './kernel/fuse.js';
export * from './strategies.js';
export * from './pricing.js';
export * from './synthesis.js';
export * from './fit/index.js';
export * from './simulate.js';
export * from './metrics.js';
export type { AgentInput, AgentOutput, AgentRunnerInput, AgentRunnerOutput } from '../schemas/agent.js';
