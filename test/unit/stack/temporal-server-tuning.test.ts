import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../../config/env.js';
import { devServerDynamicConfigArgs, SERVER_DYNAMIC_CONFIG } from '../../../stack/temporal-server-tuning.js';

test('the compose server gets the same dynamic config as the embedded dev server', () => {
  const file = yaml.load(
    readFileSync(path.join(PROJECT_ROOT, 'deploy', 'temporal-dynamic-config.yaml'), 'utf8'),
  ) as Record<string, Array<{ value: unknown }>>;
  const fromFile = Object.fromEntries(Object.entries(file).map(([key, values]) => [key, values[0]?.value]));
  assert.deepEqual(fromFile, SERVER_DYNAMIC_CONFIG);
});

test('the compose file mounts that config where DYNAMIC_CONFIG_FILE_PATH points', () => {
  const compose = yaml.load(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: { temporal: { environment: Record<string, string>; volumes: string[] } };
  };
  const { environment, volumes } = compose.services.temporal;
  const mounted = volumes
    .map((v) => v.split(':'))
    .find(([from]) => from === './deploy/temporal-dynamic-config.yaml');
  assert.ok(mounted, 'deploy/temporal-dynamic-config.yaml is mounted');
  assert.equal(mounted[1], `/etc/temporal/${environment.DYNAMIC_CONFIG_FILE_PATH}`);
});

test('dev server flags carry each key with a JSON value', () => {
  assert.deepEqual(devServerDynamicConfigArgs({ 'a.b': 5, 'c.d': true }), [
    '--dynamic-config-value',
    'a.b=5',
    '--dynamic-config-value',
    'c.d=true',
  ]);
  const args = devServerDynamicConfigArgs();
  assert.equal(args.length, 2 * Object.keys(SERVER_DYNAMIC_CONFIG).length);
  assert.ok(args.includes('history.transferProcessorMaxPollRPS=1000'));
});
