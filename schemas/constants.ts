/** Names every side shares: one place, so no task queue or attribute key is spelled twice. */
export const TASK_QUEUE = 'race-engine';
export const DEFAULT_NAMESPACE = 'default';

/** Custom search attributes registered on the Temporal server (name -> type for `operator search-attribute create`). */
export const SEARCH_ATTRIBUTES = {
  RaceId: 'Keyword',
  Venue: 'Keyword',
  RaceDate: 'Datetime',
  RunStatus: 'Keyword',
  Degraded: 'Bool',
  ModelVersion: 'Keyword',
  /** The calibration artefact a race used, or the one a recalibration run promoted. */
  CalibrationVersion: 'Keyword',
  /** Operations workflows: race-day | results | monitoring | recalibration. */
  JobKind: 'Keyword',
  /** Set by the nightly monitoring run when it raised at least one drift alert. */
  DriftAlert: 'Bool',
} as const;
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

export const RUN_STATUS = [
  'validating',
  'analysing',
  'fusing',
  'synthesising',
  'persisting',
  'completed',
  'failed',
] as const;
export type RunStatus = (typeof RUN_STATUS)[number];

/** Error types a user reads in the Temporal UI and the CLI; workflows mark them non-retryable. */
export const ERROR_TYPES = {
  invalidRaceCard: 'InvalidRaceCard',
  invalidAgentOutput: 'InvalidAgentOutput',
  invalidModelOutput: 'InvalidModelOutput',
  modelArtefactMissing: 'ModelArtefactMissing',
  sandboxPolicyViolation: 'SandboxPolicyViolation',
  sandboxAuth: 'SandboxAuthError',
  llmConfiguration: 'LlmConfigurationError',
  // The names of agents/errors.ts's classes and of zod's error: Temporal types a thrown Error by its name.
  invalidAgentInput: 'InvalidAgentInput',
  synthesisValidation: 'SynthesisValidationError',
  schemaViolation: 'ZodError',
} as const;

/** The fifteen fusion strategies of SPEC section 4, in table order; agents/strategies.ts holds their parameters. */
export const STRATEGY_NAMES = [
  'BayesianUpdater_Conservative',
  'BayesianUpdater_Aggressive',
  'BayesianUpdater_Balanced',
  'CalibrationAgent_Isotonic',
  'CalibrationAgent_Temperature',
  'CalibrationAgent_Platt',
  'FieldNormalizer_Softmax',
  'FieldNormalizer_HardNorm',
  'FieldNormalizer_TemperatureSoftmax',
  'UncertaintyQuant_Conformal',
  'UncertaintyQuant_Bootstrapped',
  'UncertaintyQuant_BayesianCredible',
  'MatrixIntegrator_Conservative',
  'MatrixIntegrator_Aggressive',
  'SynthesisAgent_Ensemble',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const raceWorkflowId = (raceId: string): string => `race-${raceId}`;
export const raceDayWorkflowId = (venue: string, date: string): string => `race-day-${venue}-${date}`;
export const resultsWorkflowId = (raceId: string): string => `results-${raceId}`;
/** Schedule ids are fixed: installing the schedules again updates them instead of adding copies. */
export const SCHEDULE_IDS = {
  monitoring: 'nightly-monitoring',
  recalibration: 'weekly-recalibration',
} as const;
export const JOB_KINDS = ['race-day', 'results', 'monitoring', 'recalibration'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const OPS_ERROR_TYPES = {
  invalidRaceDay: 'InvalidRaceDay',
  invalidResult: 'InvalidResult',
  invalidLateChange: 'InvalidLateChange',
  unknownRace: 'UnknownRace',
} as const;

/** Placed positions that pay, by number of active runners (SPEC section 2). */
export function defaultPlacesPaid(activeRunners: number): number {
  if (activeRunners < 4) return 1;
  if (activeRunners <= 6) return 2;
  return 3;
}
