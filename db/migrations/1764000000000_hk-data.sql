-- Up Migration

-- The Kaggle HK data as imported by cli/import-hk.ts (keys are the data's own ids; re-imports upsert).
CREATE TABLE hk_races (
  race_id        integer PRIMARY KEY,
  race_date      date NOT NULL,
  venue          text NOT NULL,
  race_no        integer NOT NULL,
  track_config   text,
  surface        text NOT NULL,
  distance_m     integer NOT NULL,
  going          text NOT NULL,
  race_class     text NOT NULL,
  prize          double precision,
  winner_time_s  double precision
);
CREATE INDEX hk_races_date ON hk_races (race_date, race_no);

CREATE TABLE hk_runners (
  race_id          integer NOT NULL REFERENCES hk_races (race_id) ON DELETE CASCADE,
  horse_id         text NOT NULL,
  horse_no         integer NOT NULL,
  draw             integer NOT NULL,
  actual_weight    double precision NOT NULL,
  declared_weight  double precision,
  rating           double precision,
  age              integer,
  horse_country    text,
  horse_type       text,
  gear             text,
  jockey_id        text NOT NULL,
  trainer_id       text NOT NULL,
  PRIMARY KEY (race_id, horse_id)
);
CREATE INDEX hk_runners_horse ON hk_runners (horse_id, race_id);

CREATE TABLE hk_results (
  race_id         integer NOT NULL,
  horse_id        text NOT NULL,
  position        integer,
  won             boolean NOT NULL,
  lengths_behind  double precision,
  finish_time_s   double precision,
  PRIMARY KEY (race_id, horse_id),
  FOREIGN KEY (race_id, horse_id) REFERENCES hk_runners (race_id, horse_id) ON DELETE CASCADE
);

-- Final pre-race decimal odds (stake included); null where the data has no usable price.
CREATE TABLE hk_market_odds (
  race_id     integer NOT NULL,
  horse_id    text NOT NULL,
  win_odds    double precision,
  place_odds  double precision,
  PRIMARY KEY (race_id, horse_id),
  FOREIGN KEY (race_id, horse_id) REFERENCES hk_runners (race_id, horse_id) ON DELETE CASCADE
);

CREATE TABLE hk_sectionals (
  race_id          integer NOT NULL,
  horse_id         text NOT NULL,
  position_calls   double precision[] NOT NULL,
  section_times_s  double precision[] NOT NULL,
  PRIMARY KEY (race_id, horse_id),
  FOREIGN KEY (race_id, horse_id) REFERENCES hk_runners (race_id, horse_id) ON DELETE CASCADE
);

-- Down Migration
DROP TABLE hk_sectionals;
DROP TABLE hk_market_odds;
DROP TABLE hk_results;
DROP TABLE hk_runners;
DROP TABLE hk_races;
