import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRAINING_DIR = dirname(fileURLToPath(import.meta.url));
const VENV = join(TRAINING_DIR, '.venv');
const VENV_PYTHON = join(VENV, 'bin', 'python');

export class PythonTrainerError extends Error {
  override name = 'PythonTrainerError';
}

function run(cmd: string, args: string[]): string {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new PythonTrainerError(`${cmd} could not start: ${res.error.message}`);
  if (res.status !== 0)
    throw new PythonTrainerError(`${cmd} ${args.join(' ')} exited with ${res.status}:\n${res.stdout}`);
  return res.stdout;
}

/**
 * Creates models/training/.venv from the pinned requirements the first time, and reinstalls them
 * whenever requirements.txt differs from the copy stamped into the venv at the last install.
 */
export function ensureVenv(log: (line: string) => void): string {
  const requirements = join(TRAINING_DIR, 'requirements.txt');
  const stamp = join(VENV, 'requirements.installed.txt');
  if (!existsSync(VENV_PYTHON)) {
    log(`creating ${VENV}`);
    run('python3', ['-m', 'venv', VENV]);
  }
  const wanted = readFileSync(requirements, 'utf8');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    log('installing models/training/requirements.txt into the venv');
    run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '-r', requirements]);
    writeFileSync(stamp, wanted);
  }
  return VENV_PYTHON;
}

/** Runs train_quant.py and returns the JSON summary it prints as its last line. */
export function runQuantTrainer(python: string, args: Record<string, string | number>): unknown {
  const flags = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const stdout = run(python, [join(TRAINING_DIR, 'train_quant.py'), ...flags]);
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new PythonTrainerError(`train_quant.py printed no JSON summary:\n${stdout}`);
  }
}
