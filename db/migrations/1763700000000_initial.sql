-- Up Migration

-- The latest known card per race (late changes update it; every run keeps its own copy in race_runs).
CREATE TABLE race_cards (
  race_id     text PRIMARY KEY,
  venue       text NOT NULL,
  race_date   date NOT NULL,
  race_no     integer NOT NULL,
  post_time   timestamptz,
  card        jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per workflow run: what went in, how it ended.
CREATE TABLE race_runs (
  run_id         text PRIMARY KEY,
  workflow_id    text NOT NULL,
  race_id        text NOT NULL,
  status         text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  card           jsonb NOT NULL,
  options        jsonb NOT NULL DEFAULT '{}'::jsonb,
  degraded       boolean,
  error_type     text,
  error_message  text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
CREATE INDEX race_runs_race_id ON race_runs (race_id, started_at DESC);

-- Exactly one stored result per run: keyed by run_id, written with upserts.
CREATE TABLE predictions (
  run_id         text PRIMARY KEY REFERENCES race_runs (run_id),
  race_id        text NOT NULL,
  degraded       boolean NOT NULL,
  model_version  text NOT NULL,
  result         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX predictions_race_id ON predictions (race_id, created_at DESC);

CREATE TABLE runner_predictions (
  run_id          text NOT NULL REFERENCES predictions (run_id) ON DELETE CASCADE,
  horse_id        text NOT NULL,
  horse_no        integer NOT NULL,
  win_prob_base   double precision NOT NULL,
  win_prob_model  double precision NOT NULL,
  win_prob_final  double precision NOT NULL,
  place_prob      double precision NOT NULL,
  fair_odds       double precision NOT NULL,
  market_odds     double precision,
  edge            double precision,
  stake           double precision,
  flags           text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, horse_id)
);

CREATE TABLE agent_outputs (
  run_id        text NOT NULL REFERENCES predictions (run_id) ON DELETE CASCADE,
  strategy      text NOT NULL,
  succeeded     boolean NOT NULL,
  output        jsonb,
  error_type    text,
  sandbox_kind  text,
  duration_ms   double precision,
  PRIMARY KEY (run_id, strategy)
);

-- History store: one row per horse per past race, as the feature builders read it.
CREATE TABLE horse_runs (
  horse_id    text NOT NULL,
  race_id     text NOT NULL,
  race_date   date NOT NULL,
  jockey_id   text NOT NULL,
  trainer_id  text NOT NULL,
  won         boolean NOT NULL,
  placed      boolean NOT NULL,
  run         jsonb NOT NULL,
  PRIMARY KEY (horse_id, race_id)
);
CREATE INDEX horse_runs_horse_date ON horse_runs (horse_id, race_date DESC);
CREATE INDEX horse_runs_jockey_date ON horse_runs (jockey_id, race_date);
CREATE INDEX horse_runs_trainer_date ON horse_runs (trainer_id, race_date);

-- Down Migration
DROP TABLE horse_runs;
DROP TABLE agent_outputs;
DROP TABLE runner_predictions;
DROP TABLE predictions;
DROP TABLE race_runs;
DROP TABLE race_cards;
