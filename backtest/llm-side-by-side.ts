import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { pairedDifference, raceLogLoss, winnerIndex } from '../agents/index.js';
import type { EvidenceAnalyst, Histories, QualAnswer } from '../activities/ports.js';
import type { LlmAnalyst } from '../llm/analyst.js';
import { readJsonl } from '../models/llm/answers.js';
import type { RaceCard } from '../schemas/race-card.js';
import { QualOutputSchema } from '../schemas/qual.js';
import type { ReplayedRace } from './replay.js';

/** One qualitative call of the LLM run: what it cost and whether its answer was used. */
export const QualCallSchema = z.strictObject({
  raceId: z.string(),
  /** The LLM's answer was used (schema-valid, every runner covered); false: the evidence model answered. */
  valid: z.boolean(),
  /** Schema-valid but flagged 'llm-absurd' (e.g. every runner favoured tenfold). */
  absurd: z.boolean(),
  fallbackReason: z.string().optional(),
  ms: z.number().min(0),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  calibration: z.string().optional(),
});
export type QualCall = z.infer<typeof QualCallSchema>;

/** A line of the answer cache: the call and the LLM's (calibrated) answer, null when it fell back. */
const CachedCallSchema = z.strictObject({
  call: QualCallSchema,
  answer: QualOutputSchema.pick({ runners: true, source: true, usage: true }).nullable(),
});
type CachedCall = z.infer<typeof CachedCallSchema>;

/**
 * The answers of earlier runs with the same model, prompt and calibration (the caller names the file
 * after them), so a stopped run resumes; a line that does not parse is an error, not skipped.
 */
export function readCachedCalls(file: string): Map<string, CachedCall> {
  return new Map(readJsonl(file, CachedCallSchema).map((c) => [c.call.raceId, c]));
}

/**
 * The LLM analyst as the replay's qualitative step, with the activity's rule: when it fails, the
 * evidence model answers and the reason is kept. Every call is recorded in `calls`; with `cacheFile`,
 * each new call is appended to it and a race found there is not asked again (its call is reused as
 * measured, fallbacks included: the share valid is part of what is measured).
 */
export function llmQualStep(
  llm: LlmAnalyst,
  evidence: EvidenceAnalyst,
  calls: QualCall[],
  cacheFile?: string,
): (card: RaceCard, histories: Histories) => Promise<QualAnswer> {
  const cached = cacheFile ? readCachedCalls(cacheFile) : new Map<string, CachedCall>();
  if (cacheFile) mkdirSync(path.dirname(cacheFile), { recursive: true });
  const ask = async (card: RaceCard, histories: Histories): Promise<CachedCall> => {
    const t0 = performance.now();
    try {
      const a = await llm.analyse(card, histories);
      return {
        call: {
          raceId: card.raceId,
          valid: true,
          absurd: a.flags.includes('llm-absurd'),
          ms: performance.now() - t0,
          inputTokens: a.usage.inputTokens,
          outputTokens: a.usage.outputTokens,
          ...(a.source.calibration ? { calibration: a.source.calibration } : {}),
        },
        answer: { runners: a.runners, source: a.source, usage: a.usage },
      };
    } catch (err) {
      return {
        call: {
          raceId: card.raceId,
          valid: false,
          absurd: false,
          fallbackReason: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 300),
          ms: performance.now() - t0,
          inputTokens: 0,
          outputTokens: 0,
        },
        answer: null,
      };
    }
  };
  return async (card, histories) => {
    let entry = cached.get(card.raceId);
    if (!entry) {
      entry = await ask(card, histories);
      if (cacheFile) appendFileSync(cacheFile, `${JSON.stringify(entry)}\n`);
    }
    calls.push(entry.call);
    return entry.answer ?? evidence.analyse(card, histories);
  };
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export interface SideBySide {
  races: number;
  /** Mean per-race log loss of the winner, each analyst, and LLM minus evidence with its paired SE. */
  fused: { evidence: number; llm: number; delta: number; pairedSE: number };
  final: { evidence: number; llm: number; delta: number; pairedSE: number };
  calls: number;
  shareValid: number;
  absurd: number;
  fallbacks: number;
  fallbackReasons: string[];
  latencyMs: { p50: number; p95: number; max: number };
  tokensPerRace: { input: number; output: number };
  calibration: string[];
}

