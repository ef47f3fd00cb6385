import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { STRATEGY_NAMES, fitCalibrationArtefacts, mulberry32, simulateRace } from '../agents/index.js';
import { fuseAgentInput } from '../pipeline/fusion.js';

/**
 * Micro-benchmark: one 14-runner race through all fifteen strategies and synthesis, on one core,
 * with a calibration artefact fitted on simulated races so every calibrator and interval path runs.
 * The defaults measure the steady state a long-running worker sees: 2,000 warm-up races let V8
 * finish optimising (300 left it mid-tier, 5-10% slower), then 10,000 timed races, about 3 s.
 */
const program = new Command()
  .name('bench-fusion')
  .option('--out <file>', 'JSON results', 'bench-results/fusion.json')
  .option('--iterations <n>', 'timed iterations', (v) => Number.parseInt(v, 10), 10000)
  .option('--warmup <n>', 'untimed warm-up iterations', (v) => Number.parseInt(v, 10), 2000)
  .action((opts: { out: string; iterations: number; warmup: number }) => {
    const rng = mulberry32(7);
    const training = Array.from({ length: 1000 }, (_, i) => {
      const r = simulateRace(rng, String(i + 1), { lrSignal: 0.4, temperature: 1.2 });
      return {
        input: r.input,
        winnerHorseId: r.winnerHorseId,
        finishOrder: r.finishOrder,
        marketOdds: r.marketOdds,
      };
    });
    const artefacts = fitCalibrationArtefacts(training, { version: 'bench', untilRaceId: '1001' });
    const race = simulateRace(rng, 'bench', { minRunners: 14, maxRunners: 14, lrSignal: 0.4 });

    const once = (): { agents: number; synthesis: number } =>
      fuseAgentInput(race.input, race.marketOdds, artefacts).ms;
    for (let i = 0; i < opts.warmup; i++) once();
    const total: number[] = [];
    const agents: number[] = [];
    const synth: number[] = [];
    for (let i = 0; i < opts.iterations; i++) {
      const t = once();
      agents.push(t.agents * 1000);
      synth.push(t.synthesis * 1000);
      total.push((t.agents + t.synthesis) * 1000);
    }
    const pct = (xs: number[], q: number): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
    };
    const row = (xs: number[]) => ({ medianUs: pct(xs, 0.5), p95Us: pct(xs, 0.95) });
    const result = {
      runners: race.input.runners.length,
      agents: STRATEGY_NAMES.length,
      iterations: opts.iterations,
      warmup: opts.warmup,
      node: process.version,
      fifteenAgents: row(agents),
      synthesis: row(synth),
      total: row(total),
      racesPerSecond: 1e6 / pct(total, 0.5),
    };
    const table = new Table({ head: ['stage', 'median us', 'p95 us'] });
    table.push(
      ['15 agents', result.fifteenAgents.medianUs.toFixed(1), result.fifteenAgents.p95Us.toFixed(1)],
      ['synthesis', result.synthesis.medianUs.toFixed(1), result.synthesis.p95Us.toFixed(1)],
      ['total', result.total.medianUs.toFixed(1), result.total.p95Us.toFixed(1)],
    );
    console.log(table.toString());
    console.log(`${result.racesPerSecond.toFixed(0)} races/second on one core (median)`);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
  });

program.parse();
