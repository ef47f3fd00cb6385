import { CalibrationArtefactsSchema } from '../agents/artefacts.js';
import { STRATEGY_NAMES } from '../schemas/constants.js';
import { artefacts as fixtureArtefacts, raceInput } from '../test/unit/sandboxes/fixtures/race.js';
import { agentBundle } from './bundle.js';
import { createInlineRunner } from './inline.js';
import { createProcessRunner } from './process.js';
import type { SandboxRunner } from './runner.js';

/**
 * Per-agent overhead of the process sandbox against inline, on the 14-runner test race:
 * cold = pool creation (spawn + artefacts) plus the first job; warm = jobs on an already-warm pool,
 * sequential (latency) and 15 in parallel (one race's fan-out). Prints JSON; not part of the tests.
 */
const ROUNDS = 20;
const artefacts = CalibrationArtefactsSchema.parse(fixtureArtefacts());
const input = raceInput();
const job = (strategy: string) => ({ strategy, input });
/** A fresh signal per job, as each activity has its own. */
const ctx = () => ({ signal: new AbortController().signal, heartbeat: () => {} });

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: +at(0.5).toFixed(3), p90: +at(0.9).toFixed(3), n: s.length };
}

async function warm(runner: SandboxRunner) {
  const sequential: number[] = [];
  const raceFanOut: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of STRATEGY_NAMES) sequential.push(await timeMs(() => runner.run(job(s), ctx())));
    raceFanOut.push(await timeMs(() => Promise.all(STRATEGY_NAMES.map((s) => runner.run(job(s), ctx())))));
  }
  return { perAgentSequentialMs: stats(sequential), raceOf15ParallelMs: stats(raceFanOut) };
}

const bundleBuildMs = await timeMs(async () => agentBundle());
const inline = createInlineRunner(artefacts);
const inlineCold = await timeMs(() => inline.run(job('BayesianUpdater_Balanced'), ctx()));
const inlineWarm = await warm(inline);

const coldRuns: number[] = [];
for (let i = 0; i < 5; i++) {
  let runner: SandboxRunner | undefined;
  coldRuns.push(
    await timeMs(async () => {
      runner = createProcessRunner({ bundle: agentBundle(), artefacts, poolSize: 1 });
      await runner.run(job('BayesianUpdater_Balanced'), ctx());
    }),
  );
  await runner?.close();
}
const pool = createProcessRunner({ bundle: agentBundle(), artefacts, poolSize: 2 });
await pool.run(job('BayesianUpdater_Balanced'), ctx());
const processWarm = await warm(pool);
await pool.close();

process.stdout.write(
  `${JSON.stringify(
    {
      node: process.version,
      race: { runners: input.runners.length, strategies: STRATEGY_NAMES.length },
      bundleBuildMs: +bundleBuildMs.toFixed(1),
      inline: { coldFirstJobMs: +inlineCold.toFixed(3), ...inlineWarm },
      process: { poolSize: 2, coldSpawnPlusFirstJobMs: stats(coldRuns), ...processWarm },
    },
    null,
    2,
  )}\n`,
);
