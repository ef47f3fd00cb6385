import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createLlmAnalyst } from '../../../llm/analyst.js';
import { PROMPT_VERSION } from '../../../llm/prompt.js';
import { fitLlmCalibration } from '../../../models/llm/calibration.js';
import { QualOutputSchema, QualRunnerSchema } from '../../../schemas/index.js';
import { startOpenAiStub, validAnswerFor } from '../../support/openai-stub.js';
import type { OpenAiStub } from '../../support/openai-stub.js';
import { DUMMY_KEY, activeIds, card, histories, stubConfig } from './fixtures.js';

let stub: OpenAiStub;
before(async () => {
  stub = await startOpenAiStub();
});
after(async () => {
  await stub.close();
});

void test('by default a forced tool call round-trips into QualOutput-compatible runners with usage and cost', async () => {
  const from = stub.requests.length;
  stub.setScript([{ kind: 'answer', usage: { prompt_tokens: 2000, completion_tokens: 500 } }]);
  const config = stubConfig(stub.baseURL);
  const out = await createLlmAnalyst({ config }).analyse(card, histories);

  QualOutputSchema.parse(out);
  for (const r of out.runners) QualRunnerSchema.parse(r);
  assert.deepEqual(
    out.runners.map((r) => r.horseId),
    activeIds,
  );
  assert.deepEqual(out.source, { kind: 'llm', model: 'gpt-4o-mini', promptVersion: PROMPT_VERSION });
  assert.equal(out.usage.inputTokens, 2000);
  assert.equal(out.usage.outputTokens, 500);
  // 2000 x $0.15 + 500 x $0.60 per million tokens
  assert.ok(Math.abs(out.usage.costUsd - 0.0006) < 1e-12);
  assert.deepEqual(out.flags, []);

  const sent = stub.requests.slice(from);
  assert.equal(sent.length, 1);
  const req = sent[0]!;
  assert.equal(req.headers.authorization, `Bearer ${DUMMY_KEY}`);
  assert.equal(req.body.model, 'gpt-4o-mini');
  assert.equal(req.body.temperature, 0);
  assert.equal(req.body.response_format, undefined);
  assert.deepEqual(req.body.tool_choice, { type: 'function', function: { name: 'qualitative_analysis' } });
  // Keyed by horseId, each required: a grammar-enforcing server cannot repeat, drop or invent a horse.
  const parameters = req.body.tools?.[0]?.function.parameters as {
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { required: string[] }>;
  };
  assert.deepEqual(parameters.required, activeIds);
  assert.equal(parameters.additionalProperties, false);
  assert.deepEqual(parameters.properties[activeIds[0]!]!.required, [
    'formFitness',
    'conditions',
    'tactics',
    'context',
  ]);
  assert.equal(req.body.messages?.[0]?.role, 'system');
});

void test('json-mode sends response_format json_object with the schema, and a field split over calls adds up', async () => {
  const from = stub.requests.length;
  stub.setScript([{ kind: 'answer' }, { kind: 'answer' }]);
  const config = stubConfig(stub.baseURL, { LLM_STRUCTURED_OUTPUT: 'json-mode', LLM_RUNNERS_PER_CALL: '2' });
  const out = await createLlmAnalyst({ config }).analyse(card, histories);
  QualOutputSchema.parse(out);
  assert.deepEqual(
    out.runners.map((r) => r.horseId),
    activeIds,
  );
  const sent = stub.requests.slice(from);
  assert.equal(sent.length, 2);
  const formats = sent.map((r) => r.body.response_format as { type: string; schema: { required: string[] } });
  assert.deepEqual(
    formats.map((f) => [f.type, f.schema.required.length]),
    [
      ['json_object', 2],
      ['json_object', 1],
    ],
  );
  assert.equal(sent[0]?.body.tools, undefined);
  assert.equal(out.usage.inputTokens, 2 * 1200);
});

void test('models without json_schema support get the same answer through a forced tool call', async () => {
  const from = stub.requests.length;
  const config = stubConfig(stub.baseURL, {
    LLM_MODEL: 'gpt-4-turbo',
    LLM_PRICE_INPUT_PER_MTOK: '10',
    LLM_PRICE_OUTPUT_PER_MTOK: '30',
  });
  const out = await createLlmAnalyst({ config }).analyse(card, histories);
  QualOutputSchema.parse(out);
  const req = stub.requests[from]!;
  assert.equal(req.body.response_format, undefined);
  assert.equal(req.body.tools?.[0]?.function.name, 'qualitative_analysis');
  assert.ok(Math.abs(out.usage.costUsd - (1200 * 10 + 300 * 30) / 1e6) < 1e-12);
});

