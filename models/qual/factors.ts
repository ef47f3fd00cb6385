import type { LrGroup } from '../../schemas/qual.js';

/**
 * The evidence the qualitative analyst weighs, as categorical factors. Within a group the factors'
 * likelihood ratios multiply (naive Bayes), so each factor is kept coarse and distinct. None of them
 * is a speed figure or a rating: those belong to the quantitative model.
 */
export const FACTORS = {
  recentForm: { group: 'formFitness', label: 'recent finishing positions (last 3)' },
  lastRun: { group: 'formFitness', label: 'last run result' },
  freshness: { group: 'formFitness', label: 'days since last run' },
  distanceRecord: { group: 'conditions', label: 'record at this distance (±200 m, same surface)' },
  goingRecord: { group: 'conditions', label: 'record on this going' },
  surfaceRecord: { group: 'conditions', label: 'record on this surface' },
  venueRecord: { group: 'conditions', label: 'record at this track' },
  distanceMove: { group: 'conditions', label: 'distance change since last run' },
  drawPosition: { group: 'tactics', label: 'draw for this track and trip' },
  runningStyle: { group: 'tactics', label: 'running style' },
  paceFit: { group: 'tactics', label: 'pace map of the field' },
  jockeyForm: { group: 'context', label: 'jockey form' },
  trainerForm: { group: 'context', label: 'trainer form' },
  classMove: { group: 'context', label: 'class move' },
  weightChange: { group: 'context', label: 'weight carried vs last run' },
  gearChange: { group: 'context', label: 'gear change' },
} as const satisfies Record<string, { group: LrGroup; label: string }>;

export type FactorName = keyof typeof FACTORS;
export const FACTOR_NAMES = Object.keys(FACTORS) as FactorName[];
