import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
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

/**
 * The same stages as local activities (schemas/activity-placement.ts says which run locally and why).
 * Same retry policies; no heartbeat timeout, so an agent's attempt is bounded by a start-to-close
 * timeout as short as the remote heartbeat timeout. Retry waits longer than localRetryThreshold become
 * durable timers instead of keeping the workflow task open, which matters for a long database outage.
 */
export const LOCAL_ACTIVITY_OPTIONS = {
  record: { ...ACTIVITY_OPTIONS.record, localRetryThreshold: '10s' },
  quant: ACTIVITY_OPTIONS.quant,
  qual: { startToCloseTimeout: '60s', retry: ACTIVITY_OPTIONS.qual.retry },
  agent: { startToCloseTimeout: '10s', retry: ACTIVITY_OPTIONS.agent.retry },
  synthesis: ACTIVITY_OPTIONS.synthesis,
  persist: { ...ACTIVITY_OPTIONS.persist, localRetryThreshold: '10s' },
} as const satisfies Record<string, LocalActivityOptions>;
