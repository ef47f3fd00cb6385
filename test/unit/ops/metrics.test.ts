import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineMetrics, startMetricsServer } from '../../../worker/metrics.js';

describe('worker Prometheus metrics', () => {
  test('counters and histograms are exposed in the text format on /metrics', async () => {
    const m = new EngineMetrics();
    m.racesRun.inc({ degraded: 'false' });
    m.racesRun.inc({ degraded: 'true' });
    m.llmTokens.inc({ direction: 'input' }, 1200);
    m.activitySeconds.observe(0.2, { activity_type: 'quantAnalysis' });
    const { server, port } = await startMetricsServer(m, 0, '127.0.0.1');
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /# TYPE race_engine_races_total counter/);
      assert.match(text, /race_engine_races_total\{degraded="true"\} 1/);
      assert.match(text, /race_engine_llm_tokens_total\{direction="input"\} 1200/);
      assert.match(text, /race_engine_activity_seconds_bucket\{activity_type="quantAnalysis",le="0.25"\} 1/);
      assert.match(text, /race_engine_activity_seconds_bucket\{activity_type="quantAnalysis",le="0.1"\} 0/);
      assert.match(text, /race_engine_activity_seconds_count\{activity_type="quantAnalysis"\} 1/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      server.close();
    }
  });
});

test('activity totals give each type its own sum and count (the bench reads stage times from them)', () => {
  const m = new EngineMetrics();
  m.activitySeconds.observe(0.002, { activity_type: 'quantAnalysis' });
  m.activitySeconds.observe(0.004, { activity_type: 'quantAnalysis' });
  m.activitySeconds.observe(0.5, { activity_type: 'persistRace' });
  const totals = m.activitySeconds.totals();
  const quant = totals.get('activity_type="quantAnalysis"');
  assert.ok(quant);
  assert.equal(quant.count, 2);
  assert.ok(Math.abs(quant.sum - 0.006) < 1e-12);
  assert.equal(totals.get('activity_type="persistRace"')?.count, 1);
  // A snapshot, not a live view: later observations leave it unchanged.
  m.activitySeconds.observe(1, { activity_type: 'persistRace' });
  assert.equal(totals.get('activity_type="persistRace"')?.count, 1);
});
