import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import {
  CalibrationArtefactsSchema,
  TrainingRaceSchema,
  compareRaceIds,
  fitCalibrationArtefacts,
  type TrainingRace,
} from '../agents/index.js';

/**
 * Fits the calibration artefact (SPEC 5) from JSON lines of training races, using only races whose
 * id sorts before --until-race-id, and writes it as versioned JSON.
 */
class TrainingFileError extends Error {
  override readonly name = 'TrainingFileError';
}

function readTrainingRaces(path: string): TrainingRace[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TrainingFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const races: TrainingRace[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new TrainingFileError(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = TrainingRaceSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrainingFileError(
        `${path}:${i + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    races.push(parsed.data);
  });
  return races;
}

const program = new Command()
  .name('fit-calibration')
  .description(
    'Fit calibration artefacts from training races (JSON lines of {input, winnerHorseId, finishOrder?, marketOdds?})',
  )
  .requiredOption('--in <file>', 'training races, one JSON object per line')
  .requiredOption(
    '--until-race-id <id>',
    'use only races whose id sorts before this one (numeric when numeric)',
  )
  .option('--out <file>', 'artefact path (default models/artefacts/calibration-<version>.json)')
  .option('--version <version>', 'artefact version (default cal-until-<id>)')
  .option('--bootstrap-resamples <n>', 'override the strategy table resample count', (v) =>
    Number.parseInt(v, 10),
  )
  .option('--seed <n>', 'bootstrap seed', (v) => Number.parseInt(v, 10))
  .action(
    (opts: {
      in: string;
      untilRaceId: string;
      out?: string;
      version?: string;
      bootstrapResamples?: number;
      seed?: number;
    }) => {
      try {
        const all = readTrainingRaces(opts.in);
        const kept = all.filter((r) => compareRaceIds(r.input.raceId, opts.untilRaceId) < 0);
        if (kept.length === 0)
          throw new TrainingFileError(`no race in ${opts.in} sorts before ${opts.untilRaceId}`);
        const version = opts.version ?? `cal-until-${opts.untilRaceId}`;
        const artefact = CalibrationArtefactsSchema.parse(
          fitCalibrationArtefacts(kept, {
            version,
            untilRaceId: opts.untilRaceId,
            ...(opts.bootstrapResamples !== undefined ? { bootstrapResamples: opts.bootstrapResamples } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          }),
        );
        const out = opts.out ?? `models/artefacts/calibration-${version}.json`;
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, `${JSON.stringify(artefact)}\n`);
        console.log(
          `fitted ${version} on ${kept.length} races (${all.length - kept.length} at or after ${opts.untilRaceId} left out); ` +
            `groups: ${Object.keys(Object.values(artefact.strategies)[0] ?? {}).join(', ')}; ` +
            `harville ${artefact.harville.lambda2.toFixed(3)}/${artefact.harville.lambda3.toFixed(3)}; ` +
            `market blend ${artefact.marketBlend ? `${artefact.marketBlend.alpha.toFixed(3)}/${artefact.marketBlend.beta.toFixed(3)}` : 'none'} -> ${out}`,
        );
      } catch (e) {
        console.error(`${(e as Error).name}: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    },
  );

program.parse();
