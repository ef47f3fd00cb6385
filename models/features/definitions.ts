/**
 * The quantitative feature set (speed, sectionals, class/rating, weight, draw, physical/pedigree).
 * Bump FEATURE_VERSION whenever a name, meaning, default or order changes: models record the version
 * they were trained on and the scorer refuses a mismatch. Jockey/trainer form, running style, the pace
 * map and going/distance win/place records are deliberately absent: they are the qualitative analyst's
 * evidence, and fusion must not count them twice (qf4's speed figure at the trip is a time, not a record).
 * qf5 adds the per-horse margin rating (models/features/margin-rating.ts).
 */
export const FEATURE_VERSION = 'qf5';

export const FEATURE_DEFINITIONS = [
  {
    name: 'speed_fig_last',
    meaning:
      'last timed run: (par - finish time) / km, par = median winner time for venue, surface, distance, going; clipped to [-10, 5]; default -3',
  },
  { name: 'speed_fig_mean4', meaning: 'mean speed figure over the last 4 timed runs; default -3' },
  { name: 'speed_fig_best4', meaning: 'best speed figure over the last 4 timed runs; default -3' },
  {
    name: 'speed_missing',
    meaning: '1 when no past run has a finishing time with a par (speed figures are defaults)',
  },
  {
    name: 'late_fig_mean4',
    meaning:
      'mean over the last 4 runs of (par last-section time - own last-section time), seconds, clipped to [-5, 5]; default -1',
  },
  {
    name: 'behind_per_km_last',
    meaning: 'last run: seconds per km behind the winner, clipped to [0, 6]; default 2',
  },
  {
    name: 'behind_per_km_mean4',
    meaning: 'mean seconds per km behind the winner over the last 4 timed runs; default 2',
  },
  {
    name: 'finish_pct_last',
    meaning: 'last run finishing position as a share of the field (0 = won, 1 = last); default 0.6',
  },
  { name: 'finish_pct_mean4', meaning: 'mean finishing share over the last 4 runs; default 0.6' },
  { name: 'rating', meaning: 'official rating on the card; default 60 when missing' },
  { name: 'rating_missing', meaning: '1 when the card has no rating' },
  { name: 'rating_change', meaning: 'rating now minus rating at the last run; 0 when unknown' },
  {
    name: 'class_drop',
    meaning:
      'numeric race class of the last run minus this race class (positive = dropping in class); 0 when unknown',
  },
  { name: 'weight_carried', meaning: 'weight carried, lb' },
  { name: 'weight_carried_change', meaning: 'weight carried minus that at the last run, lb; 0 when unknown' },
  { name: 'declared_weight', meaning: 'declared body weight, lb; default 1100' },
  {
    name: 'declared_weight_change',
    meaning: 'declared body weight minus that at the last run, lb; 0 when unknown',
  },
  { name: 'declared_weight_change_missing', meaning: '1 when the body-weight change is unknown' },
  { name: 'draw_rel', meaning: '(draw - 1) / (max(field size, highest draw) - 1): 0 = inside, 1 = outside' },
  { name: 'draw_rel_sprint', meaning: 'draw_rel when the race is 1200 m or shorter, else 0' },
  {
    name: 'draw_bias',
    meaning:
      'ln(win rate from this stall at this venue, surface and distance, shrunk to the course rate with 300 pseudo-runs / the course rate), from earlier races only',
  },
  { name: 'distance_change', meaning: '(distance now - distance of the last run) / 400 m; 0 when unknown' },
  { name: 'age', meaning: 'age in years; default 4' },
  { name: 'log_days_since', meaning: 'ln(1 + days since the last run); 0 for a first start' },
  { name: 'long_break', meaning: '1 when the last run was more than 90 days ago' },
  { name: 'log_runs', meaning: 'ln(1 + number of past runs known, at most 20)' },
  { name: 'win_rate_shrunk', meaning: '(wins + 5 * 0.08) / (runs + 5): win rate shrunk to the base rate' },
  { name: 'no_history', meaning: '1 for a first start (no past runs)' },
  { name: 'country_nz', meaning: '1 when bred in New Zealand' },
  { name: 'country_aus', meaning: '1 when bred in Australia' },
  { name: 'country_ire', meaning: '1 when bred in Ireland' },
  { name: 'country_gb', meaning: '1 when bred in Great Britain' },
  { name: 'country_usa', meaning: '1 when bred in the USA' },
  { name: 'type_gelding', meaning: '1 for a gelding' },
  {
    name: 'ln_odds_last',
    meaning:
      "ln of the win odds at the horse's last run (the public's view then, not today's market); default ln 20",
  },
  { name: 'ln_odds_mean3', meaning: 'mean ln win odds over the last 3 runs; default ln 20' },
  {
    name: 'early_pct_mean3',
    meaning:
      'mean first-call running position as a share of the field over the last 3 runs (0 = led); default 0.5',
  },
  {
    name: 'pos_gain_mean3',
    meaning:
      'mean of (first-call share - finishing share) over the last 3 runs: places made up late; default 0',
  },
  {
    name: 'speed_fig_trend',
    meaning: 'last speed figure minus the mean of the up to 3 before it; 0 with fewer than 2 figures',
  },
  { name: 'implied_last', meaning: '1 / win odds at the last run; 1/20 by default' },
  {
    name: 'ln_odds_trend',
    meaning: 'ln odds at the last run minus the mean of the up to 2 before it; 0 with fewer than 2',
  },
  { name: 'place_rate_shrunk', meaning: '(top-3 finishes + 5 * 0.25) / (runs + 5)' },
  { name: 'finish_pct_best4', meaning: 'best finishing share over the last 4 runs; default 0.6' },
  {
    name: 'speed_fig_decay6',
    meaning: 'speed figures of the last 6 runs, weights 0.7^k from the latest; default -3',
  },
  {
    name: 'finish_pct_decay6',
    meaning: 'finishing shares of the last 6 runs, weights 0.7^k from the latest; default 0.6',
  },
  {
    name: 'rating_trend3',
    meaning: 'rating now minus the rating 3 runs ago (or the oldest of fewer); 0 when unknown',
  },
  {
    name: 'speed_fig_mean4_z',
    meaning: 'speed_fig_mean4 as a z-score within this field (sd floored at 1e-3)',
  },
  { name: 'speed_fig_best4_z', meaning: 'speed_fig_best4 as a z-score within this field' },
  { name: 'speed_fig_last_z', meaning: 'speed_fig_last as a z-score within this field' },
  { name: 'late_fig_mean4_z', meaning: 'late_fig_mean4 as a z-score within this field' },
  { name: 'behind_per_km_mean4_z', meaning: 'behind_per_km_mean4 as a z-score within this field' },
  { name: 'finish_pct_mean4_z', meaning: 'finish_pct_mean4 as a z-score within this field' },
  { name: 'rating_z', meaning: 'rating as a z-score within this field' },
  { name: 'weight_carried_z', meaning: 'weight_carried as a z-score within this field' },
  { name: 'win_rate_z', meaning: 'win_rate_shrunk as a z-score within this field' },
  { name: 'ln_odds_last_z', meaning: 'ln_odds_last as a z-score within this field' },
  { name: 'ln_odds_mean3_z', meaning: 'ln_odds_mean3 as a z-score within this field' },
  { name: 'early_pct_mean3_z', meaning: 'early_pct_mean3 as a z-score within this field' },
  {
    name: 'speed_fig_best_at_trip',
    meaning:
      'best speed figure on this surface within 200 m of this distance; default speed_fig_best4 - 1 (no run at the trip)',
  },
  { name: 'runs_at_trip', meaning: 'ln(1 + past runs on this surface within 200 m of this distance)' },
  { name: 'runs_60d', meaning: 'runs in the 60 days before this race' },
  {
    name: 'finish_pct_90d',
    meaning: 'mean finishing share of the runs in the 90 days before this race; default 0.6',
  },
  {
    name: 'h2h_net',
    meaning:
      "collateral form within this field: over past races shared with today's rivals (counted per rival), (rivals finished behind - rivals finished ahead) / (meetings + 2)",
  },
  {
    name: 'h2h_lengths',
    meaning:
      'over the same meetings, the sum of (rival lengths behind - own lengths behind, clipped to [-8, 8]) / (meetings + 2)',
  },
  { name: 'h2h_meetings', meaning: "ln(1 + past races shared with today's rivals, counted per rival)" },
  { name: 'speed_fig_best_at_trip_z', meaning: 'speed_fig_best_at_trip as a z-score within this field' },
  {
    name: 'margin_rating_z',
    meaning:
      "per-horse margin rating as a z-score within this field (sd floored at 1e-3). The rating: a Kalman filter (prior mean 0, variance 4; noise 4; variance + 2 per year between runs, capped at 4) over the horse's last 20 runs, oldest first, observing (field mean - own) lengths behind per km, each clipped to [0, 10], non-finishers 10; past runs stored without the field mean (before qf5) are skipped, so a horse with none keeps the prior",
  },
  { name: 'margin_rating_gap', meaning: 'margin rating minus its field mean (lengths per km)' },
  { name: 'margin_rating_top', meaning: "margin rating minus the best rival's; 0 in a field of one" },
  {
    name: 'margin_rating_sd',
    meaning:
      'posterior sd of the margin rating: 2 with no usable run, smaller with more and more recent runs',
  },
] as const;

export type FeatureName = (typeof FEATURE_DEFINITIONS)[number]['name'];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURE_DEFINITIONS.map((d) => d.name);
