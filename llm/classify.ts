import {
  LlmAuthError,
  LlmInvalidAnswer,
  LlmQuotaExhausted,
  LlmRateLimited,
  LlmRequestError,
  LlmServerError,
  LlmTimeout,
} from './errors.js';
import type { LlmError } from './errors.js';

export interface ClassifyContext {
  /** Our overall deadline fired (as opposed to the caller cancelling). */
  deadlineExceeded: boolean;
  budgetMs: number;
  /** Removed from every message we build, whatever the server echoed back. */
  secret: string | undefined;
}

const field = (err: unknown, key: string): unknown =>
  typeof err === 'object' && err !== null && key in err ? (err as Record<string, unknown>)[key] : undefined;

function statusOf(err: unknown): number | undefined {
  const direct = field(err, 'status');
  if (typeof direct === 'number') return direct;
  const nested = field(field(err, 'response'), 'status');
  return typeof nested === 'number' ? nested : undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = field(err, 'code') ?? field(field(err, 'error'), 'code');
  return typeof code === 'string' ? code : undefined;
}

function nameOf(err: unknown): string {
  const name = field(err, 'name');
  const ctor = typeof err === 'object' && err !== null ? err.constructor.name : '';
  return typeof name === 'string' && name !== 'Error' ? name : ctor;
}

/** Errors raised when the reply arrived but was not the JSON we asked for. */
const INVALID_ANSWER_ERRORS = new Set([
  'SyntaxError',
  'ZodError',
  '$ZodError',
  'OutputParserException',
  'LengthFinishReasonError',
  'ContentFilterFinishReasonError',
]);

/** A zod error's first issues as `path: message`, instead of its pretty-printed JSON. */
function issuesSummary(err: unknown): string | undefined {
  const issues = field(err, 'issues');
  if (!Array.isArray(issues)) return undefined;
  return issues
    .slice(0, 3)
    .map((i: unknown) => {
      const path = field(i, 'path');
      return `${Array.isArray(path) ? path.join('.') : ''}: ${String(field(i, 'message'))}`;
    })
    .join('; ');
}

/**
 * Maps whatever LangChain or the OpenAI client threw to one named LlmError. Unknown errors (a bug
 * on our side) are returned unchanged so they are not disguised as an LLM fault.
 */
export function classifyLlmError(err: unknown, ctx: ClassifyContext): LlmError | unknown {
  const scrub = (text: string): string => (ctx.secret ? text.split(ctx.secret).join('[redacted]') : text);
  const rawMessage = field(err, 'message');
  const text = issuesSummary(err) ?? (typeof rawMessage === 'string' ? rawMessage : String(err));
  const detail = scrub(text).replace(/\s+/g, ' ').trim().slice(0, 500);
  const status = statusOf(err);
  const name = nameOf(err);

  if (ctx.deadlineExceeded) return new LlmTimeout(`no answer within the ${ctx.budgetMs} ms LLM budget`);
  if (name === 'TimeoutError' || name === 'APIConnectionTimeoutError')
    return new LlmTimeout(`LLM request timed out: ${detail}`);
  if (status === 401 || status === 403)
    return new LlmAuthError(`LLM server refused the credentials (${status}): ${detail}`, status);
  if (status === 429) {
    if (
      codeOf(err) === 'insufficient_quota' ||
      name === 'InsufficientQuotaError' ||
      name === 'RateLimitQuotaExhaustedError'
    )
      return new LlmQuotaExhausted(`LLM quota exhausted: ${detail}`, status);
    return new LlmRateLimited(`LLM rate limited: ${detail}`, status);
  }
  if (status !== undefined && status >= 500)
    return new LlmServerError(`LLM server error ${status}: ${detail}`, status);
  if (status !== undefined && status >= 400)
    return new LlmRequestError(`LLM request rejected (${status}): ${detail}`, status);
  if (name === 'APIConnectionError') return new LlmServerError(`could not reach the LLM server: ${detail}`);
  if (INVALID_ANSWER_ERRORS.has(name) || Array.isArray(field(err, 'issues')))
    return new LlmInvalidAnswer(`the answer is not JSON matching the schema: ${detail}`);
  return err;
}
