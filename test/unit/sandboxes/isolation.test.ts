import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentInput } from '../../../schemas/agent.js';
import { createProcessRunner } from '../../../sandboxes/process.js';
import { SandboxCrashed, SandboxPolicyViolation, SandboxTimeout } from '../../../sandboxes/runner.js';
import { hostileBundle } from './fixtures/hostile-bundle.js';
import { ctx } from './fixtures/race.js';

/** Hostile jobs run through the real process runner, flags and harness (fixtures/hostile-entry.ts). */
const hostile = (strategy: string) => ({ strategy, input: {} as AgentInput });

describe('process sandbox isolation', () => {
  let runner: ReturnType<typeof createProcessRunner>;
  before(() => {
    runner = createProcessRunner({
      bundle: hostileBundle(),
      artefacts: null,
      poolSize: 2,
      memoryMb: 64,
      timeoutMs: 1_500,
    });
  });
  after(() => runner.close());

  for (const [action, what] of [
    ['readFile', 'reading a file outside the bundle'],
    ['writeFile', 'writing a file'],
    ['network', 'opening a TCP connection'],
    ['fetch', 'calling fetch'],
    ['spawn', 'spawning a process'],
    ['worker', 'starting a worker thread'],
  ] as const) {
    it(`stops ${what} with SandboxPolicyViolation`, async () => {
      await assert.rejects(runner.run(hostile(action), ctx()), SandboxPolicyViolation);
    });
  }

  it('replaces a process that broke a rule instead of reusing it', async () => {
    const single = createProcessRunner({ bundle: hostileBundle(), artefacts: null, poolSize: 1 });
    try {
      const before = await single.run(hostile('pid'), ctx());
      await assert.rejects(single.run(hostile('readFile'), ctx()), SandboxPolicyViolation);
      const afterwards = await single.run(hostile('pid'), ctx());
      assert.notEqual(afterwards.pid, before.pid);
    } finally {
      await single.close();
    }
  });

  it('kills an endless loop at the wall-clock limit with SandboxTimeout and keeps serving', async () => {
    await assert.rejects(runner.run(hostile('loop'), ctx()), SandboxTimeout);
    assert.ok((await runner.run(hostile('pid'), ctx())).pid > 0);
  });

  it('stops unbounded allocation at the memory cap with SandboxCrashed (out of memory)', async () => {
    await assert.rejects(
      runner.run(hostile('oom'), ctx()),
      (err: Error) => err instanceof SandboxCrashed && /out of memory/.test(err.message),
    );
  });

  it('maps an unexpected exit to SandboxCrashed', async () => {
    await assert.rejects(
      runner.run(hostile('crash'), ctx()),
      (err: Error) => err instanceof SandboxCrashed && /code 7/.test(err.message),
    );
  });

  it('gives the child no environment from the parent (no secrets, no proxy, no PATH)', async () => {
    const saved = process.env.E2B_API_KEY;
    process.env.E2B_API_KEY = 'parent-secret';
    try {
      const fresh = createProcessRunner({ bundle: hostileBundle(), artefacts: null, poolSize: 1 });
      const res = await fresh.run(hostile('env'), ctx()).finally(() => fresh.close());
      assert.deepEqual(res.output, { env: { LANG: 'C', TZ: 'UTC' } });
    } finally {
      if (saved === undefined) delete process.env.E2B_API_KEY;
      else process.env.E2B_API_KEY = saved;
    }
  });

  it('kills the child when the run is cancelled, heartbeating while it waits', async () => {
    const controller = new AbortController();
    let beats = 0;
    const slow = createProcessRunner({
      bundle: hostileBundle(),
      artefacts: null,
      poolSize: 1,
      timeoutMs: 10_000,
      heartbeatMs: 50,
    });
    try {
      const first = await slow.run(hostile('pid'), ctx());
      setTimeout(() => controller.abort(new Error('cancelled by test')), 400);
      await assert.rejects(
        slow.run(
          hostile('loop'),
          ctx(controller.signal, () => beats++),
        ),
        /cancelled by test/,
      );
      assert.ok(beats >= 3, `heartbeats: ${beats}`);
      const next = await slow.run(hostile('pid'), ctx());
      assert.notEqual(next.pid, first.pid);
    } finally {
      await slow.close();
    }
  });
});
