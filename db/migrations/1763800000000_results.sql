-- Up Migration

-- Official results, one row per race; a correction replaces the row (and the scores are recomputed).
CREATE TABLE race_results (
  race_id      text PRIMARY KEY,
  race_date    date NOT NULL,
  finish       jsonb NOT NULL,
  source       text NOT NULL DEFAULT 'official',
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- SPEC 7 metrics for every stored prediction of a race with a result (every run is kept and scored).
CREATE TABLE race_scores (
  run_id            text PRIMARY KEY REFERENCES predictions (run_id) ON DELETE CASCADE,
  race_id           text NOT NULL,
  race_date         date NOT NULL,
  field_size        integer NOT NULL,
  winner_horse_id   text,
  log_loss          double precision,
  market_log_loss   double precision,
  uniform_log_loss  double precision NOT NULL,
  brier             double precision NOT NULL,
  top1              boolean,
  ndcg4             double precision,
  excluded_reason   text,
  scored_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX race_scores_date ON race_scores (race_date);

-- Rolling per-day metrics (rewritten whenever a race of the day is scored, and by the nightly run).
CREATE TABLE daily_metrics (
  race_date      date NOT NULL,
  scope          text NOT NULL DEFAULT 'all',
  races_scored   integer NOT NULL,
  races_excluded integer NOT NULL,
  metrics        jsonb NOT NULL,
  computed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (race_date, scope)
);

-- Drift and quality alerts; alert_key makes a retried or repeated nightly run raise each alert once.
CREATE TABLE alerts (
  id           bigserial PRIMARY KEY,
  alert_key    text NOT NULL UNIQUE,
  race_date    date,
  metric       text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('warning', 'critical')),
  message      text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  notified_via text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE alerts;
DROP TABLE daily_metrics;
DROP TABLE race_scores;
DROP TABLE race_results;
