import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROMPT_VERSION, buildPrompt } from '../../../llm/prompt.js';
import { RaceCardSchema } from '../../../schemas/index.js';
import { card, histories } from './fixtures.js';

void test('the prompt explains the LR, the four groups and the matrix ranges', () => {
  const { system } = buildPrompt(card, histories);
  assert.match(PROMPT_VERSION, /^qual-llm-v\d+$/);
  assert.match(system, /P\(this evidence \| the runner wins\) \/ P\(this evidence \| the runner loses\)/);
  for (const text of [
    'formFitness',
    'conditions',
    'tactics',
    'context',
    '[0.1, 10]',
    '[0.01, 100]',
    '[0.9, 1.15]',
    '[-0.08, 0.1]',
    '[-0.12, 0.08]',
  ])
    assert.ok(system.includes(text), text);
});

void test('the prompt lists only active runners, with compact history and notes as data', () => {
  const { user } = buildPrompt(card, histories);
  assert.ok(user.includes('"horseId":"H1"') && user.includes('"horseId":"H3"'));
  assert.ok(!user.includes('"horseId":"H4"'), 'scratched runner left out');
  assert.ok(user.includes('"notes":"sharp trackwork"'));
  assert.ok(user.includes('"days":26'));
  assert.ok(user.includes('"jockeyChange":true'));
  assert.ok(user.includes('3/12 1.5L dr5 prominent'));
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
