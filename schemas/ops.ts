import { z } from 'zod';
import { MeetingSchema, RaceCardSchema } from './race-card.js';
import { RaceOptionsSchema } from './workflow-input.js';

/** A race-day file: the meeting and its cards, each with a post time (when to start is derived from it). */
export const RaceDayFileSchema = z
  .strictObject({
    meeting: MeetingSchema,
    races: z.array(RaceCardSchema).min(1).max(20),
  })
  .superRefine((day, ctx) => {
    const seen = new Set<string>();
    day.races.forEach((card, i) => {
      if (!card.postTime)
        ctx.addIssue({
          code: 'custom',
          path: ['races', i, 'postTime'],
          message: 'a scheduled race needs a postTime',
        });
      if (card.meeting.venue !== day.meeting.venue || card.meeting.date !== day.meeting.date)
        ctx.addIssue({
          code: 'custom',
          path: ['races', i, 'meeting'],
          message: `race ${card.raceId} belongs to another meeting`,
        });
      if (seen.has(card.raceId))
        ctx.addIssue({
          code: 'custom',
          path: ['races', i, 'raceId'],
          message: `duplicate raceId ${card.raceId}`,
        });
      seen.add(card.raceId);
    });
  });
export type RaceDayFile = z.infer<typeof RaceDayFileSchema>;
export type RaceDayFileInput = z.input<typeof RaceDayFileSchema>;

export const DEFAULT_START_OFFSET_SECONDS = 600;

export const RaceDayInputSchema = z.strictObject({
  day: RaceDayFileSchema,
  /** Each race starts this long before its post time (default 10 minutes). */
  offsetSeconds: z
    .number()
    .min(0)
    .max(24 * 3600)
    .default(DEFAULT_START_OFFSET_SECONDS),
  options: RaceOptionsSchema.partial().default({}),
});
export type RaceDayInput = z.input<typeof RaceDayInputSchema>;

export const RACE_DAY_RACE_STATUS = [
  'pending',
  'running',
  'completed',
  'failed',
  'missed',
  'skipped',
] as const;
export type RaceDayRaceStatus = (typeof RACE_DAY_RACE_STATUS)[number];

export interface RaceDayRaceState {
  raceId: string;
  raceNo: number;
  postTime: string;
  /** When the race's workflow is (or was) due to start: post time minus the offset, ISO. */
  startAt: string;
  status: RaceDayRaceStatus;
  workflowId: string;
  runIds: string[];
  lateChanges: number;
  rerunRequested: boolean;
  error?: string;
}

export interface RaceDayStatus {
  workflowId: string;
  paused: boolean;
  offsetSeconds: number;
  races: RaceDayRaceState[];
}

/** A late change for a race: scratchings and/or new market odds, keyed by horse id. */
export const LateChangeSchema = z
  .strictObject({
    raceId: z.string().min(1),
    scratch: z.array(z.string().min(1)).default([]),
    odds: z.record(z.string(), z.number().finite().gt(1)).default({}),
    /** For a race already started: run it again with the changed card once the current run ends. */
    rerun: z.boolean().default(false),
  })
  .refine((c) => c.scratch.length > 0 || Object.keys(c.odds).length > 0 || c.rerun, {
    message: 'a late change needs scratch, odds or rerun',
  });
export type LateChange = z.input<typeof LateChangeSchema>;

export interface LateChangeOutcome {
  raceId: string;
  /** applied: the pending run will use the new card; rerun-queued: a new run follows the current one; stored: card stored only. */
  outcome: 'applied' | 'rerun-queued' | 'stored';
  status: RaceDayRaceStatus;
  activeRunners: number;
}

/** Official result: horse ids in finishing order (first = winner); dead heats list the same position twice via positions. */
export const OfficialResultSchema = z
  .strictObject({
    raceId: z.string().min(1),
    finish: z
      .array(z.strictObject({ horseId: z.string().min(1), position: z.number().int().min(1).max(30) }))
      .min(1)
      .max(30),
    source: z.string().min(1).max(40).default('official'),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.finish.forEach((f, i) => {
      if (seen.has(f.horseId))
        ctx.addIssue({
          code: 'custom',
          path: ['finish', i, 'horseId'],
          message: `duplicate horse ${f.horseId}`,
        });
      seen.add(f.horseId);
    });
    if (!r.finish.some((f) => f.position === 1))
      ctx.addIssue({ code: 'custom', path: ['finish'], message: 'no winner (position 1)' });
  });
