import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { fitCalibrationArtefacts, type CalibrationArtefacts, type TrainingRace } from '../agents/index.js';
import { loadScoredTrainingRows, saveArtefact, type ScoredTrainingRow } from '../db/calibration.js';
import { fuseAgentInput } from '../pipeline/fusion.js';
import { AgentInputSchema } from '../schemas/agent.js';
import {
  RecalibrationInputSchema,
  type RecalibrationInput,
  type RecalibrationSummary,
} from '../schemas/ops.js';
import { RaceCardSchema } from '../schemas/race-card.js';
import type { ActivityDeps } from './ports.js';

const DAY_MS = 86_400_000;

/** A scored race as a fitting row; dead heats and races whose runners changed since the prediction are left out. */
function toTrainingRace(row: ScoredTrainingRow): TrainingRace | null {
  const input = AgentInputSchema.parse(row.agentInput);
  const finish = [...(row.finish as Array<{ horseId: string; position: number }>)].sort(
    (a, b) => a.position - b.position,
  );
  const winners = finish.filter((f) => f.position === 1);
  if (winners.length !== 1) return null;
  const ids = new Set(input.runners.map((r) => r.horseId));
  if (!ids.has(winners[0]!.horseId)) return null;
  const card = RaceCardSchema.parse(row.card);
  const marketOdds = Object.fromEntries(
    card.runners.filter((r) => ids.has(r.horseId)).map((r) => [r.horseId, r.marketWinOdds ?? null]),
  );
  return {
    input,
    winnerHorseId: winners[0]!.horseId,
    finishOrder: finish.map((f) => f.horseId).filter((h) => ids.has(h)),
    marketOdds,
  };
}

/** Mean log loss of the full fusion's final probabilities (15 agents, synthesis, market blend) on the given races. */
export function fusionLogLoss(races: TrainingRace[], artefacts: CalibrationArtefacts | null): number {
  let total = 0;
  for (const race of races) {
    const marketOdds = Object.fromEntries(
      Object.entries(race.marketOdds ?? {}).map(([k, v]) => [k, v ?? undefined]),
    );
    const { synthesis } = fuseAgentInput(race.input, marketOdds, artefacts);
    const p = synthesis.runners.find((r) => r.horseId === race.winnerHorseId)?.winProbFinal ?? 0;
    total += -Math.log(Math.max(p, 1e-12));
  }
  return total / races.length;
}

export function createRecalibrationActivities({ db, calibration }: Pick<ActivityDeps, 'db' | 'calibration'>) {
  return {
    /**
     * Refits the calibration artefacts and market blend on the rolling window of scored races, tests the
     * candidate against the current artefact on the most recent slice (both judged by the full fusion's
     * log loss on the winners), stores it versioned, and promotes it only when it is strictly better.
     */
    async refitCalibration(raw: RecalibrationInput, asOf: string): Promise<RecalibrationSummary> {
      const req = RecalibrationInputSchema.parse(raw);
      const ctx = Context.current();
      const from = new Date(Date.parse(`${asOf}T00:00:00Z`) - req.windowDays * DAY_MS)
        .toISOString()
        .slice(0, 10);
      const rows = await loadScoredTrainingRows(db, from, asOf);
      const races = rows.map(toTrainingRace).filter((r): r is TrainingRace => r !== null);
      const current = await calibration.current();
      const base = { currentVersion: current.version, fitRaces: 0, holdoutRaces: 0 };
      if (races.length < req.minRaces) {
        return {
          ...base,
          status: 'skipped',
          reason: `${races.length} usable scored races from ${from} to ${asOf}, fewer than ${req.minRaces}`,
        };
      }
      const cut = Math.floor(races.length * (1 - req.holdoutFraction));
      const fit = races.slice(0, cut);
      const holdout = races.slice(cut);
      // Same window, same data, same version: a retried or repeated run rewrites the same row.
      const digest = createHash('sha256')
        .update(JSON.stringify(races.map((r) => r.input.raceId)))
        .digest('hex')
        .slice(0, 8);
      const version = `recal-${asOf}-${digest}`;
      ctx.heartbeat('fitting');
      const candidate = fitCalibrationArtefacts(fit, {
        version,
        untilRaceId: fit[fit.length - 1]!.input.raceId,
        ...(req.bootstrapResamples ? { bootstrapResamples: req.bootstrapResamples } : {}),
      });
      ctx.heartbeat('evaluating');
      const candidateLogLoss = fusionLogLoss(holdout, candidate);
      const currentLogLoss = fusionLogLoss(holdout, current.artefacts);
      const promoted = candidateLogLoss < currentLogLoss;
      await saveArtefact(db, {
        version,
        artefact: candidate,
        fittedOn: {
          from,
          until: asOf,
          races: fit.length,
          firstRaceId: fit[0]!.input.raceId,
          lastRaceId: fit[fit.length - 1]!.input.raceId,
        },
        holdout: { races: holdout.length, candidateLogLoss, currentLogLoss, currentVersion: current.version },
        promoted,
      });
      if (promoted) calibration.invalidate();
      return {
        ...base,
        status: promoted ? 'promoted' : 'kept-current',
        reason: promoted
          ? `candidate log loss ${candidateLogLoss.toFixed(4)} beats ${current.version} at ${currentLogLoss.toFixed(4)} on ${holdout.length} held-out races`
          : `candidate log loss ${candidateLogLoss.toFixed(4)} does not beat ${current.version} at ${currentLogLoss.toFixed(4)} on ${holdout.length} held-out races`,
        candidateVersion: version,
        fitRaces: fit.length,
        holdoutRaces: holdout.length,
        candidateLogLoss,
        currentLogLoss,
      };
    },
  };
}
