import { priceInterests, screenAgentOutputs, synthesise, SYNTHESIS_DEFAULTS } from '../agents/index.js';
import { DEFAULTS } from '../config/defaults.js';
import { joinAgentInput, type AgentRun } from '../schemas/agent-run.js';
import type { AgentInput } from '../schemas/agent.js';
import type { QualOutput } from '../schemas/qual.js';
import type { QuantOutput } from '../schemas/quant.js';
import {
  activeRunners,
  bettingInterestOf,
  isAnonymousHorse,
  RaceCardSchema,
  type RaceCard,
} from '../schemas/race-card.js';
import { RaceResultSchema, type AgentFailure, type RaceResult } from '../schemas/result.js';
import type { ActivityDeps } from './ports.js';
import { currentRunKey } from './run-key.js';

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export interface SynthesisRequest {
  card: RaceCard;
  quant: QuantOutput;
  qual: QualOutput;
  /**
   * The agents' shared input. Rebuilt from quant and qual when absent (joinAgentInput is pure), so the
   * workflow need not carry its 8 KB a second time; histories written before that still send it.
   */
  input?: AgentInput;
  agentRuns: AgentRun[];
  failures: AgentFailure[];
  /** Unset: the worker's settings (ActivityDeps.raceDefaults). */
  quorum?: number;
  pricing: { kellyFraction?: number; minEdge?: number };
  /** The artefact version pinned for this race; absent: the worker's current one. */
  calibrationVersion?: string;
  /** Wall time of each stage so far, measured by the workflow. */
  stageMs: Record<string, number>;
}

