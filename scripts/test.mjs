// Runs every *.test.ts under the given folders (default: test/) with Node's own test runner.
// Node 20's --test does not expand globs or pick up .ts files, so the list is built here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : walk(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = (roots.length ? roots : ['test']).flatMap((r) => {
  const full = path.resolve(root, r);
  return statSync(full).isDirectory() ? walk(full) : [full];
});
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=600000', ...passThrough, ...files],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
