import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { QualOutputSchema, type QualOutput } from '../../schemas/qual.js';
import type { RaceCard } from '../../schemas/race-card.js';
import {
  localLlmEnv,
  readLocalLlmManifest,
  startLocalLlmServer,
  type LocalLlmServer,
} from '../../stack/llm-server.js';
import { seedRaceDay } from '../support/history.js';
import { activityAttempts } from '../support/history-events.js';
import { startTestStack, type TestStack } from '../support/integration-stack.js';

const manifest = readLocalLlmManifest();
const skip = manifest ? false : 'the local model server is not installed: run `npm run setup:llm`';

/** The qual activity's completed result, decoded from the run's history. */
async function qualResult(client: Client, workflowId: string, runId: string): Promise<QualOutput> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const scheduled = new Set(
    (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'qualAnalysis')
      .map((e) => String(e.eventId)),
  );
  const done = (history.events ?? []).find((e) =>
    scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
  );
  const payload = done?.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
  assert.ok(payload, 'the qual activity completed');
  return QualOutputSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
}

describe(
  'the LLM analyst on the real local model server (SmolLM2-135M via llama-cpp-python)',
  { skip },
  () => {
    let stack: TestStack;
    let server: LocalLlmServer;
    let cards: RaceCard[];

    before(async () => {
      server = await startLocalLlmServer({
        logFile: path.join(mkdtempSync(path.join(tmpdir(), 'llm-real-')), 'llm-server.log'),
      });
      stack = await startTestStack();
      cards = await seedRaceDay(stack.db, 71, 2);
    });
    after(async () => {
      await stack?.stop();
      await server?.stop();
    });

    test('one race end to end: the model answers a schema-valid QualOutput, with its name and tokens', async () => {
      const w = await stack.startWorker({ llmEnv: localLlmEnv(server, {}) });
      try {
        const { workflowId, runId } = await w.client.startRace(cards[0]!, { sandbox: 'inline', qual: 'llm' });
        const result = await w.client.result(workflowId, runId);
        const qual = await qualResult(w.client.temporal, workflowId, runId);
        assert.equal(qual.fallbackReason, undefined, qual.fallbackReason);
        assert.equal(qual.source.kind, 'llm');
        assert.equal(qual.source.model, 'smollm2');
        // The worker looks up models/llm's calibration for this model and prompt, and says what it used.
        assert.match(qual.source.calibration ?? '', /^(llmcal-smollm2-qual-llm-v\d+-cut\d+|none: .+)$/);
        assert.ok(qual.usage.inputTokens > 0 && qual.usage.outputTokens > 0, JSON.stringify(qual.usage));
        assert.equal(qual.usage.costUsd, 0);
        assert.deepEqual(
          qual.runners.map((r) => r.horseId),
          result.runners.map((r) => r.horseId),
        );
        assert.equal(result.provenance.qualSource, 'llm:smollm2');
      } finally {
        await w.stop();
      }
    });

    test('forced failure: a per-call timeout no answer can meet times out every LLM attempt, then the evidence model answers', async () => {
      const env = { ...localLlmEnv(server, {}), LLM_TIMEOUT_MS: '200' };
      const w = await stack.startWorker({ llmEnv: env });
      try {
        const { workflowId, runId } = await w.client.startRace(cards[1]!, { sandbox: 'inline', qual: 'llm' });
        const result = await w.client.result(workflowId, runId);
        const qual = await qualResult(w.client.temporal, workflowId, runId);
        assert.match(qual.fallbackReason ?? '', /^LlmTimeout on attempt 3/);
        assert.equal(qual.source.kind, 'evidence-model');
        assert.equal(result.provenance.qualSource, 'evidence-model');
        const attempts = (await activityAttempts(w.client.temporal, workflowId, runId)).find(
          (a) => a.activityType === 'qualAnalysis',
        );
        assert.deepEqual(attempts?.attempts, [3]);
      } finally {
        await w.stop();
      }
    });
  },
);
