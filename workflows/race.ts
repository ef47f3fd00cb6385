import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RaceActivities } from '../activities/index.js';
import { planActivities, type ActivityPlan } from '../schemas/activity-placement.js';
import { joinAgentInput, type AgentRun } from '../schemas/agent-run.js';
import { ERROR_TYPES, STRATEGY_NAMES, type RunStatus } from '../schemas/constants.js';
import { activeRunners } from '../schemas/race-card.js';
import type { AgentFailure, RaceResult } from '../schemas/result.js';
import { SA } from '../schemas/search-attributes.js';
import {
  describeIssues,
  RaceWorkflowInputSchema,
  type RaceWorkflowInput,
} from '../schemas/workflow-input.js';
import { ACTIVITY_OPTIONS, LOCAL_ACTIVITY_OPTIONS } from './activity-options.js';

/** One stage's activities both ways; the run's activity plan picks one per stage. */
function bothWays(options: keyof typeof LOCAL_ACTIVITY_OPTIONS) {
  return {
    remote: proxyActivities<RaceActivities>(ACTIVITY_OPTIONS[options]),
    local: proxyLocalActivities<RaceActivities>(LOCAL_ACTIVITY_OPTIONS[options]),
  };
}

const STAGES = {
  record: bothWays('record'),
  quant: bothWays('quant'),
  qual: bothWays('qual'),
  agents: bothWays('agent'),
  synthesis: bothWays('synthesis'),
  persist: bothWays('persist'),
};

/** A remote agent carries its strategy as the activity summary (shown in the UI); a local one cannot. */
function agentCall(plan: ActivityPlan, task: Parameters<RaceActivities['runFusionAgent']>[0]) {
  if (plan.agents === 'local') return STAGES.agents.local.runFusionAgent(task);
  return STAGES.agents.remote.runFusionAgent.executeWithOptions(
    { ...ACTIVITY_OPTIONS.agent, summary: `fusion agent ${task.strategy}` },
    [task],
  );
}

export const raceStatusQuery = defineQuery<{ status: RunStatus; agentsDone: number; agentsFailed: number }>(
  'raceStatus',
);

function failureOf(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure)
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

/** The one line the Temporal UI shows for a finished race (its "current details"). */
function summaryLine(result: RaceResult): string {
  const top = result.runners.reduce((a, b) => (b.winProbFinal > a.winProbFinal ? b : a));
  const name = top.horseName ? ` ${top.horseName}` : '';
  const agents = `${result.synthesis.agentsSucceeded}/${STRATEGY_NAMES.length} agents`;
  return `top pick #${top.horseNo}${name} (${(top.winProbFinal * 100).toFixed(1)}%) · ${agents} · ${result.degraded ? 'DEGRADED' : 'not degraded'}`;
}

/**
 * One race: validate, record, quant and qual in parallel, fifteen fusion agents in parallel,
 * synthesis, persistence. Deterministic: every effect is an activity.
 */
