import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { Command } from 'commander';
import { stageTimes, type StageTimes } from '../bench/history-stages.js';
import { table, writeBenchSection } from '../bench/markdown.js';
import { pool, withResources } from '../bench/resources.js';
import { percentiles, type Percentiles } from '../bench/stats.js';
import { startWorkerProcess, type BenchWorker } from '../bench/worker-processes.js';
import { RaceClient } from '../client/index.js';
import { EngineMetrics } from '../worker/metrics.js';
import { loadEnv, PROJECT_ROOT } from '../config/env.js';
import { connectTemporal } from '../config/temporal-connection.js';
import { refreshHistoryStats, upsertPastRuns } from '../db/history.js';
import { generateRaceDay } from '../demo/synthetic-race-day.js';
import type { ActivityPlan } from '../schemas/activity-placement.js';
import type { RaceCard } from '../schemas/race-card.js';
import type { RaceOptions } from '../schemas/workflow-input.js';
import { openSession, type Session } from '../session/open-session.js';

const program = new Command('bench')
  .description(
    'Measure race latency, its stages, the Temporal floor, throughput and the fusion library; write JSON and BENCHMARKS.md',
  )
  .option('--out <file>', 'JSON results', path.join('bench-results', 'bench.json'))
  .option('--races <n>', 'sequential races per latency configuration', (v) => Number.parseInt(v, 10), 30)
  .option('--concurrency <list>', 'throughput concurrency levels', '1,8,32,128')
  .option(
    '--throughput-races-per-slot <n>',
    'races per unit of concurrency in each throughput run (sustained rate: the ramp up and down is a small part)',
    (v) => Number.parseInt(v, 10),
    6,
  )
  .option('--no-markdown', 'do not rewrite the generated section of BENCHMARKS.md')
  .option('--hk-data <dir>', 'HK data for the backtest timings (skipped when missing)', loadEnv().HK_DATA_DIR)
  .option('--no-backtest', 'skip the backtest timings (the Temporal replay takes minutes)')
  .option(
    '--scale-races <n>',
    'races per worker-process count in the scale-out run',
    (v) => Number.parseInt(v, 10),
    96,
  )
  .option('--no-scale-out', 'skip the one- versus two-worker-process run')
  .parse();
const opts = program.opts<{
  out: string;
  races: number;
  concurrency: string;
  throughputRacesPerSlot: number;
  markdown: boolean;
  hkData: string;
  backtest: boolean;
  scaleRaces: number;
  scaleOut: boolean;
}>();
const log = (line: string) => process.stderr.write(`${line}\n`);

const WARMUP_RACES = 3;

const CONFIGS: Array<{ name: string; options: Partial<RaceOptions> }> = [
  { name: 'evidence-qual + inline agents', options: { sandbox: 'inline', qual: 'evidence' } },
  { name: 'evidence-qual + process-sandboxed agents', options: { sandbox: 'process', qual: 'evidence' } },
  {
    name: 'evidence-qual + inline agents, every stage remote',
    options: { sandbox: 'inline', qual: 'evidence', placement: 'remote' },
  },
];

async function seedCards(session: Session, count: number): Promise<RaceCard[]> {
  const cards: RaceCard[] = [];
  for (let day = 0; cards.length < count; day++) {
    const date = new Date(Date.UTC(2027, 0, 1 + day * 3)).toISOString().slice(0, 10);
    const generated = generateRaceDay({ seed: 900 + day, date, races: 10, runnersPerRace: [14, 14] });
    await upsertPastRuns(
      session.db,
      generated.races.flatMap((r) =>
        r.histories.flatMap((h) => h.runs.map((run) => ({ horseId: h.horseId, run }))),
      ),
    );
    cards.push(...generated.races.map((r) => r.card));
  }
  await refreshHistoryStats(session.db);
  return cards.slice(0, count);
}

let seq = 0;
const tag = Date.now().toString(36);
async function timedRace(
  client: RaceClient,
  card: RaceCard,
  options: Partial<RaceOptions>,
): Promise<{ ms: number; workflowId: string; runId: string; plan?: ActivityPlan }> {
  const workflowId = `bench-${tag}-${++seq}`;
  const t0 = performance.now();
  const { runId } = await client.startRace(card, { ...options, workflowId });
  const result = await client.result(workflowId, runId);
  return { ms: performance.now() - t0, workflowId, runId, plan: result.provenance.activityPlan };
}

