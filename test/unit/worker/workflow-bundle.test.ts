import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { prebuiltWorkflowBundle } from '../../../worker/workflow-bundle.js';

describe('prebuilt workflow bundle freshness', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wf-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sources = path.join(dir, 'workflows');
  mkdirSync(path.join(sources, 'nested'), { recursive: true });
  const source = path.join(sources, 'nested', 'race.ts');
  writeFileSync(source, '// workflow');
  const bundle = path.join(dir, 'workflow-bundle.js');
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  it('refuses a missing bundle', () => {
    assert.match(JSON.stringify(prebuiltWorkflowBundle(bundle, [sources])), /no prebuilt workflow bundle/);
  });

  it('uses a bundle not older than every source, however deep', () => {
    writeFileSync(bundle, '// bundle');
    at(source, 1_000);
    at(path.join(sources, 'nested'), 1_000);
    at(sources, 1_000);
    at(bundle, 2_000);
    assert.deepEqual(prebuiltWorkflowBundle(bundle, [sources]), { codePath: bundle });
  });

  it('refuses a bundle older than a source changed after the build', () => {
    at(source, 3_000);
    assert.match(
      JSON.stringify(prebuiltWorkflowBundle(bundle, [sources])),
      /older than the workflow sources/,
    );
  });
});
