import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, SystemMessage, isAIMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { QualOutput, RaceCard, RunnerHistory } from '../schemas/index.js';
import { interpretAnswer, LlmAnswerSchema, parseAnswer } from './answer.js';
import { costUsd } from './config.js';
import type { LlmConfig } from './config.js';
import { classifyLlmError } from './classify.js';
import { LlmInvalidAnswer } from './errors.js';
import { buildPrompt, PROMPT_VERSION } from './prompt.js';

/** OpenAI's client refuses to start without a key; a local compatible server ignores whatever it gets. */
const LOCAL_SERVER_PLACEHOLDER_KEY = 'no-key-local-server';
const STRUCTURED_OUTPUT_NAME = 'qualitative_analysis';

/** QualOutput plus the race-level flags ('llm-absurd') and why they were raised. */
export type LlmAnalysis = QualOutput & {
  source: { kind: 'llm'; model: string; promptVersion: string };
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

export function createLlmAnalyst({ config, chatModel }: CreateLlmAnalystDeps): LlmAnalyst {
  const model: BaseChatModel = chatModel ?? createChatModel(config);
  // LangChain picks json_schema response_format for current OpenAI models and tool calling for
  // gpt-3.5 / gpt-4 / gpt-4-*; includeRaw keeps the AIMessage so we can read token usage.
  const structured = model.withStructuredOutput(LlmAnswerSchema, {
    name: STRUCTURED_OUTPUT_NAME,
    includeRaw: true,
  });
  const secret = config.revealApiKey();

  return {
    async analyse(card, histories, opts = {}) {
      const started = performance.now();
      opts.signal?.throwIfAborted();
      const prompt = buildPrompt(card, histories);
      // Our own deadline caps LangChain's attempts and back-off so we fail before Temporal's timeout.
      const deadline = AbortSignal.timeout(config.budgetMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;

      let result: { raw: BaseMessage; parsed: unknown };
      try {
        result = await structured.invoke([new SystemMessage(prompt.system), new HumanMessage(prompt.user)], {
          signal,
        });
      } catch (err) {
        opts.signal?.throwIfAborted();
        throw classifyLlmError(err, {
          deadlineExceeded: deadline.aborted,
          budgetMs: config.budgetMs,
          secret,
        });
      }
      // With includeRaw LangChain turns a parse failure into parsed: null instead of throwing.
      if (result.parsed === null || result.parsed === undefined)
        throw new LlmInvalidAnswer('the answer could not be parsed as the requested JSON');
      const interpreted = interpretAnswer(card, parseAnswer(result.parsed));
      const { inputTokens, outputTokens } = tokenUsage(result.raw);
      return {
        raceId: card.raceId,
        runners: interpreted.runners,
        source: { kind: 'llm', model: config.model, promptVersion: PROMPT_VERSION },
        usage: { inputTokens, outputTokens, costUsd: costUsd(config, inputTokens, outputTokens) },
        timingsMs: { total: performance.now() - started },
        flags: interpreted.flags,
        absurdReasons: interpreted.absurdReasons,
      };
    },
  };
}
