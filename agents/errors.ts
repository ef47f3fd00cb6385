/**
 * Named errors so activities can map them to non-retryable failures a user can read.
 * A bad input or an invalid result is never turned into a string result.
 */
export class InvalidAgentInputError extends Error {
  override readonly name = 'InvalidAgentInput';
}

export class InvalidAgentOutputError extends Error {
  override readonly name = 'InvalidAgentOutput';
}

/** Thrown when the synthesised probabilities break SPEC 6.6 (range or sums). */
export class SynthesisValidationError extends Error {
  override readonly name = 'SynthesisValidationError';
}

export class UnknownStrategyError extends Error {
  override readonly name = 'UnknownStrategy';
}
