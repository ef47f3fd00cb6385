import { z } from 'zod';
import type { RaceCard } from '../../schemas/race-card.js';
import type { HkRace } from '../hk/types.js';
import { goingGroup } from '../qual/evidence.js';

const DrawCellSchema = z.object({ runs: z.number().int().min(0), wins: z.number().min(0) });
/** Runs and wins (a dead heat shares the win) per "venue|surface|distance|draw", and per "venue|surface|distance". */
const DrawCountsSchema = z.record(z.string(), DrawCellSchema);
export type DrawCounts = z.infer<typeof DrawCountsSchema>;

/**
 * Par times: the median winner's finishing time and last-section time per venue, surface, distance and
 * going group, fitted on training races only. A speed figure is then seconds per km faster than par,
 * so runs over different trips, tracks and going compare on one scale. The same file carries the draw
 * counts behind the draw-bias feature (drawBias below).
 */
export const SpeedParsSchema = z.object({
  version: z.string().min(1),
  trainUntilRaceId: z.number().int(),
  /** "venue|surface|distance|going" and, as a fallback, "venue|surface|distance" -> seconds. */
  finish: z.record(z.string(), z.number().positive()),
  lastSection: z.record(z.string(), z.number().positive()),
  draw: DrawCountsSchema,
  drawCourse: DrawCountsSchema,
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

const courseKey = (card: HkRace['card']): string => `${card.meeting.venue}|${card.surface}|${card.distanceM}`;

/** Adds one finished race's runners to the draw counts (mutates them: the training pass keeps them as of each date). */
export function addDrawResults(
  counts: Pick<SpeedPars, 'draw' | 'drawCourse'>,
  { card, outcome }: HkRace,
): void {
  const runners = card.runners.filter((r) => !r.scratched);
  const share = outcome.winners.length > 0 ? 1 / outcome.winners.length : 0;
  const course = courseKey(card);
  for (const r of runners) {
    const won = outcome.winners.includes(r.horseId) ? share : 0;
    for (const [table, key] of [
      [counts.draw, `${course}|${r.draw}`],
      [counts.drawCourse, course],
    ] as const) {
      const cell = table[key] ?? { runs: 0, wins: 0 };
      table[key] = { runs: cell.runs + 1, wins: cell.wins + won };
    }
  }
}

/** Pseudo-runs of the course's own win rate that every draw cell is shrunk towards. */
const DRAW_PRIOR_RUNS = 300;

/**
 * ln(shrunk win rate from this stall / the course and distance's win rate): > 0 = a favoured draw.
 * 0 where the course and distance has no recorded runs.
 */
export function drawBias(pars: Pick<SpeedPars, 'draw' | 'drawCourse'>, card: RaceCard, draw: number): number {
  const course = courseKey(card);
  const all = pars.drawCourse[course];
  if (!all || all.runs === 0 || all.wins === 0) return 0;
  const base = all.wins / all.runs;
  const cell = pars.draw[`${course}|${draw}`] ?? { runs: 0, wins: 0 };
  return Math.log((cell.wins + DRAW_PRIOR_RUNS * base) / (cell.runs + DRAW_PRIOR_RUNS) / base);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function fitSpeedPars(races: Iterable<HkRace>, trainUntilRaceId: number, version: string): SpeedPars {
  const counts = { draw: {} as DrawCounts, drawCourse: {} as DrawCounts };
  const finish = new Map<string, number[]>();
  const last = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void =>
    void m.set(k, [...(m.get(k) ?? []), v]);
  for (const race of races) {
    const { raceNumericId, card, outcome } = race;
    if (raceNumericId >= trainUntilRaceId) continue;
    addDrawResults(counts, race);
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
  const sorted = (t: DrawCounts): DrawCounts =>
    Object.fromEntries(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
  return {
    version,
    trainUntilRaceId,
    finish: table(finish),
    lastSection: table(last),
    draw: sorted(counts.draw),
    drawCourse: sorted(counts.drawCourse),
  };
}