void test('an out-of-range answer is clipped and flagged, an absurd one flagged at race level', async () => {
  stub.setScript([
    {
      kind: 'answer',
      build: (ids) => {
        const a = validAnswerFor(ids);
        a.runners[1]!.lr.tactics = 40;
        a.runners[1]!.matrix.weather = 0.3;
        return a;
      },
    },
    {
      kind: 'answer',
      build: (ids) => {
        const a = validAnswerFor(ids);
        for (const r of a.runners) r.lr = { formFitness: 10, conditions: 10, tactics: 10, context: 10 };
        return a;
      },
    },
  ]);
  const analyst = createLlmAnalyst({ config: stubConfig(stub.baseURL) });
  const clipped = await analyst.analyse(card, histories);
  assert.deepEqual(clipped.runners[1]!.flags, ['lr-clipped:tactics', 'matrix-clipped:weather']);
  assert.equal(clipped.runners[1]!.lr.tactics, 10);
  assert.deepEqual(clipped.flags, []);
  QualOutputSchema.parse(clipped);

  const absurd = await analyst.analyse(card, histories);
  assert.deepEqual(absurd.flags, ['llm-absurd']);
  assert.ok(
    absurd.runners.every(
      (r) => r.lrProduct === 100 && r.flags.includes('lr-product-clipped') && r.flags.includes('llm-absurd'),
    ),
  );
  QualOutputSchema.parse(absurd);
});

void test('the API key appears only in the Authorization header, never in the analysis', async () => {
  const from = stub.requests.length;
  const config = stubConfig(stub.baseURL);
  const out = await createLlmAnalyst({ config }).analyse(card, histories);
  assert.ok(!JSON.stringify(out).includes(DUMMY_KEY));
  assert.ok(!inspect(out, { depth: 10 }).includes(DUMMY_KEY));
  const req = stub.requests[from]!;
  const { authorization, ...otherHeaders } = req.headers;
  assert.equal(authorization, `Bearer ${DUMMY_KEY}`);
  assert.ok(!JSON.stringify(otherHeaders).includes(DUMMY_KEY));
  assert.ok(!JSON.stringify(req.body).includes(DUMMY_KEY));
});

void test('a local server without a key gets a placeholder bearer, not an error', async () => {
  const from = stub.requests.length;
  const { loadLlmConfig } = await import('../../../llm/config.js');
  const config = loadLlmConfig(
    { LLM_BASE_URL: stub.baseURL, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '2000' },
    { activityStartToClose: 10_000 },
  );
  await createLlmAnalyst({ config }).analyse(card, histories);
  assert.match(String(stub.requests[from]!.headers.authorization), /^Bearer no-key-local-server$/);
});

void test('the keyed answer a grammar-constrained server writes ({horseId: LRs}) is read like the list form', async () => {
  stub.setScript([
    {
      kind: 'answer',
      build: (ids) =>
        Object.fromEntries(
          ids.map((id, i) => [id, { formFitness: 1 + i, conditions: 1, tactics: 0.5, context: 1 }]),
        ),
    },
  ]);
  const out = await createLlmAnalyst({
    config: stubConfig(stub.baseURL, { LLM_STRUCTURED_OUTPUT: 'json-mode' }),
  }).analyse(card, histories);
  assert.deepEqual(
    out.runners.map((r) => [r.horseId, r.lr.formFitness, r.lrProduct]),
    activeIds.map((id, i) => [id, 1 + i, (1 + i) * 0.5]),
  );
  // Not asked for in prompt v3: neutral.
  assert.deepEqual(out.runners[0]!.matrix, { chemistry: 1, distance: 0, weather: 0 });
});

void test('a matching calibration maps the LRs and is recorded; a refused one leaves them raw, with the reason', async () => {
  const calibration = fitLlmCalibration([], {
    model: 'gpt-4o-mini',
    promptVersion: PROMPT_VERSION,
    trainUntilRaceId: 5079,
    racesAsked: 0,
  });
  calibration.slopes = { formFitness: 0.5, conditions: 0, tactics: 0, context: 0 };
  stub.setScript([
    {
      kind: 'answer',
      build: (ids) =>
        Object.fromEntries(
          ids.map((id) => [id, { formFitness: 4, conditions: 3, tactics: 0.2, context: 2 }]),
        ),
    },
    { kind: 'answer' },
  ]);
  const config = stubConfig(stub.baseURL);
  const mapped = await createLlmAnalyst({ config, calibration: { kind: 'applied', calibration } }).analyse(
    card,
    histories,
  );
  assert.equal(mapped.source.calibration, calibration.version);
  for (const r of mapped.runners) {
    assert.deepEqual(r.lr, { formFitness: 2, conditions: 1, tactics: 1, context: 1 });
    assert.equal(r.lrProduct, 2);
  }
  QualOutputSchema.parse(mapped);

  const raw = await createLlmAnalyst({
    config,
    calibration: { kind: 'none', reason: 'refused x: fitted on other/qual-llm-v2' },
  }).analyse(card, histories);
  assert.equal(raw.source.calibration, 'none: refused x: fitted on other/qual-llm-v2');
  assert.equal(raw.runners[0]!.lr.tactics, 1.1);
});