/** One no-op workflow of the race's shape, its stages placed as the race's were. */
async function timedFloor(session: Session, plan: ActivityPlan | undefined): Promise<number> {
  const t0 = performance.now();
  await session.client.temporal.workflow.execute('floorWorkflow', {
    taskQueue: session.client.taskQueue,
    workflowId: `bench-floor-${tag}-${++seq}`,
    args: plan ? [plan] : [],
  });
  return performance.now() - t0;
}

function meanStages(all: StageTimes[]): Record<string, number> {
  const keys = Object.keys(all[0] ?? {}) as Array<keyof StageTimes>;
  return Object.fromEntries(keys.map((k) => [k, percentiles(all.map((s) => s[k])).p50]));
}

/** Mean ms per attempt of each activity type since `before` (the worker's activity interceptor measures them). */
function activityMsSince(
  metrics: EngineMetrics,
  before: Map<string, { sum: number; count: number }>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [labels, now] of metrics.activitySeconds.totals()) {
    const type = /activity_type="([^"]+)"/.exec(labels)?.[1];
    const was = before.get(labels) ?? { sum: 0, count: 0 };
    if (type && now.count > was.count) out[type] = ((now.sum - was.sum) / (now.count - was.count)) * 1000;
  }
  return out;
}

async function main(): Promise<void> {
  // Local activities leave no scheduled/started events in history, so each stage's own execution time comes
  // from the worker's activity interceptor (the same one cli/worker.ts exports on /metrics).
  const metrics = new EngineMetrics();
  const session = await openSession({
    withWorker: true,
    log,
    interceptors: { activity: [metrics.interceptor()] },
  });
  try {
    // Every race gets a card of its own: the worker shares one history read between a race's quant and
    // qual activities for a few seconds (activities/history-loader.ts), so a card run again soon after would
    // skip its read and flatter the figures.
    const concurrencies = opts.concurrency.split(',').map(Number);
    const seqParRaces = Math.max(5, Math.floor(opts.races / 3));
    const throughputRaces = (c: number) => Math.max(16, c * opts.throughputRacesPerSlot);
    const needed =
      WARMUP_RACES * CONFIGS.length +
      CONFIGS.length * opts.races +
      2 * seqParRaces +
      concurrencies.reduce((sum, c) => sum + throughputRaces(c), 0) +
      (opts.scaleOut ? scaleOutRaces(opts.scaleRaces) : 0);
    log(`seeding ${needed} synthetic races with their histories...`);
    const cards = await seedCards(session, needed);
    let used = 0;
    const card = (): RaceCard => {
      const next = cards[used++];
      if (!next) throw new Error(`bench: more races than the ${cards.length} seeded cards`);
      return next;
    };
    log('warming up...');
    for (const c of CONFIGS)
      for (let i = 0; i < WARMUP_RACES; i++) await timedRace(session.client, card(), c.options);

    // Each configuration's races alternate with floor workflows of the same shape and the same activity
    // plan (read from the race's provenance), so race and floor see the same server and the same load.
    const raceLatencyMs: Record<string, Percentiles> = {};
    const floorLatencyMs: Record<string, Percentiles> = {};
    const stagesMs: Record<string, Record<string, number>> = {};
    const activityMs: Record<string, Record<string, number>> = {};
    const plans: Record<string, ActivityPlan | undefined> = {};
    for (const c of CONFIGS) {
      log(`latency: ${c.name} (${opts.races} sequential races, each followed by a floor workflow)`);
      const lat: number[] = [];
      const floor: number[] = [];
      const stages: StageTimes[] = [];
      const before = metrics.activitySeconds.totals();
      for (let i = 0; i < opts.races; i++) {
        const r = await timedRace(session.client, card(), c.options);
        lat.push(r.ms);
        plans[c.name] = r.plan;
        stages.push(await stageTimes(session.client.temporal, r.workflowId, r.runId));
        floor.push(await timedFloor(session, r.plan));
      }
      raceLatencyMs[c.name] = percentiles(lat);
      floorLatencyMs[c.name] = percentiles(floor);
      stagesMs[c.name] = meanStages(stages);
      activityMs[c.name] = activityMsSince(metrics, before);
    }
    const ratioToFloor = Object.fromEntries(
      Object.entries(raceLatencyMs).map(([k, v]) => [k, v.p50 / floorLatencyMs[k]!.p50]),
    );

    log('sequential versus parallel agents (inline)');
    const seqRuns: number[] = [];
    const parRuns: number[] = [];
    const seqAgents: number[] = [];
    const parAgents: number[] = [];
    const n = seqParRaces;
    for (let i = 0; i < n; i++) {
      const s = await timedRace(session.client, card(), {
        sandbox: 'inline',
        qual: 'evidence',
        agentExecution: 'sequential',
      });
      seqRuns.push(s.ms);
      seqAgents.push((await stageTimes(session.client.temporal, s.workflowId, s.runId)).agentsSpan);
      const p = await timedRace(session.client, card(), {
        sandbox: 'inline',
        qual: 'evidence',
        agentExecution: 'parallel',
      });
      parRuns.push(p.ms);
      parAgents.push((await stageTimes(session.client.temporal, p.workflowId, p.runId)).agentsSpan);
    }
    const sequentialVsParallel = {
      races: n,
      agentsStageMs: { sequential: percentiles(seqAgents).p50, parallel: percentiles(parAgents).p50 },
      endToEndMs: { sequential: percentiles(seqRuns).p50, parallel: percentiles(parRuns).p50 },
      agentsStageRatio: percentiles(seqAgents).p50 / percentiles(parAgents).p50,
      endToEndRatio: percentiles(seqRuns).p50 / percentiles(parRuns).p50,
    };

    const throughput = [];
    for (const c of concurrencies) {
      const count = throughputRaces(c);
      log(`throughput: ${count} races at concurrency ${c} (inline agents)`);
      const items = Array.from({ length: count }, () => card());
      const lat: number[] = [];
      const r = await withResources(() =>
        pool(
          items,
          c,
          async (cd) =>
            void lat.push((await timedRace(session.client, cd, { sandbox: 'inline', qual: 'evidence' })).ms),
        ),
      );
      throughput.push({
        concurrency: c,
        races: count,
        racesPerSecond: count / (r.wallMs / 1000),
        latencyP50Ms: percentiles(lat).p50,
        cpuPercent: r.cpuPct,
        peakRssMb: r.peakRssMb,
      });
    }

    const workerProcesses = opts.scaleOut
      ? await scaleOut(session, card, opts.scaleRaces)
      : { skipped: 'disabled with --no-scale-out' };

    log('fusion library alone (bench-fusion)');
    const fusionOut = path.join(os.tmpdir(), `fusion-${tag}.json`);
    execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'cli', 'bench-fusion.ts'), '--out', fusionOut],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const fusion = JSON.parse(readFileSync(fusionOut, 'utf8'));

    const backtest = opts.backtest
      ? backtestTimings(opts.hkData)
      : { skipped: 'disabled with --no-backtest' };
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    };
    const result = {
      generatedAt: new Date().toISOString(),
      machine,
      runnersPerRace: 14,
      raceLatencyMs,
      floorLatencyMs,
      ratioToFloor,
      stagesMs,
      activityMs,
      throughput,
      fusionLibrary: { medianUsPerRace: fusion.total.medianUs, racesPerSecondOneCore: fusion.racesPerSecond },
      sequentialVsParallel,
      workerProcesses,
      backtest,
    };
    mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${opts.out}`);
    if (opts.markdown)
      await writeBenchSection(path.join(PROJECT_ROOT, 'BENCHMARKS.md'), renderMarkdown(result));
    process.stdout.write(`${JSON.stringify({ raceLatencyMs, floorLatencyMs, ratioToFloor }, null, 2)}\n`);
  } finally {
    await session.close();
  }
}

const SCALE_CONCURRENCY = 32;
const SCALE_WARMUPS_PER_WORKER = 2;
const WORKER_COUNTS = [1, 2];
/** Races the scale-out run takes: `races` per worker-process count, plus each count's warm-ups. */
const scaleOutRaces = (races: number) =>
  WORKER_COUNTS.reduce((sum, count) => sum + races + SCALE_WARMUPS_PER_WORKER * count, 0);

/**
 * The same races at concurrency 32 on one and then on two `cli/worker.ts` processes polling one task queue
 * of the bench's server (the in-process worker polls another queue and stays idle). Stored rows of those
 * runs are counted (nothing lost) and each worker's activity executions summed from its /metrics: an agent
 * or a persistence that ran twice (on both workers, or retried) would make the sum exceed 15 or 1 per race.
 */
async function scaleOut(
  session: Session,
  card: () => RaceCard,
  races: number,
): Promise<Record<string, unknown>> {
  const taskQueue = `bench-scale-${tag}`;
  const connection = await connectTemporal(session.stack.temporal.connectOptions(), (o) =>
    Connection.connect(o),
  );
  const client = new RaceClient({
    connection,
    namespace: session.env.TEMPORAL_NAMESPACE,
    taskQueue,
  });
  const rows = [];
  for (const count of WORKER_COUNTS) {
    log(`scale-out: ${races} races at concurrency ${SCALE_CONCURRENCY} on ${count} worker process(es)`);
    const workers: BenchWorker[] = [];
    try {
      for (let i = 0; i < count; i++)
        workers.push(
          await startWorkerProcess({
            temporalAddress: session.stack.temporal.address,
            databaseUrl: session.stack.databaseUrl,
            taskQueue,
          }),
        );
      const warmups = SCALE_WARMUPS_PER_WORKER * count;
      for (let i = 0; i < warmups; i++)
        await timedRace(client, card(), { sandbox: 'inline', qual: 'evidence' });
      const cpu0 = workers.map((w) => w.cpuSeconds());
      const lat: number[] = [];
      const runIds: string[] = [];
      const t0 = performance.now();
      await pool(
        Array.from({ length: races }, () => card()),
        SCALE_CONCURRENCY,
        async (cd) => {
          const r = await timedRace(client, cd, { sandbox: 'inline', qual: 'evidence' });
          lat.push(r.ms);
          runIds.push(r.runId);
        },
      );
      const wallMs = performance.now() - t0;
      const perWorker = await Promise.all(workers.map((w) => w.executions()));
      const executed = (type: string) => perWorker.reduce((sum, e) => sum + (e[type] ?? 0), 0);
      rows.push({
        workerProcesses: count,
        concurrency: SCALE_CONCURRENCY,
        races,
        racesPerSecond: races / (wallMs / 1000),
        latencyMs: percentiles(lat),
        workerCpuSeconds: workers.map((w, i) => w.cpuSeconds() - cpu0[i]!),
        stored: await storedCounts(session, runIds),
        expected: { raceRuns: races, predictions: races, agentOutputs: races * 15 },
        // Warm-up races included: every race's agents and persistence ran exactly once across the workers.
        executions: {
          perWorkerPersistRace: perWorker.map((e) => e.persistRace ?? 0),
          runFusionAgent: executed('runFusionAgent'),
          persistRace: executed('persistRace'),
          expected: { runFusionAgent: (races + warmups) * 15, persistRace: races + warmups },
        },
      });
    } finally {
      for (const w of workers) await w.stop();
    }
  }
  await connection.close();
  const [one, two] = rows as Array<{ racesPerSecond: number; latencyMs: Percentiles }>;
  return {
    rows,
    throughputRatio: two!.racesPerSecond / one!.racesPerSecond,
    latencyP50Ratio: two!.latencyMs.p50 / one!.latencyMs.p50,
  };
}

async function storedCounts(session: Session, runIds: string[]) {
  const n = async (sql: string) => Number((await session.db.query(sql, [runIds])).rows[0].n);
  return {
    raceRuns: await n('SELECT count(*) AS n FROM race_runs WHERE run_id = ANY($1)'),
    completedRaceRuns: await n(
      "SELECT count(*) AS n FROM race_runs WHERE run_id = ANY($1) AND status = 'completed'",
    ),
    predictions: await n('SELECT count(*) AS n FROM predictions WHERE run_id = ANY($1)'),
    agentOutputs: await n('SELECT count(*) AS n FROM agent_outputs WHERE run_id = ANY($1)'),
  };
}

/** Runs the backtest both ways as a user would and reads the wall time each reports in its metrics.json. */
function backtestTimings(dataDir: string): Record<string, unknown> {
  if (!existsSync(path.join(dataDir, 'races.csv')))
    return { skipped: `no HK data at ${dataDir} (set --hk-data or HK_DATA_DIR)` };
  const run = (temporal: boolean) => {
    const out = path.join(os.tmpdir(), `bench-backtest-${tag}-${temporal ? 'temporal' : 'inprocess'}`);
    log(`backtest ${temporal ? 'through Temporal' : 'in process'} over the HK test period...`);
    const args = [
      '--import',
      'tsx',
      path.join(PROJECT_ROOT, 'cli', 'backtest.ts'),
      '--data',
      dataDir,
      '--test-from-race-id',
      '5079',
      '--out',
      out,
    ];
    execFileSync(process.execPath, temporal ? [...args, '--temporal'] : args, {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const m = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    return { seconds: m.seconds as number, races: m.final?.races as number };
  };
  return { inProcess: run(false), temporal: run(true) };
}

function renderMarkdown(r: {
  generatedAt: string;
  machine: Record<string, unknown>;
  raceLatencyMs: Record<string, Percentiles>;
  floorLatencyMs: Record<string, Percentiles>;
  ratioToFloor: Record<string, number>;
  stagesMs: Record<string, Record<string, number>>;
  activityMs: Record<string, Record<string, number>>;
  throughput: Array<Record<string, number>>;
  fusionLibrary: { medianUsPerRace: number; racesPerSecondOneCore: number };
  backtest: Record<string, unknown>;
  workerProcesses: Record<string, unknown>;
  sequentialVsParallel: {
    races: number;
    agentsStageMs: { sequential: number; parallel: number };
    endToEndMs: { sequential: number; parallel: number };
    agentsStageRatio: number;
    endToEndRatio: number;
  };
}): string {
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const stageKeys = [
    'record',
    'quant',
    'onnxInference',
    'qual',
    'agentsSpan',
    'agentMax',
    'synthesis',
    'persistence',
    'queueWait',
    'temporalOverhead',
    'workflowMs',
  ];
  return [
    `## Race pipeline (generated by \`npm run bench\`, ${r.generatedAt})`,
    '',
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}. Embedded stack: Temporal dev server (SQLite), embedded PostgreSQL, one in-process worker; 14-runner synthetic races.`,
    '',
    '### End-to-end race latency (start to result through the SDK client, sequential races)',
    'Each race is followed by a floor workflow of the same shape (record, 2 parallel, 15 parallel, 1, 1 no-op activities) with each stage local or remote as the race placed it (`provenance.activityPlan`).',
    table(
      ['configuration', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'floor p50 ms', 'floor p95 ms', 'p50 / floor'],
      Object.entries(r.raceLatencyMs).map(([k, v]) => [
        k,
        v.n,
        f(v.p50),
        f(v.p95),
        f(v.p99),
        f(r.floorLatencyMs[k]?.p50 ?? Number.NaN),
        f(r.floorLatencyMs[k]?.p95 ?? Number.NaN),
        f(r.ratioToFloor[k] ?? Number.NaN, 2),
      ]),
    ),
    '',
    "### Where a race's time goes (median ms per stage, from workflow history event times)",
    table(
      ['stage', ...Object.keys(r.stagesMs)],
      stageKeys.map((k) => [k, ...Object.values(r.stagesMs).map((s) => f(s[k] ?? Number.NaN, 1))]),
    ),
    '',
    '`agentsSpan` is first agent scheduled to last agent completed; `queueWait` is time activities on the critical path waited for a worker slot; `temporalOverhead` is workflow wall time minus the critical path of activity executions. Local activities leave markers, not scheduled/started events, so these columns are empty for the local plans; the next table covers them.',
    '',
    "### Each stage's own execution (mean ms per attempt, from the worker's activity interceptor)",
    table(
      ['activity', ...Object.keys(r.activityMs)],
      ACTIVITY_ROWS.map((k) => [k, ...Object.values(r.activityMs).map((a) => f(a[k] ?? Number.NaN, 1))]),
    ),
    '',
    'Quant and qual run in parallel, the fifteen agents too; everything else is sequential. The difference between a race and its floor is these times plus the cost of carrying their inputs and results through the workflow.',
    '',
    '### Throughput (inline agents)',
    table(
      ['concurrency', 'races', 'races/s', 'p50 latency ms', 'process CPU %', 'peak RSS MiB'],
      r.throughput.map((t) => [
        t.concurrency!,
        t.races!,
        f(t.racesPerSecond!, 2),
        f(t.latencyP50Ms!),
        f(t.cpuPercent!),
        f(t.peakRssMb!),
      ]),
    ),
    '',
    'CPU and memory are the whole benchmark process (client and worker); the Temporal server and PostgreSQL run as separate processes on the same 2 cores.',
    '',
    '### Fusion library alone (no Temporal)',
    `One 14-runner race, 15 agents plus synthesis: median ${f(r.fusionLibrary.medianUsPerRace)} µs, about ${f(r.fusionLibrary.racesPerSecondOneCore)} races/s on one core.`,
    '',
    '### Sequential versus parallel agents through Temporal (inline)',
    `Over ${r.sequentialVsParallel.races} races: the agent stage takes ${f(r.sequentialVsParallel.agentsStageMs.sequential)} ms sequential vs ${f(r.sequentialVsParallel.agentsStageMs.parallel)} ms parallel (ratio ${f(r.sequentialVsParallel.agentsStageRatio, 1)}x); end to end ${f(r.sequentialVsParallel.endToEndMs.sequential)} vs ${f(r.sequentialVsParallel.endToEndMs.parallel)} ms (${f(r.sequentialVsParallel.endToEndRatio, 2)}x).`,
    '',
    '### One versus two worker processes (cli/worker.ts) against one server, concurrency 32, inline agents',
    ...scaleOutLines(r.workerProcesses),
    '',
    '### Backtest over the HK test period (race_id >= 5079)',
    backtestLine(r.backtest),
  ].join('\n');
}

const ACTIVITY_ROWS = [
  'recordRun',
  'quantAnalysis',
  'qualAnalysis',
  'runFusionAgent',
  'synthesise',
  'persistRace',
];

type ScaleRow = {
  workerProcesses: number;
  races: number;
  racesPerSecond: number;
  latencyMs: Percentiles;
  workerCpuSeconds: number[];
  stored: { raceRuns: number; predictions: number; agentOutputs: number };
  executions: { runFusionAgent: number; persistRace: number; perWorkerPersistRace: number[] };
};

function scaleOutLines(w: Record<string, unknown>): string[] {
  if (typeof w.skipped === 'string') return [`Skipped: ${w.skipped}.`];
  const rows = w.rows as ScaleRow[];
  return [
    table(
      [
        'worker processes',
        'races',
        'races/s',
        'p50 ms',
        'p95 ms',
        'worker CPU s',
        'stored runs / predictions / agent rows',
        'agent / persist executions (incl. warm-up)',
        'persists per worker',
      ],
      rows.map((x) => [
        x.workerProcesses,
        x.races,
        x.racesPerSecond.toFixed(2),
        x.latencyMs.p50.toFixed(0),
        x.latencyMs.p95.toFixed(0),
        x.workerCpuSeconds.map((c) => c.toFixed(1)).join(' + '),
        `${x.stored.raceRuns} / ${x.stored.predictions} / ${x.stored.agentOutputs}`,
        `${x.executions.runFusionAgent} / ${x.executions.persistRace}`,
        x.executions.perWorkerPersistRace.join(' + '),
      ]),
    ),
    '',
    `Two processes against one: throughput x${(w.throughputRatio as number).toFixed(2)}, p50 latency x${(w.latencyP50Ratio as number).toFixed(2)}. Executions are summed from each worker's /metrics: exactly 15 agents and one persistence per race, so nothing ran twice.`,
  ];
}

function backtestLine(b: Record<string, unknown>): string {
  if (typeof b.skipped === 'string') return `Skipped: ${b.skipped}.`;
  const t = (k: string) => b[k] as { seconds: number; races: number };
  return `${t('inProcess').races} races: ${t('inProcess').seconds.toFixed(1)} s in process (the workflow's own steps, no Temporal); ${t('temporal').seconds.toFixed(1)} s through Temporal (every race a raceWorkflow on the embedded stack, every race imported first, 32 races at a time).`;
}

await main();
