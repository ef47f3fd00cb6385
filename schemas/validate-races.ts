import { z } from 'zod';
import { RaceCardSchema, type RaceCard } from './race-card.js';
import { describeIssues } from './workflow-input.js';

/**
 * Bulk paths (import, backtest, walk-forward, race-day files) must not stop for one bad race: each
 * race is validated on its own, and a race that fails is skipped and reported in plain words with
 * where it came from. A single card (CLI, client, workflow start) still fails fast elsewhere.
 */
export const SkippedRaceSchema = z.object({
  raceId: z.string(),
  reason: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
});
export type SkippedRace = z.infer<typeof SkippedRaceSchema>;

export interface RaceCandidate<T> {
  raceId: string;
  /** The unvalidated card. */
  card: unknown;
  file?: string;
  line?: number;
  /** Carried along with the card when it is valid (e.g. the race's outcome). */
  extra: T;
}

export interface ValidatedRaces<T> {
  valid: { card: RaceCard; extra: T }[];
  skipped: SkippedRace[];
}

const where = (c: { file?: string; line?: number }) =>
  c.file ? { file: c.file, ...(c.line !== undefined ? { line: c.line } : {}) } : {};

/** Validates each candidate on its own; `check` adds rules of the bulk path (e.g. a race day's post times). */
export function validateRaces<T>(
  candidates: Iterable<RaceCandidate<T>>,
  check?: (card: RaceCard) => string | null,
): ValidatedRaces<T> {
  const out: ValidatedRaces<T> = { valid: [], skipped: [] };
  for (const c of candidates) {
    const parsed = RaceCardSchema.safeParse(c.card);
    const reason = parsed.success ? (check?.(parsed.data) ?? null) : describeIssues(parsed.error);
    if (parsed.success && reason === null) out.valid.push({ card: parsed.data, extra: c.extra });
    else out.skipped.push({ raceId: c.raceId, reason: reason ?? 'invalid card', ...where(c) });
  }
  return out;
}

/** One line per skipped race: `race 812 (runs.csv:9103): runners.3.actualWeight: ...`. */
export const formatSkipped = (s: SkippedRace): string =>
  `skipped race ${s.raceId}${s.file ? ` (${s.file}${s.line !== undefined ? `:${s.line}` : ''})` : ''}: ${s.reason}`;

/** `--strict`: a bulk run with any invalid race fails, naming every one. */
export class InvalidRacesError extends Error {
  override name = 'InvalidRacesError';
  constructor(readonly skipped: readonly SkippedRace[]) {
    super(
      `${skipped.length} invalid race${skipped.length === 1 ? '' : 's'} (--strict):\n${skipped.map(formatSkipped).join('\n')}`,
    );
  }
}

/**
 * A race-day file with its invalid races taken out: each card is validated on its own (plus the day's
 * own rules: a post time, the day's meeting), so one bad card does not stop the meeting. The rest of
 * the file is left for the race-day schema to check as a whole.
 */
export function dropInvalidRaces(day: unknown, file: string): { day: unknown; skipped: SkippedRace[] } {
  if (typeof day !== 'object' || day === null || !Array.isArray((day as { races?: unknown }).races))
    return { day, skipped: [] };
  const { races, meeting } = day as { races: unknown[]; meeting?: { venue?: unknown; date?: unknown } };
  const { valid, skipped } = validateRaces(
    races.map((card, i) => ({
      raceId: String((card as { raceId?: unknown } | null)?.raceId ?? `races[${i}]`),
      card,
      file: `${file} races[${i}]`,
      extra: card,
    })),
    (card) =>
      !card.postTime
        ? 'a scheduled race needs a postTime'
        : meeting && (card.meeting.venue !== meeting.venue || card.meeting.date !== meeting.date)
          ? `race ${card.raceId} belongs to another meeting`
          : null,
  );
  return { day: { ...day, races: valid.map((v) => v.extra) }, skipped };
}
