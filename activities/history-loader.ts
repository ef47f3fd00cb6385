import { createHash } from 'node:crypto';
import { loadHistories } from '../db/history.js';
import type { Db } from '../db/pool.js';
import { activeRunners, type RaceCard } from '../schemas/race-card.js';
import type { Histories } from './ports.js';

/**
 * The quant and qual activities of one race start together and read the same histories. On one worker
 * they share one read: a load in flight or finished within `ttlMs` is reused, keyed by everything the
 * read depends on (date and the active runners with their jockeys and trainers).
 */
export function createHistoryLoader(db: Db, ttlMs = 10_000): (card: RaceCard) => Promise<Histories> {
  const recent = new Map<string, { at: number; value: Promise<Histories> }>();
  return (card) => {
    const now = Date.now();
    for (const [k, v] of recent) if (now - v.at > ttlMs) recent.delete(k);
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          card.meeting.date,
          activeRunners(card).map((r) => [r.horseId, r.jockeyId, r.trainerId]),
        ]),
      )
      .digest('hex');
    const hit = recent.get(key);
    if (hit) return hit.value;
    const value = loadHistories(db, card);
    recent.set(key, { at: now, value });
    // A failed read is not remembered: the retry reads again.
    value.catch(() => recent.delete(key));
    return value;
  };
}
