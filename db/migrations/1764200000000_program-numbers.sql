-- Up Migration

-- Program numbers are text outside Hong Kong ("1A" is a coupled entry of "1"); each runner keeps the
-- betting interest it was priced and is scored in.
ALTER TABLE runner_predictions ALTER COLUMN horse_no TYPE text USING horse_no::text;
ALTER TABLE runner_predictions ADD COLUMN betting_interest text;
ALTER TABLE hk_runners ALTER COLUMN horse_no TYPE text USING horse_no::text;

-- Down Migration
ALTER TABLE hk_runners ALTER COLUMN horse_no TYPE integer USING (substring(horse_no FROM '^[0-9]+'))::integer;
ALTER TABLE runner_predictions DROP COLUMN betting_interest;
ALTER TABLE runner_predictions ALTER COLUMN horse_no TYPE integer USING (substring(horse_no FROM '^[0-9]+'))::integer;
