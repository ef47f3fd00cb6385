/**
 * HK gear codes as printed on cards and in the data ('TT/B', 'B1' for first time, 'B-' for removed).
 * Gear changes are news: a first-time piece often sparks a horse, which the notes then report.
 */
import type { Horse } from './population.js';
import type { Rng } from './prng.js';

export interface GearChange {
  piece: string;
  kind: 'first-time' | 'removed';
}

const GEAR_PIECES = ['B', 'TT', 'H', 'CP', 'XB', 'V', 'SR', 'P'] as const;
const GEAR_NAMES: Record<string, string> = {
  B: 'blinkers',
  TT: 'tongue tie',
  H: 'hood',
  CP: 'cheek pieces',
  XB: 'cross-over nose band',
  V: 'visor',
  SR: 'shadow roll',
  P: 'pacifier',
};

export const gearName = (piece: string): string => GEAR_NAMES[piece] ?? piece;

/** Occasionally a trainer adds or removes a piece of gear; a first-time piece often sparks a horse. */
export function changeGear(rng: Rng, horse: Horse): { gear: string | null; change: GearChange | null } {
  let change: GearChange | null = null;
  let shown = [...horse.gear];
  const unused = GEAR_PIECES.filter((p) => !horse.gear.includes(p));
  if (rng.chance(0.05) && unused.length > 0) {
    const piece = rng.pick(unused);
    change = { piece, kind: 'first-time' };
    horse.gear.push(piece);
    horse.form += rng.normal(1.5, 2.5);
    shown = [...shown, `${piece}1`];
  } else if (horse.gear.length > 0 && rng.chance(0.02)) {
    const piece = rng.pick(horse.gear);
    change = { piece, kind: 'removed' };
    horse.gear = horse.gear.filter((p) => p !== piece);
    shown = shown.map((p) => (p === piece ? `${p}-` : p));
  }
  return { gear: shown.length > 0 ? shown.join('/') : null, change };
}
