/**
 * Named failures of the LLM analyst. `type` equals the class name so the activity can turn each one
 * into an ApplicationFailure of that type, and workflows list the non-retryable ones by name.
 *
 * Retry guidance for the qual activity's retry policy:
 * - LlmTimeout, LlmRateLimited, LlmServerError: retryable (transient).
 * - LlmInvalidAnswer: retryable, but only a couple of times: a model that twice answered off-schema
 *   will likely do so again. Temporal's RetryPolicy cannot cap one error type, so the activity throws
 *   it non-retryable once `Context.current().info.attempt >= LLM_INVALID_ANSWER_MAX_ATTEMPTS`
 *   (see `isRetryableAtAttempt`), then the workflow falls back to the evidence model.
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

/** Attempts (Temporal's `info.attempt`, starting at 1) after which LlmInvalidAnswer stops being retried. */
export const LLM_INVALID_ANSWER_MAX_ATTEMPTS = 3;

/** Whether the activity should let Temporal retry this error at the given attempt. */
export function isRetryableAtAttempt(error: LlmError, attempt: number): boolean {
  if (!error.retryable) return false;
  if (error instanceof LlmInvalidAnswer) return attempt < LLM_INVALID_ANSWER_MAX_ATTEMPTS;
  return true;
}
