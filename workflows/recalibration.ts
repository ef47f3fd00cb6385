import {
  ApplicationFailure,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import {
  RecalibrationInputSchema,
  type RecalibrationInput,
  type RecalibrationSummary,
} from '../schemas/ops.js';
import { SA } from '../schemas/search-attributes.js';
import { describeIssues } from '../schemas/workflow-input.js';

// Fitting a window of races takes seconds to minutes: heartbeats show it is alive.
const REFIT_OPTIONS = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '5m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 3 },
} as const;
const { refitCalibration } = proxyActivities<RaceActivities>(REFIT_OPTIONS);

/**
 * The recalibration loop: refit calibration and the market blend on a rolling window of scored races,
 * version the candidate, and promote it only if it beats the current artefact on a held-out slice.
 * Workers pick up a promotion within their store's refresh interval; every race pins the version it used.
 */
export async function recalibrationWorkflow(raw: RecalibrationInput = {}): Promise<RecalibrationSummary> {
  const parsed = RecalibrationInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(
      `invalid recalibration input: ${describeIssues(parsed.error)}`,
      'InvalidRecalibrationInput',
    );
  const asOf = parsed.data.asOf ?? new Date(Date.now()).toISOString().slice(0, 10);
  upsertSearchAttributes([
    { key: SA.jobKind, value: 'recalibration' },
    { key: SA.raceDate, value: new Date(`${asOf}T00:00:00Z`) },
  ]);
  const summary = await refitCalibration.executeWithOptions(
    { ...REFIT_OPTIONS, summary: `refit on ${parsed.data.windowDays} days before ${asOf}` },
    [parsed.data, asOf],
  );
  upsertMemo({ status: summary.status, reason: summary.reason, candidate: summary.candidateVersion ?? null });
  if (summary.candidateVersion && summary.status === 'promoted')
    upsertSearchAttributes([{ key: SA.calibrationVersion, value: summary.candidateVersion }]);
  return summary;
}