export async function raceWorkflow(raw: RaceWorkflowInput): Promise<RaceResult> {
  let status: RunStatus = 'validating';
  let agentsDone = 0;
  let agentsFailed = 0;
  setHandler(raceStatusQuery, () => ({ status, agentsDone, agentsFailed }));
  const setStatus = (next: RunStatus) => {
    status = next;
    upsertSearchAttributes([{ key: SA.runStatus, value: next }]);
  };

  const parsed = RaceWorkflowInputSchema.safeParse(raw);
  if (!parsed.success) {
    setStatus('failed');
    throw ApplicationFailure.create({
      type: ERROR_TYPES.invalidRaceCard,
      message: `invalid race card: ${describeIssues(parsed.error)}`,
      nonRetryable: true,
      details: [
        parsed.error.issues.slice(0, 50).map((i) => ({ path: i.path.map(String), message: i.message })),
      ],
    });
  }
  const { card, options } = parsed.data;
  upsertSearchAttributes([
    { key: SA.raceId, value: card.raceId },
    { key: SA.venue, value: card.meeting.venue },
    { key: SA.raceDate, value: new Date(`${card.meeting.date}T00:00:00Z`) },
  ]);
  upsertMemo({
    race: `${card.meeting.venue} ${card.meeting.date} R${card.raceNo}`,
    distance: `${card.distanceM}m ${card.surface} ${card.going}`,
    runners: activeRunners(card).length,
    options,
  });
  setStatus('analysing');
  const recordStage = STAGES.record[options.placement === 'remote' ? 'remote' : 'local'];
  const { calibrationVersion, resolved } = await recordStage.recordRun(card, options);
  upsertSearchAttributes([{ key: SA.calibrationVersion, value: calibrationVersion }]);
  const plan = planActivities(options.placement, resolved);
  const { markRunFailed } = recordStage;

  try {
    const t0 = Date.now();
    const [quant, qual] = await Promise.all([
      STAGES.quant[plan.quant].quantAnalysis(card),
      STAGES.qual[plan.qual].qualAnalysis(card, options.qual),
    ]);
    upsertSearchAttributes([{ key: SA.modelVersion, value: quant.modelVersion }]);
    const t1 = Date.now();

    setStatus('fusing');
    const input = joinAgentInput(quant, qual);
    const runAgent = (strategy: (typeof STRATEGY_NAMES)[number]) =>
      agentCall(plan, { strategy, input, sandbox: options.sandbox, calibrationVersion }).finally(
        () => (agentsDone += 1),
      );
    let settled: PromiseSettledResult<AgentRun>[];
    if (options.agentExecution === 'sequential') {
      settled = [];
      for (const strategy of STRATEGY_NAMES)
        settled.push(...(await Promise.allSettled([runAgent(strategy)])));
    } else {
      settled = await Promise.allSettled(STRATEGY_NAMES.map(runAgent));
    }
    const agentRuns: AgentRun[] = [];
    const failures: AgentFailure[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') agentRuns.push(s.value);
      else {
        const f = failureOf(s.reason);
        failures.push({ strategy: STRATEGY_NAMES[i]!, errorType: f.type, message: f.message.slice(0, 500) });
      }
    });
    agentsFailed = failures.length;
    const t2 = Date.now();

    setStatus('synthesising');
    const synthesised = await STAGES.synthesis[plan.synthesis].synthesise({
      card,
      quant,
      qual,
      agentRuns,
      failures,
      quorum: options.quorum,
      calibrationVersion,
      pricing: { kellyFraction: options.kellyFraction, minEdge: options.minEdge },
      stageMs: {
        analysis: t1 - t0,
        agents: t2 - t1,
        quant: quant.timingsMs.features + quant.timingsMs.inference + quant.timingsMs.history,
        qual: qual.timingsMs.total,
      },
    });

    const result: RaceResult = {
      ...synthesised,
      provenance: { ...synthesised.provenance, activityPlan: plan },
    };

    setStatus('persisting');
    await STAGES.persist[plan.persist].persistRace(result, agentRuns, failures, input);
    upsertSearchAttributes([{ key: SA.degraded, value: result.degraded }]);
    upsertMemo({ summary: result.explanation.summary });
    setCurrentDetails(summaryLine(result));
    setStatus('completed');
    return {
      ...result,
      timingsMs: {
        ...result.timingsMs,
        total: Date.now() - t0,
        workflowTotal: Date.now() - workflowInfo().startTime.getTime(),
      },
    };
  } catch (err) {
    const f = isCancellation(err)
      ? { type: 'Cancelled', message: 'the race run was cancelled' }
      : failureOf(err);
    setStatus('failed');
    setCurrentDetails(`failed: ${f.type}`);
    // After a cancellation the root scope is cancelled, so marking the run must not be cancellable; if
    // marking fails, that is logged and the original error is what the caller sees.
    await CancellationScope.nonCancellable(() => markRunFailed(f.type, f.message)).catch((markErr: unknown) =>
      log.error('could not mark the race run failed', {
        original: f.type,
        error: failureOf(markErr).message,
      }),
    );
    throw err;
  }
}
