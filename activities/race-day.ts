import { upsertStoredCard } from '../db/results.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import type { ActivityDeps } from './ports.js';

export function createRaceDayActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** A late change (scratching, odds) to the stored card; the run that follows records the card it used. */
    async storeLateCard(card: RaceCard): Promise<void> {
      await upsertStoredCard(db, RaceCardSchema.parse(card));
    },
  };
}
