/**
 * Named failures of the LLM analyst. `type` equals the class name so the activity can turn each one
 * into an ApplicationFailure of that type, and workflows list the non-retryable ones by name.
 *
 * `retryable` says whether another attempt may succeed; `llmRetryDecision` below is the one place that
 * turns it, with the attempt number, into what the qual activity does next.
 * - LlmTimeout, LlmRateLimited, LlmServerError, LlmInvalidAnswer: retryable (a sampled answer may
 *   come out right the next time; a model that answered off-schema three times will likely go on).
 * - LlmAuthError, LlmQuotaExhausted, LlmRequestError, LlmConfigurationError: non-retryable.
 */
export abstract class LlmError extends Error {
  abstract readonly type: string;
  abstract readonly retryable: boolean;
  /** HTTP status of the failed call, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export class LlmTimeout extends LlmError {
  override readonly name = 'LlmTimeout';
  readonly type = 'LlmTimeout';
  readonly retryable = true;
}

export class LlmRateLimited extends LlmError {
  override readonly name = 'LlmRateLimited';
  readonly type = 'LlmRateLimited';
  readonly retryable = true;
}

export class LlmServerError extends LlmError {
  override readonly name = 'LlmServerError';
  readonly type = 'LlmServerError';
  readonly retryable = true;
}

export class LlmInvalidAnswer extends LlmError {
  override readonly name = 'LlmInvalidAnswer';
  readonly type = 'LlmInvalidAnswer';
  readonly retryable = true;
}

export class LlmAuthError extends LlmError {
  override readonly name = 'LlmAuthError';
  readonly type = 'LlmAuthError';
  readonly retryable = false;
}

/** 429 with `insufficient_quota`: waiting will not help until someone pays. */
export class LlmQuotaExhausted extends LlmError {
  override readonly name = 'LlmQuotaExhausted';
  readonly type = 'LlmQuotaExhausted';
  readonly retryable = false;
}

/** Other 4xx (bad request, unknown model, context too long): the same request fails the same way. */
export class LlmRequestError extends LlmError {
  override readonly name = 'LlmRequestError';
  readonly type = 'LlmRequestError';
  readonly retryable = false;
}

/** Type string shared with schemas/constants.ts ERROR_TYPES.llmConfiguration. */
export class LlmConfigurationError extends LlmError {
  override readonly name = 'LlmConfigurationError';
  readonly type = 'LlmConfigurationError';
  readonly retryable = false;
}

export const LLM_NON_RETRYABLE_ERROR_TYPES = [
  'LlmAuthError',
  'LlmQuotaExhausted',
  'LlmRequestError',
  'LlmConfigurationError',
] as const;

/** Attempts the LLM gets (Temporal's `info.attempt`, from 1) before the evidence model answers instead. */
export const LLM_ATTEMPTS_BEFORE_FALLBACK = 3;

/**
 * What the qual activity does after the LLM analyst failed on this attempt: 'retry' lets Temporal run it
 * again, 'fallback' has the evidence model answer now. Only a retryable LlmError is retried, and only
 * before the last LLM attempt (Temporal's RetryPolicy cannot cap attempts per error type, so the cap
 * lives here). Anything that is no LlmError is a bug on our side, not the model's: no retry hides it.
 */
export function llmRetryDecision(error: unknown, attempt: number): 'retry' | 'fallback' {
  return error instanceof LlmError && error.retryable && attempt < LLM_ATTEMPTS_BEFORE_FALLBACK
    ? 'retry'
    : 'fallback';
}
