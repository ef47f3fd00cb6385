/**
 * Free-text runner notes of the kind HK racing reports carry. Trackwork and vet notes are noisy
 * readings of a horse's hidden form, so the qualitative side has real (but weak) evidence to use.
 */
import type { Entry } from './field.js';
import { gearName } from './gear.js';
import type { Rng } from './prng.js';

const GOOD_WORK = [
  'trackwork: sharp gallop',
  'trackwork: impressive barrier trial',
  'trackwork: working well on the all-weather',
  'trackwork: strong swim and gallop',
];
const POOR_WORK = [
  'trackwork: only light canter work',
  'trackwork: sluggish in last barrier trial',
  'vet: treated for a minor foot abscess, passed fit',
  'vet: coughing last week, cleared by the vet',
];

export function runnerNotes(rng: Rng, e: Entry): string | undefined {
  const notes: string[] = [];
  if (e.gearChange) {
    const name = gearName(e.gearChange.piece);
    notes.push(
      e.gearChange.kind === 'first-time' ? `gear change: first-time ${name}` : `gear change: ${name} removed`,
    );
  }
  const reading = e.horse.form + rng.normal(0, 1.5);
  if (reading > 3.5 && rng.chance(0.35)) notes.push(rng.pick(GOOD_WORK));
  else if (reading < -3.5 && rng.chance(0.35)) notes.push(rng.pick(POOR_WORK));
  return notes.length > 0 ? notes.join('; ') : undefined;
}
