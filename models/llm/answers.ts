import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LR_GROUPS } from '../../schemas/qual.js';
import type { LlmAnalyst } from '../../llm/analyst.js';
import { HistoryAccumulator } from '../hk/history-accumulator.js';
import type { HkRace } from '../hk/types.js';
import type { CalibrationRace } from './calibration.js';

const LrSchema = z.strictObject(
  Object.fromEntries(LR_GROUPS.map((g) => [g, z.number()])) as Record<
    (typeof LR_GROUPS)[number],
    z.ZodNumber
  >,
);

/** One race put to the LLM analyst: its raw (range-clipped) LRs and the outcome, or why it failed. */
export const AnsweredRaceSchema = z.strictObject({
  raceNumericId: z.number().int(),
  raceId: z.string(),
  model: z.string(),
  promptVersion: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  ms: z.number().min(0),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  flags: z.array(z.string()),
  runners: z.array(z.strictObject({ horseId: z.string(), lr: LrSchema, won: z.boolean() })),
});
export type AnsweredRace = z.infer<typeof AnsweredRaceSchema>;

/** The lines of a JSONL file, each checked by `schema` (missing file: none); a bad line is an error. */
export function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = schema.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${file} line ${i + 1}: ${r.error.message}`);
      return r.data;
    });
}

/** Answers already in a JSONL file (a run stopped half-way resumes from them). */
export function readAnswers(file: string): AnsweredRace[] {
  return readJsonl(file, AnsweredRaceSchema);
}

export interface AskOptions {
  /** Which races to ask about (the caller's sample). */
  pick: (race: HkRace) => boolean;
  analyst: LlmAnalyst;
  model: string;
  promptVersion: string;
  /** JSONL cache: races answered for this model and prompt are read from it, new ones appended. */
  file: string;
  onRace?: (answered: AnsweredRace, cached: boolean) => void;
}

/**
 * Asks the analyst about each picked race, in race order, with the histories as of that race (the
 * accumulator sees every race, picked or not). A failed answer is recorded as such, not retried:
 * the share valid is part of what is measured.
 */
export async function askLlmOnRaces(races: Iterable<HkRace>, opts: AskOptions): Promise<AnsweredRace[]> {
  const cached = new Map(
    readAnswers(opts.file)
      .filter((a) => a.model === opts.model && a.promptVersion === opts.promptVersion)
      .map((a) => [a.raceNumericId, a]),
  );
  mkdirSync(path.dirname(opts.file), { recursive: true });
  const acc = new HistoryAccumulator();
  const out: AnsweredRace[] = [];
  for (const race of races) {
    if (opts.pick(race)) {
      const hit = cached.get(race.raceNumericId);
      if (hit) {
        out.push(hit);
        opts.onRace?.(hit, true);
      } else {
        const answered = await askOne(race, acc, opts);
        appendFileSync(opts.file, `${JSON.stringify(answered)}\n`);
        out.push(answered);
        opts.onRace?.(answered, false);
      }
    }
    acc.record(race);
  }
  return out;
}

async function askOne(race: HkRace, acc: HistoryAccumulator, opts: AskOptions): Promise<AnsweredRace> {
  const base = {
    raceNumericId: race.raceNumericId,
    raceId: race.card.raceId,
    model: opts.model,
    promptVersion: opts.promptVersion,
  };
  const won = new Set(race.outcome.winners);
  const t0 = performance.now();
  try {
    const a = await opts.analyst.analyse(race.card, acc.historiesFor(race.card));
    return {
      ...base,
      ok: true,
      ms: performance.now() - t0,
      inputTokens: a.usage.inputTokens,
      outputTokens: a.usage.outputTokens,
      flags: a.flags,
      runners: a.runners.map((r) => ({ horseId: r.horseId, lr: r.lr, won: won.has(r.horseId) })),
    };
  } catch (err) {
    return {
      ...base,
      ok: false,
      error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 300),
      ms: performance.now() - t0,
      inputTokens: 0,
      outputTokens: 0,
      flags: [],
      runners: [],
    };
  }
}

/** The valid answers as calibration races. */
export const calibrationRaces = (answers: AnsweredRace[]): CalibrationRace[] =>
  answers.filter((a) => a.ok).map((a) => ({ runners: a.runners }));
