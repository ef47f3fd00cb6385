import type { Client } from '@temporalio/client';

export interface StageTimes {
  /** Workflow start to completion, from the server's event times. */
  workflowMs: number;
  record: number;
  quant: number;
  qual: number;
  /** First agent scheduled to last agent completed. */
  agentsSpan: number;
  /** The slowest single agent's execution. */
  agentMax: number;
  synthesis: number;
  persistence: number;
  /** Queue latency summed over the critical path: time activities waited to be picked up. */
  queueWait: number;
  /** Everything on the critical path that is not an activity executing: Temporal's own cost. */
  temporalOverhead: number;
  /** ONNX inference alone, reported by the quant activity. */
  onnxInference: number;
  features: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;

interface Act {
  type: string;
  scheduled: number;
  started?: number;
  completed?: number;
  result?: unknown;
}

/** Reads one race run's history and splits its wall time into stages. */
export async function stageTimes(client: Client, workflowId: string, runId: string): Promise<StageTimes> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const acts = new Map<string, Act>();
  let wfStart = Number.NaN;
  let wfEnd = Number.NaN;
  for (const e of history.events ?? []) {
    const t = ms(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) wfStart = t;
    if (e.workflowExecutionCompletedEventAttributes) wfEnd = t;
    const s = e.activityTaskScheduledEventAttributes;
    if (s) acts.set(String(e.eventId), { type: s.activityType?.name ?? '', scheduled: t });
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      const a = acts.get(String(st.scheduledEventId));
      if (a) a.started = t;
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const a = acts.get(String(c.scheduledEventId));
      if (a) {
        a.completed = t;
        const p = c.result?.payloads?.[0]?.data;
        if (a.type === 'quantAnalysis' && p) a.result = JSON.parse(Buffer.from(p).toString('utf8'));
      }
    }
  }
  const list = [...acts.values()];
  const exec = (a: Act | undefined) => (a?.completed ?? Number.NaN) - (a?.started ?? Number.NaN);
  const wait = (a: Act | undefined) => (a?.started ?? Number.NaN) - (a?.scheduled ?? Number.NaN);
  const one = (type: string) => list.find((a) => a.type === type);
  const agents = list.filter((a) => a.type === 'runFusionAgent');
  const record = one('recordRun');
  const quant = one('quantAnalysis');
  const qual = one('qualAnalysis');
  const synth = one('synthesise');
  const persist = one('persistRace');
  const agentsSpan =
    Math.max(...agents.map((a) => a.completed ?? Number.NaN)) - Math.min(...agents.map((a) => a.scheduled));
  const agentMax = Math.max(...agents.map(exec));
  const slowerAnalysis = exec(quant) >= exec(qual) ? quant : qual;
  const critical = exec(record) + Math.max(exec(quant), exec(qual)) + agentMax + exec(synth) + exec(persist);
  const workflowMs = wfEnd - wfStart;
  const timings = (quant?.result as { timingsMs?: { inference?: number; features?: number } } | undefined)
    ?.timingsMs;
  return {
    workflowMs,
    record: exec(record),
    quant: exec(quant),
    qual: exec(qual),
    agentsSpan,
    agentMax,
    synthesis: exec(synth),
    persistence: exec(persist),
    queueWait:
      wait(record) + wait(slowerAnalysis) + Math.max(...agents.map(wait)) + wait(synth) + wait(persist),
    temporalOverhead: workflowMs - critical,
    onnxInference: timings?.inference ?? Number.NaN,
    features: timings?.features ?? Number.NaN,
  };
}
