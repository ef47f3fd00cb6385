-- Up Migration

-- The staking policies the live book has used, as validated when first used (book/policies.ts).
CREATE TABLE book_policies (
  name               text PRIMARY KEY,
  definition         jsonb NOT NULL,
  starting_bankroll  numeric(14, 2) NOT NULL CHECK (starting_bankroll > 0),
  registered_at      timestamptz NOT NULL DEFAULT now()
);

-- Paper bets, keyed by run, policy, horse and bet type: a retried placement adds nothing. A re-run of the
-- race before its result marks the earlier run's bets 'replaced'; settlement_seq counts (re)settlements.
CREATE TABLE book_bets (
  bet_id          text PRIMARY KEY,
  race_id         text NOT NULL,
  run_id          text NOT NULL,
  policy          text NOT NULL REFERENCES book_policies (name),
  race_date       date NOT NULL,
  horse_id        text NOT NULL,
  horse_no        text,
  bet_type        text NOT NULL CHECK (bet_type IN ('win', 'place')),
  odds            double precision NOT NULL CHECK (odds > 1),
  stake           numeric(14, 2) NOT NULL CHECK (stake > 0),
  probability     double precision NOT NULL,
  edge            double precision NOT NULL,
  places_paid     integer NOT NULL,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'placed', 'lost', 'void', 'replaced')),
  payout          numeric(14, 2),
  settlement_seq  integer NOT NULL DEFAULT 0,
  placed_at       timestamptz NOT NULL DEFAULT now(),
  settled_at      timestamptz
);
CREATE INDEX book_bets_race ON book_bets (race_id, policy);
CREATE INDEX book_bets_date ON book_bets (race_date);

-- The bankroll ledger: every movement is a row (deposit, stake, refund of a replaced bet, payout, reversal
-- of a corrected settlement); the balance is the sum of the rows. entry_key makes every movement happen once.
CREATE TABLE book_ledger (
  entry_id   bigserial PRIMARY KEY,
  entry_key  text NOT NULL UNIQUE,
  policy     text NOT NULL REFERENCES book_policies (name),
  kind       text NOT NULL CHECK (kind IN ('deposit', 'stake', 'refund', 'payout', 'reversal')),
  bet_id     text REFERENCES book_bets (bet_id),
  race_id    text,
  amount     numeric(14, 2) NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX book_ledger_policy ON book_ledger (policy, entry_id);

-- The error map per window (per module and odds band), as the nightly job and monitoring read it back,
-- with its Markdown report; a re-run of the same night replaces its row.
CREATE TABLE error_maps (
  window_to    date NOT NULL,
  window_days  integer NOT NULL,
  races        integer NOT NULL,
  map          jsonb NOT NULL,
  report       text NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (window_to, window_days)
);

-- Down Migration
DROP TABLE error_maps;
DROP TABLE book_ledger;
DROP TABLE book_bets;
DROP TABLE book_policies;
