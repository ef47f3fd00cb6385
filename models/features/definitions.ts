/**
 * The quantitative feature set. Bump FEATURE_VERSION whenever a name, meaning, default or order
 * changes: models record the version they were trained on and the scorer refuses a mismatch.
 * Jockey/trainer form, draw/pace tactics and going/distance suitability are deliberately absent:
 * they are the qualitative analyst's evidence, and fusion must not count them twice.
 */
export const FEATURE_VERSION = 'qf1';

export const FEATURE_DEFINITIONS = [
  { name: 'speed_last', meaning: 'last run: seconds per km behind the race winner, negated (0 = won), clipped to [-6, 0]; default -1.5' },
  { name: 'speed_best4', meaning: 'best speed_last-style value over the last 4 timed runs; default -1.5' },
  { name: 'speed_mean4', meaning: 'mean speed over the last 4 timed runs; default -1.5' },
  { name: 'speed_missing', meaning: '1 when no past run has a finishing time (speed features are defaults)' },
  { name: 'lengths_behind_mean3', meaning: 'mean lengths behind the winner over the last 3 runs, capped at 30; default 8' },
  { name: 'rating', meaning: 'official rating on the card; default 60 when missing' },
  { name: 'rating_missing', meaning: '1 when the card has no rating' },
  { name: 'rating_z_in_race', meaning: 'rating as a z-score within this field (sd floored at 1)' },
  { name: 'rating_change', meaning: 'rating now minus rating at the last run; 0 when unknown' },
  { name: 'class_drop', meaning: 'numeric race class of the last run minus this race class (positive = dropping in class); 0 when unknown' },
  { name: 'weight_carried', meaning: 'weight carried, lb' },
  { name: 'declared_weight', meaning: 'declared body weight, lb; default 1100' },
  { name: 'declared_weight_change', meaning: 'declared body weight minus that at the last run, lb; 0 when unknown' },
  { name: 'declared_weight_change_missing', meaning: '1 when the body-weight change is unknown' },
  { name: 'draw_rel', meaning: '(draw - 1) / (max(field size, highest draw) - 1): 0 = inside, 1 = outside' },
  { name: 'draw_rel_sprint', meaning: 'draw_rel when the race is 1200 m or shorter, else 0' },
  { name: 'age', meaning: 'age in years; default 4' },
  { name: 'log_days_since', meaning: 'ln(1 + days since the last run); 0 for a first start' },
  { name: 'long_break', meaning: '1 when the last run was more than 90 days ago' },
  { name: 'log_runs', meaning: 'ln(1 + number of past runs known, at most 20)' },
  { name: 'win_rate_shrunk', meaning: '(wins + 5 * 0.08) / (runs + 5): win rate shrunk to the base rate' },
  { name: 'place_rate_shrunk', meaning: '(top-3 finishes + 5 * 0.25) / (runs + 5)' },
  { name: 'no_history', meaning: '1 for a first start (no past runs)' },
  { name: 'lengths_behind_decayed6', meaning: 'lengths behind over the last 6 runs (capped at 30), weights 0.7^k from the latest; default 8' },
  { name: 'speed_best4_z_in_race', meaning: 'speed_best4 as a z-score within this field (sd floored at 0.1)' },
  { name: 'speed_mean4_z_in_race', meaning: 'speed_mean4 as a z-score within this field (sd floored at 0.1)' },
  { name: 'lengths_behind_mean3_z_in_race', meaning: 'lengths_behind_mean3 as a z-score within this field (sd floored at 0.5)' },
  { name: 'place_rate_z_in_race', meaning: 'place_rate_shrunk as a z-score within this field (sd floored at 0.02)' },
  { name: 'weight_carried_z_in_race', meaning: 'weight_carried as a z-score within this field (sd floored at 1)' },
] as const;

export type FeatureName = (typeof FEATURE_DEFINITIONS)[number]['name'];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURE_DEFINITIONS.map((d) => d.name);
