import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SEARCH_ATTRIBUTES } from '../../../schemas/constants.js';

// js-yaml arrives with eslint; the compose file is only parsed here, never at run time.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const root = path.resolve(import.meta.dirname, '..', '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  depends_on?: string[] | Record<string, { condition: string }>;
  environment?: Record<string, string>;
  command?: string[] | string;
}

describe('docker-compose.yml (structural check: no Docker engine here)', () => {
  const compose = yaml.load(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
  const services = compose.services;

  test('every dependency names a service, with a condition compose knows', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image || s.build, `${name} has an image or a build`);
      const deps = Array.isArray(s.depends_on)
        ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }]))
        : (s.depends_on ?? {});
      for (const [dep, { condition }] of Object.entries(deps)) {
        assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
        assert.ok(
          ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
          `${name}: ${condition}`,
        );
      }
    }
  });

  test('the setup job registers exactly the search attributes the workflows set', () => {
    const script = [services['temporal-setup']?.command].flat().join(' ');
    const listed = Object.fromEntries(
      [...script.matchAll(/(\w+):(Keyword|Datetime|Bool|Int|Double|Text|KeywordList)/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    assert.deepEqual(listed, { ...SEARCH_ATTRIBUTES });
  });

  test('the worker is pointed at compose services and gets the operations settings', () => {
    const env = services.worker?.environment ?? {};
    assert.equal(env.EMBEDDED_STACK, 'false');
    assert.match(env.TEMPORAL_ADDRESS ?? '', /^temporal:7233$/);
    assert.match(env.DATABASE_URL ?? '', /@app-db:5432\//);
    for (const k of ['ALERT_WEBHOOK_URL', 'METRICS_PORT', 'TEMPORAL_METRICS_PORT'])
      assert.ok(k in env, `worker env lacks ${k}`);
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /CMD \["npx", "tsx", "cli\/worker.ts"\]/);
  });
});
