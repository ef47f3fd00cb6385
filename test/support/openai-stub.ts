import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible server for tests: POST /v1/chat/completions only, answering from a
 * per-test script. It speaks both ways ChatOpenAI asks for structured output: a json_schema
 * response_format (answer in message.content) and forced tool calls (answer in tool_calls[0]).
 */

export interface StubUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type StubBehaviour =
  /** A JSON answer; `build` gets the horseIds found in the prompt (default: a valid answer). */
  | { kind: 'answer'; build?: (horseIds: string[]) => unknown; usage?: StubUsage }
  /** Raw text where the JSON should be, e.g. invalid JSON or Infinity written as 1e999. */
  | { kind: 'content'; content: string; usage?: StubUsage }
  /** Wait, then behave like `then` (default: a valid answer). Cancelled if the client disconnects. */
  | { kind: 'delay'; ms: number; then?: StubBehaviour }
  /** An HTTP error with an OpenAI-style error body. */
  | { kind: 'status'; status: number; message?: string; code?: string; headers?: Record<string, string> };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatRequestBody;
}

export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  tools?: { type: string; function: { name: string; parameters?: unknown } }[];
  tool_choice?: { type: string; function?: { name: string } } | string;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema?: unknown } };
  [key: string]: unknown;
}

export interface OpenAiStub {
  baseURL: string;
  /** Replace the queue of behaviours; each request takes the next one, a valid answer once it is empty. */
  setScript(behaviours: StubBehaviour[]): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_STUB_USAGE: StubUsage = { prompt_tokens: 1200, completion_tokens: 300 };

/** A plausible, in-range answer for the given runners, varied a little so runners differ. */
export function validAnswerFor(horseIds: string[]): {
  runners: {
    horseId: string;
    lr: { formFitness: number; conditions: number; tactics: number; context: number };
    matrix: { chemistry: number; distance: number; weather: number };
    confidence: number;
    keyStrengths: string[];
    keyConcerns: string[];
    narrative: string;
  }[];
} {
  return {
    runners: horseIds.map((horseId, i) => ({
      horseId,
      lr: {
        formFitness: 1 + 0.1 * (i % 3),
        conditions: 0.9 + 0.05 * i,
        tactics: 1.1,
        context: 0.8 + 0.1 * (i % 2),
      },
      matrix: { chemistry: 1.02, distance: 0.01, weather: -0.02 },
      confidence: 0.6,
      keyStrengths: ['consistent recent form'],
      keyConcerns: ['wide draw'],
      narrative: `Runner ${horseId}: steady form, suited by the trip.`,
    })),
  };
}

/** The horseIds the prompt lists: the first cell of each runner row of the table (llm/prompt.ts). */
export function horseIdsIn(body: ChatRequestBody): string[] {
  const ids = new Set<string>();
  for (const m of body.messages ?? []) {
    const text = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
    for (const match of text.matchAll(/^([^|\s]+)\|/gm))
      if (match[1] !== undefined && match[1] !== 'horseId') ids.add(match[1]);
  }
  return [...ids];
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function completion(body: ChatRequestBody, payload: string, usage: StubUsage): unknown {
  const toolName =
    typeof body.tool_choice === 'object' ? body.tool_choice.function?.name : body.tools?.[0]?.function.name;
  const message = body.tools?.length
    ? {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'call_stub_1',
            type: 'function',
            function: { name: toolName ?? 'extract', arguments: payload },
          },
        ],
      }
    : { role: 'assistant', content: payload, refusal: null };
  return {
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'stub',
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAiStub(): Promise<OpenAiStub> {
  let script: StubBehaviour[] = [];
  const requests: RecordedRequest[] = [];

  const behave = (behaviour: StubBehaviour, body: ChatRequestBody, res: ServerResponse): void => {
    switch (behaviour.kind) {
      case 'answer': {
        const answer = (behaviour.build ?? validAnswerFor)(horseIdsIn(body));
        sendJson(res, 200, completion(body, JSON.stringify(answer), behaviour.usage ?? DEFAULT_STUB_USAGE));
        return;
      }
      case 'content':
        sendJson(res, 200, completion(body, behaviour.content, behaviour.usage ?? DEFAULT_STUB_USAGE));
        return;
      case 'delay': {
        const timer = setTimeout(() => behave(behaviour.then ?? { kind: 'answer' }, body, res), behaviour.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'status':
        sendJson(
          res,
          behaviour.status,
          {
            error: {
              message: behaviour.message ?? `stub error ${behaviour.status}`,
              type: 'stub_error',
              param: null,
              code: behaviour.code ?? null,
            },
          },
          behaviour.headers,
        );
        return;
    }
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((text) => {
        const path = req.url ?? '';
        if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
          sendJson(res, 404, {
            error: { message: `stub has no ${req.method} ${path}`, type: 'invalid_request_error' },
          });
          return;
        }
        const body = JSON.parse(text) as ChatRequestBody;
        requests.push({ method: req.method, path, headers: req.headers, body });
        if (body.stream) {
          sendJson(res, 400, {
            error: { message: 'the stub does not stream', type: 'invalid_request_error' },
          });
          return;
        }
        behave(script.shift() ?? { kind: 'answer' }, body, res);
      })
      .catch((err: unknown) =>
        sendJson(res, 400, { error: { message: String(err), type: 'invalid_request_error' } }),
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    setScript(behaviours) {
      script = [...behaviours];
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
