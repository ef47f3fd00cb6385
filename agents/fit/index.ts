export { fitIsotonic, pavSorted, type CalibrationPoint } from './isotonic.js';
export { fitTemperature, temperatureLogLik, type FieldOutcome } from './temperature.js';
export { fitPlatt } from './platt.js';
export { fitHarvilleLambdas, discountLogLik, type OrderOutcome } from './harville.js';
export { fitMarketBlend, type BlendOutcome } from './market-blend.js';
export {
  ALL_RICH_BLEND_TERMS,
  RICH_BLEND_BASE_TERMS,
  RICH_BLEND_EXTENDED_TERMS,
  RICH_BLEND_TERMS,
  applyRichBlend,
  fitConditionalLogit,
  fitRichBlend,
  hasTermInputs,
  richBlendTerm,
  richBlendTerms,
  richBlendTermsFor,
  type ConditionalLogitRace,
  type RichBlendRace,
  type RichBlendTerm,
} from './rich-blend.js';
export {
  fitStackedStage,
  STACKED_CANDIDATES,
  STACKED_L2,
  type StackedCandidate,
  type StackedFit,
} from './stacked.js';
export { fitBinCounts, fitConformal, fitBootstrap } from './intervals.js';
export { compareRaceIds } from './race-order.js';
export * from './calibration-artefacts.js';
export { CalibrationArtefactsSchema } from '../artefacts.js';
