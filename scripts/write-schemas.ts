// Writes the published JSON Schemas of the race card and the race result from the zod schemas
// (`npm run schemas`); test/unit/jurisdiction/published-formats.test.ts fails when they drift.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { PROJECT_ROOT } from '../config/env.js';
import { publishedSchemas } from '../schemas/json-schema.js';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  const path = join(PROJECT_ROOT, 'docs', file);
  const options = { ...(await resolveConfig(path)), filepath: path };
  writeFileSync(path, await format(JSON.stringify(schema), options));
  console.log(`wrote docs/${file}`);
}
