export { createChatModel, createLlmAnalyst } from './analyst.js';
export type { AnalyseOptions, CreateLlmAnalystDeps, LlmAnalysis, LlmAnalyst } from './analyst.js';
export { LlmAnswerSchema, interpretAnswer } from './answer.js';
export type { InterpretedAnswer, LlmAnswer } from './answer.js';
export {
  ACTIVITY_SAFETY_MARGIN_MS,
  DEFAULT_LLM_MODEL,
  LlmConfig,
  costUsd,
  isLlmConfigured,
  loadLlmConfig,
} from './config.js';
export type { LlmConfigView, LlmEnv, LoadLlmConfigOptions } from './config.js';
export {
  LLM_ATTEMPTS_BEFORE_FALLBACK,
  LLM_NON_RETRYABLE_ERROR_TYPES,
  LlmAuthError,
  LlmConfigurationError,
  LlmError,
  LlmInvalidAnswer,
  LlmQuotaExhausted,
  LlmRateLimited,
  LlmRequestError,
  LlmServerError,
  LlmTimeout,
  llmRetryDecision,
} from './errors.js';
export { MAX_RUNS_SHOWN, PROMPT_VERSION, buildPrompt } from './prompt.js';
export type { LlmPrompt } from './prompt.js';