export function createSynthesisActivities({
  calibration,
  raceDefaults = DEFAULTS.race,
}: Pick<ActivityDeps, 'calibration' | 'raceDefaults'>) {
  return {
    /** Outliers out, confidence-weighted consensus, market blend, pricing; the race's full result. */
    async synthesise(req: SynthesisRequest): Promise<RaceResult> {
      const t0 = performance.now();
      const card = RaceCardSchema.parse(req.card);
      const quorum = req.quorum ?? raceDefaults.quorum;
      const kellyFraction = req.pricing.kellyFraction ?? raceDefaults.kellyFraction;
      const minEdge = req.pricing.minEdge ?? raceDefaults.minEdge;
      const { version: calibrationVersion, artefacts } = req.calibrationVersion
        ? await calibration.get(req.calibrationVersion)
        : await calibration.current();
      const runners = activeRunners(card);
      const marketOdds = Object.fromEntries(runners.map((r) => [r.horseId, r.marketWinOdds]));
      const interestOf = new Map(runners.map((r) => [r.horseId, bettingInterestOf(card, r)]));
      const memberCount = (key: string) => [...interestOf.values()].filter((k) => k === key).length;
      // The agents' outputs cross a boundary here (workflow history): checked once, and an output that
      // breaks the schema counts as a failed agent, as in the library's own synthesis checks.
      const screened = screenAgentOutputs(req.agentRuns.map((a) => a.output));
      const input = req.input ?? joinAgentInput(req.quant, req.qual);
      const fused = synthesise({
        input,
        agentOutputs: screened.valid,
        failures: [...req.failures, ...screened.failures],
        marketOdds,
        bettingInterests: Object.fromEntries(interestOf),
        artefacts,
        options: { quorum, kellyFraction, minEdge },
      });
      const quantById = new Map(req.quant.runners.map((r) => [r.horseId, r]));
      const qualById = new Map(req.qual.runners.map((r) => [r.horseId, r]));
      const fusedById = new Map(fused.runners.map((r) => [r.horseId, r]));
      const priced = runners.map((r) => {
        const f = fusedById.get(r.horseId);
        const q = quantById.get(r.horseId);
        const l = qualById.get(r.horseId);
        if (!f || !q || !l) throw new Error(`runner ${r.horseId} is missing from an analysis`);
        const interest = interestOf.get(r.horseId)!;
        // A coupled runner cannot be backed alone: its market share and its bet live on the interest.
        const coupled = memberCount(interest) > 1;
        const { marketProb, edge, kellyFraction, stake, ...own } = f;
        return {
          ...own,
          ...(coupled ? {} : definedOnly({ marketProb, edge, kellyFraction, stake })),
          horseNo: r.horseNo,
          bettingInterest: interest,
          ...(r.horseName ? { horseName: r.horseName } : {}),
          winProbBase: q.winProbBase,
          lrProduct: l.lrProduct,
          ...(r.marketWinOdds !== undefined ? { marketWinOdds: r.marketWinOdds } : {}),
          flags: [
            ...new Set([
              ...l.flags,
              ...f.flags,
              ...(coupled ? [`coupled-entry:${interest}`] : []),
              ...(isAnonymousHorse(r.horseId) ? ['no-horse-id:no-history'] : []),
            ]),
          ],
        };
      });
      const interests = priceInterests(priced, {
        kellyFraction,
        minEdge,
        stakeCap: SYNTHESIS_DEFAULTS.stakeCap,
      });
      const ranked = [...priced].sort((a, b) => b.winProbFinal - a.winProbFinal);
      const top = ranked[0]!;
      const topQual = qualById.get(top.horseId)!;
      const topQuant = quantById.get(top.horseId)!;
      const sandboxKinds = [...new Set(req.agentRuns.map((a) => a.sandboxKind))];
      const { workflowId, runId } = currentRunKey();
      const label = (p: typeof top) => `#${p.horseNo}${p.horseName ? ` ${p.horseName}` : ''}`;
      return RaceResultSchema.parse({
        raceId: card.raceId,
        workflowId,
        runId,
        degraded: fused.degraded,
        placesPaid: input.placesPaid,
        runners: priced,
        interests,
        synthesis: fused.summary,
        explanation: {
          topQualitativeFactors: [
            ...topQual.keyStrengths,
            ...topQual.keyConcerns.map((c) => `concern: ${c}`),
          ].slice(0, 5),
          topQuantitativeFeatures: topQuant.topFeatures
            .slice(0, 5)
            .map(
              (f) =>
                `${f.name}=${f.value.toFixed(3)} (${f.contribution >= 0 ? '+' : ''}${f.contribution.toFixed(3)})`,
            ),
          summary:
            `Top pick ${label(top)} at ${(top.winProbFinal * 100).toFixed(1)}% (fair odds ${top.fairOdds.toFixed(2)}` +
            `${top.marketWinOdds !== undefined ? `, market ${top.marketWinOdds}` : ''}); ` +
            `${fused.summary.agentsSucceeded}/15 agents, consensus ${fused.summary.consensusScore.toFixed(2)}` +
            `${fused.degraded ? '; DEGRADED: below quorum, single sequential fusion used' : ''}.`,
        },
        provenance: {
          modelVersion: req.quant.modelVersion,
          calibrationVersion,
          featureVersion: req.quant.featureVersion,
          calibratorVersions: Object.fromEntries(
            req.agentRuns.map((a) => [a.output.strategy, a.output.calibratorVersion]),
          ),
          qualSource: req.qual.source.kind + (req.qual.source.model ? `:${req.qual.source.model}` : ''),
          ...(req.qual.source.promptVersion ? { promptVersion: req.qual.source.promptVersion } : {}),
          ...(req.qual.fallbackReason ? { qualFallbackReason: req.qual.fallbackReason } : {}),
          qualAnalysis: { source: req.qual.source, usage: req.qual.usage },
          sandboxKind: sandboxKinds.join('+') || 'none',
          ...(req.agentRuns[0]?.bundleHash ? { bundleHash: req.agentRuns[0].bundleHash } : {}),
        },
        timingsMs: { ...req.stageMs, synthesisCompute: performance.now() - t0 },
        usage: {
          ...req.qual.usage,
          sandboxSeconds:
            req.agentRuns.filter((a) => a.sandboxKind !== 'inline').reduce((s, a) => s + a.durationMs, 0) /
            1000,
        },
      });
    },
  };
}
