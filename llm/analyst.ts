import { setMaxListeners } from 'node:events';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, SystemMessage, isAIMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { activeRunners, type QualOutput, type RaceCard, type RunnerHistory } from '../schemas/index.js';
import { interpretAnswer, parseAnswer, type LlmAnswer } from './answer.js';
import { costUsd } from './config.js';
import type { LlmConfig } from './config.js';
import { classifyLlmError } from './classify.js';
import { LlmInvalidAnswer } from './errors.js';
import { applyLlmCalibration, type LlmCalibrationChoice } from '../models/llm/calibration.js';
import { buildPrompt, PROMPT_VERSION } from './prompt.js';
import {
  answerJsonSchema,
  askStructured,
  runnersFromKeyed,
  type StructuredReply,
} from './structured-output.js';

/** OpenAI's client refuses to start without a key; a local compatible server ignores whatever it gets. */
const LOCAL_SERVER_PLACEHOLDER_KEY = 'no-key-local-server';

/** QualOutput plus the race-level flags ('llm-absurd') and why they were raised. */
export type LlmAnalysis = QualOutput & {
  source: { kind: 'llm'; model: string; promptVersion: string; calibration?: string };
  flags: string[];
  absurdReasons: string[];
};

export interface AnalyseOptions {
  /** Temporal's cancellation signal: aborting it aborts the HTTP request and rethrows its reason. */
  signal?: AbortSignal;
}

export interface LlmAnalyst {
  analyse(
    card: RaceCard,
    histories: ReadonlyMap<string, RunnerHistory>,
    opts?: AnalyseOptions,
  ): Promise<LlmAnalysis>;
}

export interface CreateLlmAnalystDeps {
  config: LlmConfig;
  /** Injected in tests or to share one client; by default a ChatOpenAI built from the config. */
  chatModel?: BaseChatModel;
  /**
   * The fitted mapping of this model's LRs (models/llm/calibration.ts), or why there is none. Left
   * out, the raw LRs are returned unmarked: that is what a calibration is fitted on.
   */
  calibration?: LlmCalibrationChoice;
}

export function createChatModel(config: LlmConfig): ChatOpenAI {
  return new ChatOpenAI({
    model: config.model,
    apiKey: config.revealApiKey() ?? LOCAL_SERVER_PLACEHOLDER_KEY,
    configuration: config.baseURL === undefined ? {} : { baseURL: config.baseURL },
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    temperature: config.temperature,
  });
}

function tokenUsage(raw: BaseMessage): { inputTokens: number; outputTokens: number } {
  const usage = isAIMessage(raw) ? raw.usage_metadata : undefined;
  return { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createLlmAnalyst({ config, chatModel, calibration }: CreateLlmAnalystDeps): LlmAnalyst {
  const model: BaseChatModel = chatModel ?? createChatModel(config);
  const secret = config.revealApiKey();

  return {
    async analyse(card, histories, opts = {}) {
      const started = performance.now();
      opts.signal?.throwIfAborted();
      // Our own deadline caps every call, LangChain's attempts and back-off, so we fail before Temporal's timeout.
      const deadline = AbortSignal.timeout(config.budgetMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
      // Each call of a split field adds its own abort listener to this one signal.
      setMaxListeners(64, signal);
      const field = activeRunners(card);
      const answered: LlmAnswer['runners'] = [];
      let inputTokens = 0;
      let outputTokens = 0;
      // One call for the field, or several for a small context (LLM_RUNNERS_PER_CALL), one after another:
      // a local server answers one request at a time anyway.
      for (const asked of chunks(field, config.runnersPerCall || field.length)) {
        const prompt = buildPrompt(card, histories, asked);
        const schema = answerJsonSchema(asked.map((r) => r.horseId));
        const messages = [new SystemMessage(prompt.system), new HumanMessage(prompt.user)];
        let reply: StructuredReply;
        try {
          reply = await askStructured(model, config.structuredOutput, messages, schema, signal);
        } catch (err) {
          opts.signal?.throwIfAborted();
          throw classifyLlmError(err, {
            deadlineExceeded: deadline.aborted,
            budgetMs: config.budgetMs,
            secret,
          });
        }
        const used = tokenUsage(reply.raw);
        inputTokens += used.inputTokens;
        outputTokens += used.outputTokens;
        if (reply.parsed === null || reply.parsed === undefined)
          throw new LlmInvalidAnswer('the answer could not be parsed as the requested JSON');
        answered.push(...parseAnswer(runnersFromKeyed(reply.parsed)).runners);
      }
      const interpreted = interpretAnswer(card, { runners: answered });
      const applied = calibration?.kind === 'applied' ? calibration.calibration : undefined;
      const note =
        calibration === undefined
          ? {}
          : {
              calibration:
                calibration.kind === 'applied'
                  ? calibration.calibration.version
                  : `none: ${calibration.reason}`,
            };
      return {
        raceId: card.raceId,
        runners: applied ? applyLlmCalibration(interpreted.runners, applied) : interpreted.runners,
        source: { kind: 'llm', model: config.model, promptVersion: PROMPT_VERSION, ...note },
        usage: { inputTokens, outputTokens, costUsd: costUsd(config, inputTokens, outputTokens) },
        timingsMs: { total: performance.now() - started },
        flags: interpreted.flags,
        absurdReasons: interpreted.absurdReasons,
      };
    },
  };
}
