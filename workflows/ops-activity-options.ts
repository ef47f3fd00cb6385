import type { ActivityOptions } from '@temporalio/workflow';
import { ERROR_TYPES, OPS_ERROR_TYPES } from '../schemas/constants.js';

/**
 * Option sets for the operations workflows. Database work outlives an outage (capped backoff for half an
 * hour, as persistence does); a bad result or an unknown race is never retried; alert delivery keeps
 * retrying a failing webhook for a day, so an alert is late rather than lost.
 */
export const OPS_ACTIVITY_OPTIONS = {
  store: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '30m',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [
        OPS_ERROR_TYPES.invalidResult,
        OPS_ERROR_TYPES.unknownRace,
        OPS_ERROR_TYPES.invalidLateChange,
      ],
    },
  },
  evaluate: {
    startToCloseTimeout: '2m',
    scheduleToCloseTimeout: '30m',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [ERROR_TYPES.schemaViolation, OPS_ERROR_TYPES.invalidResult],
    },
  },
  alert: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '24h',
    // Only a malformed alert is given up on; a failing webhook is retried (AlertDeliveryFailed is retryable).
    retry: {
      initialInterval: '5s',
      backoffCoefficient: 2,
      maximumInterval: '10m',
      nonRetryableErrorTypes: [ERROR_TYPES.schemaViolation],
    },
  },
} as const satisfies Record<string, ActivityOptions>;
