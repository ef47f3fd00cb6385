import type pg from 'pg';
import type { RaceCard } from '../schemas/race-card.js';

/** The latest known card of a race (late changes replace it; every run keeps its own copy in race_runs). */
export async function upsertRaceCard(q: pg.Pool | pg.PoolClient, card: RaceCard): Promise<void> {
  await q.query(
    `INSERT INTO race_cards (race_id, venue, race_date, race_no, post_time, card) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (race_id) DO UPDATE SET venue = EXCLUDED.venue, race_date = EXCLUDED.race_date,
       race_no = EXCLUDED.race_no, post_time = EXCLUDED.post_time, card = EXCLUDED.card, updated_at = now()`,
    [
      card.raceId,
      card.meeting.venue,
      card.meeting.date,
      card.raceNo,
      card.postTime ?? null,
      JSON.stringify(card),
    ],
  );
}
