import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PAYLOAD_CONVERTER_PATH, WORKFLOWS_PATH } from './create-worker.js';

const ROOT = path.join(import.meta.dirname, '..');

/** Where `npm run build` writes the workflow bundle for long-running workers (git-ignored). */
export const WORKFLOW_BUNDLE_PATH = path.join(ROOT, 'dist', 'workflow-bundle.js');

/**
 * What goes into the bundle: the workflows, the schemas they import (activity imports are types
 * only), the payload converter and the lock file that pins the Temporal SDK bundled with them.
 */
export const WORKFLOW_SOURCES = [
  path.join(ROOT, 'workflows'),
  path.join(ROOT, 'schemas'),
  PAYLOAD_CONVERTER_PATH,
  path.join(ROOT, 'package-lock.json'),
];

/** Bundles the workflows the way Worker.create would at start, and writes the code to outPath. */
export async function writeWorkflowBundle(outPath = WORKFLOW_BUNDLE_PATH): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
  });
  mkdirSync(path.dirname(outPath), { recursive: true });
  writeFileSync(outPath, code);
}

function newestMtimeMs(target: string): number {
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(target).reduce(
    (newest, name) => Math.max(newest, newestMtimeMs(path.join(target, name))),
    st.mtimeMs,
  );
}

/**
 * The prebuilt bundle when it exists and is not older than any workflow source, else why not
 * (so the worker can say it bundles at start instead of running stale workflow code).
 */
export function prebuiltWorkflowBundle(
  bundlePath = WORKFLOW_BUNDLE_PATH,
  sources = WORKFLOW_SOURCES,
): { codePath: string } | { reason: string } {
  let builtAt: number;
  try {
    builtAt = statSync(bundlePath).mtimeMs;
  } catch {
    return { reason: `no prebuilt workflow bundle at ${bundlePath}` };
  }
  const sourcesAt = Math.max(...sources.map(newestMtimeMs));
  if (sourcesAt > builtAt)
    return { reason: `the workflow bundle ${bundlePath} is older than the workflow sources` };
  return { codePath: bundlePath };
}
