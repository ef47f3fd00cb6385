import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMPT_VERSION, buildPrompt } from '../../../llm/prompt.js';
import { RaceCardSchema } from '../../../schemas/index.js';
import { card, histories } from './fixtures.js';

void test('the prompt explains the LR and the four groups, and asks for nothing else', () => {
  const { system, user } = buildPrompt(card, histories);
  assert.match(PROMPT_VERSION, /^qual-llm-v\d+$/);
  assert.match(system, /P\(evidence \| wins\) \/ P\(evidence \| loses\)/);
  for (const text of ['formFitness', 'conditions', 'tactics', 'context', '[0.1, 10]'])
    assert.ok(system.includes(text), text);
  assert.ok(user.endsWith('Give formFitness, conditions, tactics, context for each of these 3 runners.'));
});

void test('the prompt lists only active runners, one table row each, with compact history and notes as data', () => {
  const { user } = buildPrompt(card, histories);
  const rows = user.split('\n').filter((l) => /^H\d\|/.test(l));
  assert.deepEqual(
    rows.map((r) => r.split('|')[0]),
    ['H1', 'H2', 'H3'],
    'scratched H4 left out',
  );
  const h1 = rows[0]!.split('|');
  assert.equal(h1.at(-1), 'sharp trackwork');
  assert.equal(h1[3], '26', 'days since the last run');
  assert.equal(h1[6], 'no');
  assert.equal(rows[1]!.split('|')[6], 'yes', 'H2 changed jockey');
  assert.equal(rows[2]!.split('|')[3], 'debut');
  assert.ok(h1[9]!.startsWith('3/12 2L pr'), h1[9]);
});

void test('speed, ratings and market prices stay out of the prompt (the quant side covers them)', () => {
  const priced = RaceCardSchema.parse({
    ...card,
    runners: card.runners.map((r) => ({ ...r, rating: 77, marketWinOdds: 4.5 })),
  });
  const { user } = buildPrompt(priced, histories);
  for (const leak of ['rating', '77', '4.5', 'marketWinOdds', '82.1', '81.9', 'winOdds'])
    assert.ok(!user.includes(leak), leak);
});