export type OfficialResult = z.infer<typeof OfficialResultSchema>;
export type OfficialResultInput = z.input<typeof OfficialResultSchema>;

/** Convenience: a plain finishing order (first = winner) as an official result. */
export const resultFromOrder = (
  raceId: string,
  order: readonly string[],
  source = 'official',
): OfficialResultInput => ({
  raceId,
  finish: order.map((horseId, i) => ({ horseId, position: i + 1 })),
  source,
});

/** SPEC 7 metrics for one race's stored prediction. */
export interface RaceScore {
  runId: string;
  raceId: string;
  raceDate: string;
  fieldSize: number;
  winnerHorseId: string | null;
  logLoss: number | null;
  marketLogLoss: number | null;
  uniformLogLoss: number;
  brier: number;
  top1: boolean | null;
  ndcg4: number | null;
  excludedReason: string | null;
}

export interface DailyMetrics {
  raceDate: string;
  scope: string;
  racesScored: number;
  racesExcluded: number;
  excludedReasons: Record<string, number>;
  logLoss: number | null;
  marketLogLoss: number | null;
  pseudoR2: number | null;
  marketPseudoR2: number | null;
  brier: number | null;
  ece: number | null;
  marketEce: number | null;
  top1: number | null;
  ndcg4: number | null;
  bets: number;
  flatRoi: number | null;
  /** Feature distributions watched for drift. */
  favouriteBaseProb: number | null;
  fieldSize: number | null;
  favouriteOdds: number | null;
  overround: number | null;
}

export const DRIFT_METRICS = ['logLoss', 'ece', 'favouriteBaseProb', 'fieldSize', 'favouriteOdds'] as const;
export type DriftMetric = (typeof DRIFT_METRICS)[number];

/**
 * Thresholds on the change from the previous period's mean: log loss and ECE alert on an increase,
 * the feature distributions on a change either way (favouriteOdds relative, the others absolute).
 */
export const DriftThresholdsSchema = z.strictObject({
  logLoss: z.number().positive().default(0.25),
  ece: z.number().positive().default(0.05),
  favouriteBaseProb: z.number().positive().default(0.06),
  fieldSize: z.number().positive().default(2),
  favouriteOdds: z.number().positive().default(0.35),
  /** A module's race log loss in the error map, against the previous stored window. */
  moduleLogLoss: z.number().positive().default(0.25),
});
export type DriftThresholds = z.infer<typeof DriftThresholdsSchema>;

export const MonitoringInputSchema = z.strictObject({
  /** The race date to evaluate; default the day before the run (the nightly schedule passes nothing). */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  /** Previous period: this many days before `date`. */
  windowDays: z.number().int().min(1).max(365).default(7),
  minRaces: z.number().int().min(1).default(1),
  thresholds: DriftThresholdsSchema.default(DriftThresholdsSchema.parse({})),
});
export type MonitoringInput = z.input<typeof MonitoringInputSchema>;

export interface DriftAlert {
  key: string;
  raceDate: string;
  metric: DriftMetric | 'moduleLogLoss';
  severity: 'warning' | 'critical';
  current: number;
  baseline: number;
  threshold: number;
  message: string;
}

export interface MonitoringSummary {
  date: string;
  metrics: DailyMetrics;
  baselineDays: number;
  alerts: DriftAlert[];
  note?: string;
}

export const RecalibrationInputSchema = z.strictObject({
  /** Fit on scored races before this date (default: the run's own date). */
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  /** The rolling window of scored races, in days before `asOf`. */
  windowDays: z.number().int().min(7).max(3650).default(180),
  /** Fewer scored races than this: no refit (a calibrator on a handful of races is noise). */
  minRaces: z.number().int().min(20).default(200),
  /** The most recent share of the window is held out to compare the candidate with the current artefact. */
  holdoutFraction: z.number().gt(0).lt(0.5).default(0.25),
  /** Bootstrap resamples for the bootstrap strategy's intervals (the strategy table's 1000 when unset). */
  bootstrapResamples: z.number().int().min(10).max(5000).optional(),
});
export type RecalibrationInput = z.input<typeof RecalibrationInputSchema>;

export interface RecalibrationSummary {
  status: 'promoted' | 'kept-current' | 'skipped';
  reason: string;
  candidateVersion?: string;
  currentVersion: string;
  fitRaces: number;
  holdoutRaces: number;
  candidateLogLoss?: number;
  currentLogLoss?: number;
}
