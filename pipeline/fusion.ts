import {
  STRATEGY_NAMES,
  runStrategies,
  synthesise,
  type CalibrationArtefacts,
  type SynthesisOptions,
  type SynthesisResult,
} from '../agents/index.js';
import type { Histories, QualAnswer, QuantModel } from '../activities/ports.js';
import { joinAgentInput } from '../schemas/agent-run.js';
import type { AgentInput, AgentOutput } from '../schemas/agent.js';
import { QualOutputSchema, type QualOutput } from '../schemas/qual.js';
import type { QuantOutput } from '../schemas/quant.js';
import { activeRunners, type RaceCard } from '../schemas/race-card.js';

/**
 * The race workflow's steps in one process, with no I/O of its own: what the backtest, recalibration
 * and the fusion bench run instead of Temporal activities. Each step calls the same library function
 * as its activity (quantAnalysis -> QuantModel.score, qualAnalysis -> the analyst, the agents' input
 * -> joinAgentInput, runFusionAgent x 15 -> runStrategy, synthesise -> synthesise).
 */
export interface RacePipelineDeps {
  quantModel: QuantModel;
  /** The qualitative analyst (the evidence model, or an LLM analyst that may answer asynchronously). */
  analyseQual: (card: RaceCard, histories: Histories) => QualAnswer | Promise<QualAnswer>;
  artefacts: CalibrationArtefacts | null;
}

export interface RacePipelineResult extends FusionResult {
  quant: QuantOutput;
  qual: QualOutput;
  input: AgentInput;
}

export interface FusionResult {
  agentOutputs: AgentOutput[];
  synthesis: SynthesisResult;
  /** Wall time of the two stages, for the fusion bench. */
  ms: { agents: number; synthesis: number };
}

/** The fifteen strategies over one agent input, then the synthesis (runFusionAgent x 15 -> synthesise). */
export function fuseAgentInput(
  input: AgentInput,
  marketOdds: Record<string, number | undefined>,
  artefacts: CalibrationArtefacts | null,
  options?: Partial<SynthesisOptions>,
): FusionResult {
  const t0 = performance.now();
  const agentOutputs = runStrategies(input, artefacts, STRATEGY_NAMES);
  const t1 = performance.now();
  const synthesis = synthesise({
    input,
    agentOutputs,
    failures: [],
    marketOdds,
    artefacts,
    ...(options ? { options } : {}),
  });
  return { agentOutputs, synthesis, ms: { agents: t1 - t0, synthesis: performance.now() - t1 } };
}

/** Histories -> quant -> qual -> agents' input -> fifteen strategies -> synthesis, for one race card. */
export async function runRacePipeline(
  card: RaceCard,
  histories: Histories,
  deps: RacePipelineDeps,
): Promise<RacePipelineResult> {
  const quant = await deps.quantModel.score(card, histories);
  const answer = await deps.analyseQual(card, histories);
  const qual = QualOutputSchema.parse({ raceId: card.raceId, ...answer, timingsMs: { total: 0 } });
  const input = joinAgentInput(quant, qual);
  const marketOdds = Object.fromEntries(activeRunners(card).map((r) => [r.horseId, r.marketWinOdds]));
  return { quant, qual, input, ...fuseAgentInput(input, marketOdds, deps.artefacts) };
}
