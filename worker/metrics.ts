import { createServer, type Server } from 'node:http';
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { RaceResult, AgentFailure } from '../schemas/result.js';

/**
 * The engine's own Prometheus metrics, dependency-free: counters and histograms with labels, exposed in the
 * text format on METRICS_PORT (/metrics). Temporal's runtime metrics (task latencies, slots, polls) come
 * from the SDK's own exporter, configured with `temporalTelemetry`.
 */
type Labels = Record<string, string>;
const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) return;
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  expose(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = key(labels);
    const s = this.series.get(k) ?? { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
    this.series.set(k, s);
  }
  /** Sum and count per label set so far (the bench reads per-stage activity times from these). */
  totals(): Map<string, { sum: number; count: number }> {
    return new Map([...this.series].map(([k, s]) => [k, { sum: s.sum, count: s.count }]));
  }
  expose(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i] ?? 0}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(
        `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`,
        `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`,
      );
    }
    return lines.join('\n');
  }
}

export class EngineMetrics {
  readonly racesRun = new Counter('race_engine_races_total', 'Race results persisted, by degraded flag');
  readonly agentFailures = new Counter(
    'race_engine_agent_failures_total',
    'Fusion agents that failed after their retries, by strategy and error type',
  );
  readonly llmTokens = new Counter(
    'race_engine_llm_tokens_total',
    'LLM tokens used by the qualitative analyst, by direction',
  );
  readonly llmCost = new Counter('race_engine_llm_cost_usd_total', 'LLM cost in US dollars');
  readonly sandboxSeconds = new Counter(
    'race_engine_sandbox_seconds_total',
    'Seconds of sandbox time used by fusion agents',
  );
  readonly activityFailures = new Counter(
    'race_engine_activity_failures_total',
    'Activity attempts that threw, by activity type',
  );
  readonly activitySeconds = new Histogram(
    'race_engine_activity_seconds',
    'Activity attempt duration, by activity type',
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );

  /** Counts a persisted race from the result the persist activity received. */
  recordRace(result: RaceResult, failures: readonly AgentFailure[]): void {
    this.racesRun.inc({ degraded: String(result.degraded) });
    for (const f of failures) this.agentFailures.inc({ strategy: f.strategy, error_type: f.errorType });
    this.llmTokens.inc({ direction: 'input' }, result.usage.inputTokens);
    this.llmTokens.inc({ direction: 'output' }, result.usage.outputTokens);
    this.llmCost.inc({}, result.usage.costUsd);
    this.sandboxSeconds.inc({}, result.usage.sandboxSeconds);
  }

  expose(): string {
    return [
      this.racesRun,
      this.agentFailures,
      this.llmTokens,
      this.llmCost,
      this.sandboxSeconds,
      this.activityFailures,
      this.activitySeconds,
    ]
      .map((m) => m.expose())
      .join('\n')
      .concat('\n');
  }

  /** An activity interceptor: every attempt's duration and failure, and the race counters from persistRace's input. */
  interceptor(): ActivityInterceptorsFactory {
    return (ctx: ActivityContext) => ({
      inbound: {
        execute: async (input, next) => {
          const type = ctx.info.activityType;
          const t0 = performance.now();
          try {
            const out = await next(input);
            if (type === 'persistRace')
              this.recordRace(
                input.args[0] as RaceResult,
                (input.args[2] as AgentFailure[] | undefined) ?? [],
              );
            return out;
          } catch (err) {
            this.activityFailures.inc({ activity_type: type });
            throw err;
          } finally {
            this.activitySeconds.observe((performance.now() - t0) / 1000, { activity_type: type });
          }
        },
      },
    });
  }
}

/** Serves GET /metrics on the port (0 picks a free one); resolves with the server and the bound port. */
export async function startMetricsServer(
  metrics: EngineMetrics,
  port: number,
  host: string,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.expose());
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

/** Runtime telemetry for Runtime.install: Temporal's own metrics on a Prometheus endpoint of their own. */
export const temporalTelemetry = (bindAddress: string) => ({ metrics: { prometheus: { bindAddress } } });
