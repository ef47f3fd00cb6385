import type { RaceCard } from '../../schemas/race-card.js';

/**
 * Calibration is fitted per surface: turf and dirt differ in how races are run, and a finer split
 * (venue x surface x distance) would leave too few training races in some groups.
 */
export function calibrationGroupFor(card: Pick<RaceCard, 'surface'>): string {
  return card.surface;
}
