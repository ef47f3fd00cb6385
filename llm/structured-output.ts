import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { isAIMessage, type BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { LlmRunnerAnswerSchema } from './answer.js';
import { LlmConfigurationError } from './errors.js';

/**
 * How the answer's structure is asked for. `tool-calling` forces a call of one function whose
 * parameters are the schema: OpenAI, vLLM, Ollama and llama.cpp's server (chatml-function-calling)
 * all honour it. `json-mode` sends `response_format: {type: "json_object", schema}`, which
 * llama-cpp-python turns into a grammar, so a small local model cannot write anything but that JSON;
 * the newer `json_schema` format is the one such servers refuse.
 */
export const STRUCTURED_OUTPUT_METHODS = ['tool-calling', 'json-mode'] as const;
export type StructuredOutputMethod = (typeof STRUCTURED_OUTPUT_METHODS)[number];

export const STRUCTURED_OUTPUT_NAME = 'qualitative_analysis';

type JsonSchema = Record<string, unknown>;
const asObject = (v: unknown): JsonSchema => v as JsonSchema;

/**
 * The answer schema for one call: an object keyed by this call's horseIds, each required once, whose
 * values are the four LRs. A server that enforces the schema (a grammar) then cannot invent, repeat
 * or drop a horse (a list of {horseId, lr} let SmolLM2 write one id fourteen times), nor spend
 * tokens on fields we do not use; one that does not still has every answer checked by interpretAnswer.
 */
export function answerJsonSchema(horseIds: readonly string[]): JsonSchema {
  const lr = asObject(z.toJSONSchema(LlmRunnerAnswerSchema.shape.lr, { target: 'draft-7' }));
  delete lr.$schema;
  return {
    type: 'object',
    properties: Object.fromEntries(horseIds.map((id) => [id, lr])),
    required: [...horseIds],
    additionalProperties: false,
  };
}

/**
 * The keyed answer ({horseId: lr}) as the runner list parseAnswer checks. A reply already in the list
 * form (`{runners: [...]}`, as scripted test servers send it) passes unchanged.
 */
export function runnersFromKeyed(parsed: unknown): unknown {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || 'runners' in parsed)
    return parsed;
  return { runners: Object.entries(parsed).map(([horseId, lr]) => ({ horseId, lr })) };
}

export interface StructuredReply {
  raw: BaseMessage;
  /** null when the reply held no parseable JSON (the caller turns that into LlmInvalidAnswer). */
  parsed: unknown;
}

function parseJsonContent(raw: BaseMessage): unknown {
  const text = typeof raw.content === 'string' ? raw.content : '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** One structured call by the configured method; what LangChain or the client throws propagates. */
export async function askStructured(
  model: BaseChatModel,
  method: StructuredOutputMethod,
  messages: BaseMessage[],
  schema: JsonSchema,
  signal: AbortSignal,
): Promise<StructuredReply> {
  if (method === 'tool-calling') {
    if (!model.bindTools)
      throw new LlmConfigurationError(
        'this chat model cannot call tools: set LLM_STRUCTURED_OUTPUT=json-mode',
      );
    // Our own parse (parseAnswer) instead of LangChain's: its schema errors name the path that broke.
    const tool = { type: 'function', function: { name: STRUCTURED_OUTPUT_NAME, parameters: schema } };
    const forced = { type: 'function', function: { name: STRUCTURED_OUTPUT_NAME } };
    const raw = await model.bindTools([tool], { tool_choice: forced }).invoke(messages, { signal });
    const call = isAIMessage(raw)
      ? raw.tool_calls?.find((c) => c.name === STRUCTURED_OUTPUT_NAME)
      : undefined;
    return { raw, parsed: call?.args ?? null };
  }
  const options = { signal, response_format: { type: 'json_object', schema } };
  const raw = await model.invoke(messages, options as Parameters<BaseChatModel['invoke']>[1]);
  return { raw, parsed: parseJsonContent(raw) };
}
