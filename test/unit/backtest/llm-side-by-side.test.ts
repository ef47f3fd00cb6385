import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { llmQualStep, sideBySide, type QualCall } from '../../../backtest/llm-side-by-side.js';
import type { ReplayedRace } from '../../../backtest/replay.js';
import type { LlmAnalyst } from '../../../llm/analyst.js';
import type { EvidenceAnalyst } from '../../../activities/ports.js';
import { card, histories } from '../llm/fixtures.js';

const evidence: EvidenceAnalyst = {
  version: 'ev-test',
  analyse: () => ({
    runners: [],
    source: { kind: 'evidence-model' },
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  }),
};

void test('a failing LLM call falls back to the evidence model and is counted as not valid', async () => {
  const calls: QualCall[] = [];
  const failing: LlmAnalyst = {
    analyse: () => Promise.reject(Object.assign(new Error('bad json'), { name: 'LlmInvalidAnswer' })),
  };
  const answer = await llmQualStep(failing, evidence, calls)(card, histories);
  assert.equal(answer.source.kind, 'evidence-model');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.valid, false);
  assert.match(calls[0]!.fallbackReason ?? '', /^LlmInvalidAnswer: bad json/);
});

const runner = (horseId: string, formFitness: number) => ({
  horseId,
  lr: { formFitness, conditions: 1, tactics: 1, context: 1 },
  lrProduct: formFitness,
  matrix: { chemistry: 1, distance: 0, weather: 0 },
  confidence: 0,
  keyStrengths: [],
  keyConcerns: [],
  narrative: '',
  flags: [],
});

void test('with a cache file, a stopped run resumes: cached races are not asked again, fallbacks included', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'llm-calls-')), 'test.jsonl');
  let asked = 0;
  const answering: LlmAnalyst = {
    analyse: (c) => {
      asked += 1;
      if (c.raceId === 'fails')
        return Promise.reject(Object.assign(new Error('timeout'), { name: 'LlmTimeout' }));
      return Promise.resolve({
        raceId: c.raceId,
        runners: [runner('H1', 2), runner('H2', 0.5)],
        source: { kind: 'llm', model: 'm', promptVersion: 'p', calibration: 'cal-1' },
        usage: { inputTokens: 900, outputTokens: 400, costUsd: 0 },
        timingsMs: { total: 1 },
        flags: [],
        absurdReasons: [],
      });
    },
  };
  const first: QualCall[] = [];
  const step = llmQualStep(answering, evidence, first, file);
  await step(card, histories);
  await step({ ...card, raceId: 'fails' }, histories);
  assert.equal(asked, 2);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2);

  const never: LlmAnalyst = { analyse: () => Promise.reject(new Error('asked again')) };
  const again: QualCall[] = [];
  const resumed = llmQualStep(never, evidence, again, file);
  const a = await resumed(card, histories);
  const b = await resumed({ ...card, raceId: 'fails' }, histories);
  assert.equal(a.source.kind, 'llm');
  assert.equal(a.runners[0]!.lr.formFitness, 2);
  assert.equal(b.source.kind, 'evidence-model');
  assert.deepEqual(again, first);
  assert.match(again[1]!.fallbackReason ?? '', /^LlmTimeout: timeout/);
});

const race = (raceId: string, fused: number[], final: number[]): ReplayedRace =>
  ({ raceId, positions: [1, 2], odds: [2, 2], fused, final }) as unknown as ReplayedRace;

void test('the side-by-side pairs races by id: log loss of the winner, LLM minus evidence', () => {
  const ev = [race('a', [0.5, 0.5], [0.5, 0.5]), race('b', [0.5, 0.5], [0.5, 0.5])];
  const llm = [race('a', [0.8, 0.2], [0.8, 0.2]), race('b', [0.2, 0.8], [0.5, 0.5])];
  const calls: QualCall[] = [
    { raceId: 'a', valid: true, absurd: true, ms: 1000, inputTokens: 1000, outputTokens: 500 },
    {
      raceId: 'b',
      valid: false,
      absurd: false,
      ms: 3000,
      inputTokens: 0,
      outputTokens: 0,
      fallbackReason: 'x',
    },
  ];
  const s = sideBySide(ev, llm, calls);
  assert.equal(s.races, 2);
  const fusedLlm = (-Math.log(0.8) - Math.log(0.2)) / 2;
  assert.ok(Math.abs(s.fused.llm - fusedLlm) < 1e-12);
  assert.ok(Math.abs(s.fused.delta - (fusedLlm - Math.log(2))) < 1e-12);
  assert.ok(Math.abs(s.final.delta - (-Math.log(0.8) - Math.log(2)) / 2) < 1e-12);
  assert.equal(s.shareValid, 0.5);
  assert.equal(s.fallbacks, 1);
  assert.equal(s.absurd, 1);
  assert.deepEqual(s.tokensPerRace, { input: 500, output: 250 });
  assert.equal(s.latencyMs.max, 3000);
});
