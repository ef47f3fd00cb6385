-- Up Migration

-- The qualitative side's jockey, trainer and pair form (db/history.ts) counts rides, wins and places per
-- person before the race date. With won and placed in the index those counts are index-only scans; without
-- them the planner read the whole table for a field's fourteen jockeys (about 14 ms a read on the bench's
-- 29,000 runs, against about 5 ms now), and the pair form had no index at all.
DROP INDEX horse_runs_jockey_date;
DROP INDEX horse_runs_trainer_date;
CREATE INDEX horse_runs_jockey_form ON horse_runs (jockey_id, race_date) INCLUDE (won, placed);
CREATE INDEX horse_runs_trainer_form ON horse_runs (trainer_id, race_date) INCLUDE (won, placed);
CREATE INDEX horse_runs_pair_form ON horse_runs (jockey_id, trainer_id, race_date) INCLUDE (won, placed);

-- Down Migration
DROP INDEX horse_runs_pair_form;
DROP INDEX horse_runs_trainer_form;
DROP INDEX horse_runs_jockey_form;
CREATE INDEX horse_runs_jockey_date ON horse_runs (jockey_id, race_date);
CREATE INDEX horse_runs_trainer_date ON horse_runs (trainer_id, race_date);
