import type { ActivityOptions } from '@temporalio/workflow';
import { ERROR_TYPES } from '../schemas/constants.js';

/**
 * One named option set per kind of activity, each with its full retry policy. Validation-type errors are
 * never retried: the same input fails the same way.
 */
export const ACTIVITY_OPTIONS = {
  record: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '30m',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [ERROR_TYPES.invalidRaceCard],
    },
  },
  quant: {
    startToCloseTimeout: '60s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 4,
      nonRetryableErrorTypes: [ERROR_TYPES.invalidModelOutput, ERROR_TYPES.modelArtefactMissing],
    },
  },
  // The LLM call's own timeout (LLM_TIMEOUT_MS, 60 s by default; 240 s for the local model server) sits
  // below this start-to-close timeout; a small model on a shared CPU needs minutes for a 14-runner field,
  // and heartbeats (every 5 s while it answers) tell a slow answer from a dead worker.
  qual: {
    startToCloseTimeout: '300s',
    heartbeatTimeout: '30s',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '20s',
      maximumAttempts: 4,
      nonRetryableErrorTypes: [ERROR_TYPES.llmConfiguration],
    },
  },
  agent: {
    startToCloseTimeout: '30s',
    heartbeatTimeout: '10s',
    retry: {
      initialInterval: '200ms',
      backoffCoefficient: 2,
      maximumInterval: '5s',
      maximumAttempts: 3,
      nonRetryableErrorTypes: [
        ERROR_TYPES.sandboxPolicyViolation,
        ERROR_TYPES.sandboxAuth,
        ERROR_TYPES.invalidAgentOutput,
      ],
    },
  },
  synthesis: {
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumAttempts: 3,
      nonRetryableErrorTypes: [
        ERROR_TYPES.synthesisValidation,
        ERROR_TYPES.invalidAgentInput,
        ERROR_TYPES.schemaViolation,
      ],
    },
  },
  // Persistence outlives a database outage: retried with capped backoff for up to half an hour.
  persist: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '30m',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [ERROR_TYPES.schemaViolation],
    },
  },
} as const satisfies Record<string, ActivityOptions>;
