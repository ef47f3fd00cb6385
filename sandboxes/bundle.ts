import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { PROJECT_ROOT } from '../config/env.js';

/** A self-contained agent bundle on disk and the sha256 of its content (reported as bundleHash). */
export interface AgentBundle {
  path: string;
  hash: string;
}

export const BUNDLE_DIR = path.join(PROJECT_ROOT, 'data', 'bundle');
export const AGENT_ENTRY = path.join(PROJECT_ROOT, 'sandboxes', 'agent-entry.ts');
export const AGENT_BUNDLE_PATH = path.join(BUNDLE_DIR, 'agent-bundle.cjs');

/**
 * Bundles an entry with everything it imports (zod included) into one CommonJS file for Node 20.
 * One file, so the permission model can allow reading exactly that path and nothing else.
 * Synchronous (esbuild takes well under a second) so runner builders can stay synchronous.
 * Written to a temporary name and renamed, so concurrent builders never see a half-written file.
 */
export function buildBundle(entry: string, outFile: string): AgentBundle {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  const content = Buffer.from(file.contents);
  mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, outFile);
  return { path: outFile, hash: createHash('sha256').update(content).digest('hex') };
}

const cache = new Map<string, AgentBundle>();

/** Builds a bundle once per process and entry; later calls get the same file and hash. */
export function cachedBundle(entry: string, outFile: string): AgentBundle {
  const key = `${entry}\0${outFile}`;
  let bundle = cache.get(key);
  if (!bundle) {
    bundle = buildBundle(entry, outFile);
    cache.set(key, bundle);
  }
  return bundle;
}

/** The production agent bundle (sandboxes/agent-entry.ts), built once per process. */
export function agentBundle(): AgentBundle {
  return cachedBundle(AGENT_ENTRY, AGENT_BUNDLE_PATH);
}

/** Reads a bundle file back, e.g. to upload it to a remote sandbox. */
export function readBundle(bundle: AgentBundle): Promise<Buffer> {
  return readFile(bundle.path);
}
