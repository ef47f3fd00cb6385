import { z } from 'zod';
import type { HkRace } from '../hk/types.js';
import { goingGroup } from '../qual/evidence.js';

/**
 * Par times: the median winner's finishing time and last-section time per venue, surface, distance and
 * going group, fitted on training races only. A speed figure is then seconds per km faster than par,
 * so runs over different trips, tracks and going compare on one scale.
 */
export const SpeedParsSchema = z.object({
  version: z.string().min(1),
  trainUntilRaceId: z.number().int(),
  /** "venue|surface|distance|going" and, as a fallback, "venue|surface|distance" -> seconds. */
  finish: z.record(z.string(), z.number().positive()),
  lastSection: z.record(z.string(), z.number().positive()),
});
export type SpeedPars = z.infer<typeof SpeedParsSchema>;

export interface ParConditions {
  venue: string;
  surface: string;
  distanceM: number;
  going: string;
}

const fineKey = (c: ParConditions): string => `${c.venue}|${c.surface}|${c.distanceM}|${goingGroup(c.going)}`;
const coarseKey = (c: ParConditions): string => `${c.venue}|${c.surface}|${c.distanceM}`;

/** Fewer winners than this in a cell and the coarser cell answers. */
const MIN_CELL = 8;

export function parFor(table: Record<string, number>, c: ParConditions): number | null {
  return table[fineKey(c)] ?? table[coarseKey(c)] ?? null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function fitSpeedPars(races: Iterable<HkRace>, trainUntilRaceId: number, version: string): SpeedPars {
  const finish = new Map<string, number[]>();
  const last = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void =>
    void m.set(k, [...(m.get(k) ?? []), v]);
  for (const { raceNumericId, card, outcome } of races) {
    if (raceNumericId >= trainUntilRaceId) continue;
    const c = {
      venue: card.meeting.venue,
      surface: card.surface,
      distanceM: card.distanceM,
      going: card.going,
    };
    const winner = outcome.results.find((r) => r.won && r.finishTimeS !== null);
    if (!winner || winner.finishTimeS === null) continue;
    for (const key of [fineKey(c), coarseKey(c)]) {
      push(finish, key, winner.finishTimeS);
      const lastSec = winner.sectionalTimesS[winner.sectionalTimesS.length - 1];
      if (lastSec !== undefined) push(last, key, lastSec);
    }
  }
  const table = (m: Map<string, number[]>): Record<string, number> =>
    Object.fromEntries(
      [...m.entries()]
        .filter(([, v]) => v.length >= MIN_CELL)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, median(v)]),
    );
  return { version, trainUntilRaceId, finish: table(finish), lastSection: table(last) };
}
