import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHistoryLoader } from './history-loader.js';
import { QualOutputSchema, type QualOutput } from '../schemas/qual.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import { llmRetryDecision } from '../llm/errors.js';
import type { ActivityDeps, Histories, QualAnswer } from './ports.js';

export type QualMode = 'auto' | 'evidence' | 'llm';

/** How often the activity tells Temporal it is alive while a model answers (well inside the heartbeat timeout). */
export const QUAL_HEARTBEAT_EVERY_MS = 5_000;

/** Heartbeats until `work` settles: a slow local model is waiting, not hung. */
async function heartbeating<T>(ctx: Context, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => ctx.heartbeat(), QUAL_HEARTBEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

const errorType = (err: unknown): string =>
  (err as { type?: string }).type ?? (err instanceof Error ? err.name : 'Error');

export function createQualActivities(
  { db, evidenceAnalyst, llmAnalyst }: Pick<ActivityDeps, 'db' | 'evidenceAnalyst' | 'llmAnalyst'>,
  histories: (card: RaceCard) => Promise<Histories> = createHistoryLoader(db),
) {
  return {
    /**
     * Likelihood ratios per runner. The LLM answers when configured and asked for; its transient faults
     * are retried by Temporal, and after the last LLM attempt (or a fault retrying cannot fix) the
     * evidence model answers, with the reason recorded in the output. A race never fails for the LLM.
     */
    async qualAnalysis(card: RaceCard, mode: QualMode = 'auto'): Promise<QualOutput> {
      const parsed = RaceCardSchema.parse(card);
      const t0 = performance.now();
      const loaded = await histories(parsed);
      const useLlm = mode !== 'evidence' && llmAnalyst !== undefined;
      if (mode === 'llm' && !llmAnalyst) {
        throw ApplicationFailure.nonRetryable(
          'qual mode "llm" was asked for but no LLM is configured (set OPENAI_API_KEY or LLM_BASE_URL)',
          'LlmConfigurationError',
        );
      }
      let answer: QualAnswer;
      let fallbackReason: string | undefined;
      if (useLlm) {
        const ctx = Context.current();
        try {
          answer = await heartbeating(
            ctx,
            llmAnalyst.analyse(parsed, loaded, { signal: ctx.cancellationSignal }),
          );
        } catch (err) {
          const type = errorType(err);
          const message = err instanceof Error ? err.message : String(err);
          if (llmRetryDecision(err, ctx.info.attempt) === 'retry')
            throw ApplicationFailure.retryable(message, type);
          fallbackReason = `${type} on attempt ${ctx.info.attempt}: ${message}`.slice(0, 500);
          ctx.log.warn('LLM analyst failed; the evidence model answers instead', {
            errorType: type,
            attempt: ctx.info.attempt,
          });
          answer = evidenceAnalyst.analyse(parsed, loaded);
        }
      } else {
        answer = evidenceAnalyst.analyse(parsed, loaded);
      }
      return QualOutputSchema.parse({
        raceId: parsed.raceId,
        ...answer,
        ...(fallbackReason ? { fallbackReason } : {}),
        timingsMs: { total: performance.now() - t0 },
      });
    },
  };
}
