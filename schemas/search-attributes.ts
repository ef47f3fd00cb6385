import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed keys for the attributes in SEARCH_ATTRIBUTES (constants.ts), for the workflow and the client. */
export const SA = {
  raceId: defineSearchAttributeKey('RaceId', SearchAttributeType.KEYWORD),
  venue: defineSearchAttributeKey('Venue', SearchAttributeType.KEYWORD),
  raceDate: defineSearchAttributeKey('RaceDate', SearchAttributeType.DATETIME),
  runStatus: defineSearchAttributeKey('RunStatus', SearchAttributeType.KEYWORD),
  degraded: defineSearchAttributeKey('Degraded', SearchAttributeType.BOOL),
  modelVersion: defineSearchAttributeKey('ModelVersion', SearchAttributeType.KEYWORD),
  calibrationVersion: defineSearchAttributeKey('CalibrationVersion', SearchAttributeType.KEYWORD),
  jobKind: defineSearchAttributeKey('JobKind', SearchAttributeType.KEYWORD),
  driftAlert: defineSearchAttributeKey('DriftAlert', SearchAttributeType.BOOL),
} as const;
