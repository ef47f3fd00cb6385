import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../../config/env.js';
import { publishedSchemas } from '../../../schemas/json-schema.js';
import { bettingInterestOf, RaceCardSchema } from '../../../schemas/race-card.js';

const read = (...p: string[]) => JSON.parse(readFileSync(join(PROJECT_ROOT, ...p), 'utf8')) as unknown;
const example = (name: string) => RaceCardSchema.parse(read('examples', name));

describe('published formats', () => {
  test('docs/*.schema.json are what the zod schemas generate (run `npm run schemas` after changing them)', () => {
    for (const [file, schema] of Object.entries(publishedSchemas()))
      assert.deepEqual(read('docs', file), schema, `docs/${file} is stale: npm run schemas`);
  });

  test('the card schema publishes the new fields: text program numbers, interests, units, jumps surfaces', () => {
    const card = publishedSchemas()['race-card.schema.json'] as {
      properties: Record<string, { enum?: string[] }> & {
        runners: { items: { properties: Record<string, unknown>; required: string[] } };
      };
    };
    assert.deepEqual(card.properties.surface!.enum, ['turf', 'dirt', 'synthetic', 'hurdle', 'chase']);
    assert.deepEqual(card.properties.weightUnit!.enum, ['lb', 'kg']);
    const runner = card.properties.runners.items;
    assert.ok('bettingInterest' in runner.properties);
    assert.ok(!runner.required.includes('horseId'), 'horse ids are optional');
    assert.ok(JSON.stringify(runner.properties.horseNo).includes('"string"'));
  });

  test('every example card validates, and each file name says it is an example card', () => {
    const files = readdirSync(join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      assert.match(f, /example.*card|card.*example/);
      RaceCardSchema.parse(read('examples', f));
    }
  });

  test('the US example has a coupled entry (1 and 1A, one interest), weights in lb, a runner without an id', () => {
    const us = example('us-coupled-example-card.json');
    assert.equal(us.weightUnit, 'lb');
    const interests = us.runners.map((r) => bettingInterestOf(us, r));
    assert.equal(new Set(interests).size, us.runners.length - 1);
    assert.deepEqual(
      us.runners.filter((r) => bettingInterestOf(us, r) === '1').map((r) => r.horseNo),
      ['1', '1A'],
    );
    assert.ok(us.runners.some((r) => r.horseId.startsWith('_anon:')));
  });

  test('the UK jumps example carries stones-and-pounds weights converted to lb (14 lb a stone)', () => {
    const uk = example('uk-jumps-example-card.json');
    assert.equal(uk.surface, 'chase');
    for (const r of uk.runners) {
      const [, st, lb] = /(\d+)st (\d+)lb/.exec(r.notes ?? '') ?? [];
      assert.equal(r.actualWeight, Number(st) * 14 + Number(lb), r.horseName);
    }
    assert.ok(
      Math.max(...uk.runners.map((r) => r.actualWeight)) > 150,
      'a jumps top weight above the old 150 lb cap',
    );
  });
});