/**
 * The two runs on the same races (single-winner races scored by both). Per-race log loss is
 * -ln p(winner); the paired SE is that of the per-race differences.
 */
export function sideBySide(evidence: ReplayedRace[], llm: ReplayedRace[], calls: QualCall[]): SideBySide {
  const byId = new Map(llm.map((r) => [r.raceId, r]));
  const pairs = evidence
    .map((e) => [e, byId.get(e.raceId)] as const)
    .filter(
      (p): p is readonly [ReplayedRace, ReplayedRace] =>
        p[1] !== undefined &&
        winnerIndex({ raceId: p[0].raceId, probs: p[0].final, positions: p[0].positions }) !== null,
    );
  const compare = (set: 'fused' | 'final') => {
    const loss = (r: ReplayedRace): number =>
      raceLogLoss({ raceId: r.raceId, probs: r[set], positions: r.positions, odds: r.odds }) ?? 0;
    const ev = pairs.map(([e]) => loss(e));
    const ll = pairs.map(([, l]) => loss(l));
    const d = pairedDifference(ll, ev);
    const mean = (xs: number[]): number => xs.reduce((a, v) => a + v, 0) / Math.max(1, xs.length);
    return { evidence: mean(ev), llm: mean(ll), delta: d.mean, pairedSE: d.se };
  };
  const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
  const n = Math.max(1, calls.length);
  return {
    races: pairs.length,
    fused: compare('fused'),
    final: compare('final'),
    calls: calls.length,
    shareValid: calls.filter((c) => c.valid).length / n,
    absurd: calls.filter((c) => c.absurd).length,
    fallbacks: calls.filter((c) => !c.valid).length,
    fallbackReasons: calls.flatMap((c) => (c.fallbackReason ? [`${c.raceId}: ${c.fallbackReason}`] : [])),
    latencyMs: { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: ms.at(-1) ?? Number.NaN },
    tokensPerRace: {
      input: calls.reduce((a, c) => a + c.inputTokens, 0) / n,
      output: calls.reduce((a, c) => a + c.outputTokens, 0) / n,
    },
    calibration: [...new Set(calls.flatMap((c) => (c.calibration ? [c.calibration] : [])))],
  };
}

export function renderSideBySide(s: SideBySide, meta: { model: string; command: string }): string {
  const f = (x: number): string => x.toFixed(4);
  const row = (name: string, m: SideBySide['fused']): string =>
    `| ${name} | ${f(m.evidence)} | ${f(m.llm)} | ${f(m.delta)} | ${f(m.pairedSE)} |`;
  return [
    `# LLM analyst (${meta.model}) next to the evidence model`,
    '',
    `\`${meta.command}\``,
    '',
    `${s.races} test races scored by both (single winner). Log loss per race, -ln p(winner); delta = LLM - evidence (negative: the LLM run is better).`,
    '',
    '| probabilities | evidence model | LLM analyst | delta | paired SE |',
    '| --- | --- | --- | --- | --- |',
    row('fused', s.fused),
    row('final', s.final),
    '',
    `LLM calls ${s.calls}: share valid ${(100 * s.shareValid).toFixed(1)}%, flagged absurd ${s.absurd}, fallbacks to the evidence model ${s.fallbacks}.`,
    `Latency per race p50 ${(s.latencyMs.p50 / 1000).toFixed(1)} s, p95 ${(s.latencyMs.p95 / 1000).toFixed(1)} s, max ${(s.latencyMs.max / 1000).toFixed(1)} s; tokens per race ${s.tokensPerRace.input.toFixed(0)} in, ${s.tokensPerRace.output.toFixed(0)} out.`,
    `Calibration: ${s.calibration.join('; ') || 'none recorded'}.`,
    ...(s.fallbackReasons.length ? ['', 'Fallbacks:', ...s.fallbackReasons.map((r) => `- ${r}`)] : []),
    '',
  ].join('\n');
}
