import { z } from 'zod';
import { RaceCardSchema } from './race-card.js';
import { RaceResultSchema } from './result.js';

/**
 * The published formats, generated from the zod schemas so they cannot drift: the card as a user
 * writes it (input: numbers accepted for program numbers, kg allowed), the result as the engine
 * returns it. Cross-field rules (unique ids, weight bounds per unit, two active runners) live in the
 * zod refinements and are described in the card schema's description.
 */
export function publishedSchemas(): Record<string, unknown> {
  const card = z.toJSONSchema(RaceCardSchema, { io: 'input', target: 'draft-2020-12' });
  const result = z.toJSONSchema(RaceResultSchema, { io: 'output', target: 'draft-2020-12' });
  return {
    'race-card.schema.json': {
      title: 'RaceCard',
      description:
        'A race card. Also checked beyond this schema: horse ids and program numbers unique; at least 2 active runners; ' +
        'placesPaid below the active field; actualWeight 95-180 lb or 43-82 kg and declaredWeight 600-1700 lb or ' +
        '270-775 kg by weightUnit (default lb).',
      ...card,
    },
    'race-result.schema.json': {
      title: 'RaceResult',
      ...result,
    },
  };
}
