-- Up Migration

-- What each prediction was computed from, so scored runs can be refitted on and every result names its artefacts.
ALTER TABLE predictions ADD COLUMN agent_input jsonb;
ALTER TABLE predictions ADD COLUMN calibration_version text;

-- Every fitted calibration artefact, promoted or not, with the held-out comparison that decided it.
CREATE TABLE calibration_artefacts (
  version       text PRIMARY KEY,
  artefact      jsonb NOT NULL,
  fitted_on     jsonb NOT NULL,
  holdout       jsonb NOT NULL,
  promoted      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  promoted_at   timestamptz
);
CREATE INDEX calibration_artefacts_promoted ON calibration_artefacts (promoted_at DESC) WHERE promoted;

-- Down Migration
DROP TABLE calibration_artefacts;
ALTER TABLE predictions DROP COLUMN calibration_version;
ALTER TABLE predictions DROP COLUMN agent_input;
