import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SynthesisSummarySchema } from '../../../schemas/result.js';
import {
  STRATEGY_NAMES,
  SynthesisValidationError,
  effectiveEstimates,
  kelly,
  price,
  runStrategy,
  screenAgentOutputs,
  synthesise,
  validateSynthesis,
} from '../../../agents/index.js';
import type { AgentOutput, CalibrationArtefacts } from '../../../agents/index.js';
import { agentInputArb, agentOutput, plainInput, testArtefacts } from './fixtures.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected}, got ${actual}`);
const PRICING = { kellyFraction: 0.25, stakeCap: 0.1, minEdge: 0.05 };

test('Kelly and stake: worked examples', () => {
  // p = 0.25 at 5.0: edge 0.25, f = (1.25 - 1)/4 = 0.0625, stake 0.25 * 0.0625 = 0.015625
  const a = price(0.25, 5, PRICING);
  close(a.edge ?? NaN, 0.25, 1e-12);
  close(a.kellyFraction ?? NaN, 0.0625, 1e-12);
  close(a.stake ?? NaN, 0.015625, 1e-12);
  close(a.fairOdds, 4, 1e-12);
  // p = 0.9 at 3.0: f = 1.7/2 = 0.85, quarter Kelly 0.2125 capped at 0.10
  assert.equal(price(0.9, 3, PRICING).stake, 0.1);
  // p = 0.2 at 5.2: edge 0.04 < 0.05, so no stake though f = 0.04/4.2 > 0
  const c = price(0.2, 5.2, PRICING);
  assert.equal(c.stake, 0);
  close(c.kellyFraction ?? NaN, 0.04 / 4.2, 1e-12);
  assert.equal(kelly(0.1, 5), 0);
  assert.equal(price(0.3, undefined, PRICING).edge, undefined);
});

test('a planted agent is dropped as an outlier and the consensus is the other agents', () => {
  const input = plainInput([0.4, 0.3, 0.2, 0.1], 2);
  const outputs: AgentOutput[] = STRATEGY_NAMES.slice(0, 14).map((name, a) => {
    // Small, field-neutral jitter so sigma is not zero.
    const j = a % 2 === 0 ? 0.002 : -0.002;
    return agentOutput(name, input, [0.4 + j, 0.3 - j, 0.2, 0.1]);
  });
  outputs.push(agentOutput('SynthesisAgent_Ensemble', input, [0.1, 0.2, 0.3, 0.4]));
  const res = synthesise({ input, agentOutputs: outputs, failures: [], marketOdds: {}, artefacts: null });
  assert.equal(res.degraded, false);
  assert.deepEqual(res.summary.outlierAgents, ['SynthesisAgent_Ensemble']);
  // Runner 1: values 0.4 +/- 0.002 (x14) and 0.1: mu ~ 0.38, sigma ~ 0.075, |0.1 - 0.38| > 2 sigma.
  for (const r of res.runners) assert.deepEqual(r.droppedAgents, ['SynthesisAgent_Ensemble']);
  assert.equal(res.summary.droppedValues, 4);
  [0.4, 0.3, 0.2, 0.1].forEach((p, i) => close(res.runners[i]?.winProbModel ?? 0, p, 1e-12, `runner ${i}`));
  assert.ok(
    res.runners.every((r) => r.flags.includes('outlier-values-dropped') && r.flags.includes('model-only')),
  );
  SynthesisSummarySchema.parse(res.summary);
});

test('identical agents: sigma 0 keeps everything and one effective estimate', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const outputs = STRATEGY_NAMES.map((n) => agentOutput(n, input, [0.5, 0.3, 0.2]));
  const res = synthesise({ input, agentOutputs: outputs, failures: [], marketOdds: {}, artefacts: null });
  assert.equal(res.summary.droppedValues, 0);
  assert.equal(res.summary.effectiveEstimates, 1);
  res.runners.forEach((r) => close(r.consensusScore, 1, 1e-12));
});

test('effective estimates: exp(entropy) of the shares of identical estimates', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const a = [0.5, 0.3, 0.2];
  const b = [0.4, 0.4, 0.2];
  // 2 groups of 2 -> exactly 2; groups of 3 and 1 -> exp(-(0.75 ln 0.75 + 0.25 ln 0.25)) = 1.7548
  assert.equal(effectiveEstimates([a, a, b, b].map((w, i) => agentOutput(`s${i}`, input, w))), 2);
  close(effectiveEstimates([a, a, a, b].map((w, i) => agentOutput(`s${i}`, input, w))), 1.754765, 1e-6);
});

test('below quorum: strategy 3 runs inline and the result is marked degraded', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const outputs = STRATEGY_NAMES.slice(0, 9).map((n) => runStrategy(n, input, null));
  const failures = STRATEGY_NAMES.slice(9).map((strategy) => ({
    strategy,
    errorType: 'Timeout',
    message: 'timed out',
  }));
  const res = synthesise({ input, agentOutputs: outputs, failures, marketOdds: {}, artefacts: null });
  assert.equal(res.degraded, true);
  assert.equal(res.summary.agentsSucceeded, 9);
  assert.equal(res.summary.agentsFailed.length, 6);
  assert.deepEqual(res.explanation.agentsUsed, ['BayesianUpdater_Balanced']);
  assert.ok(res.runners.every((r) => r.flags.includes('degraded')));
  assert.match(res.explanation.summary, /DEGRADED/);
});

test('a malformed agent output counts as a failure, not as an estimate', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const outputs = STRATEGY_NAMES.map((n) => runStrategy(n, input, null));
  outputs[0] = {
    ...outputs[0]!,
    runners: outputs[0]!.runners.map((r) => ({ ...r, winProbCalibrated: 0.9 })),
  };
  const res = synthesise({ input, agentOutputs: outputs, failures: [], marketOdds: {}, artefacts: null });
  assert.equal(res.summary.agentsSucceeded, 14);
  assert.equal(res.summary.agentsFailed[0]?.errorType, 'InvalidAgentOutput');
});

test('market blend applies only with a fitted blend and odds for every runner', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const outputs = STRATEGY_NAMES.map((n) => agentOutput(n, input, [0.5, 0.3, 0.2]));
  const base: CalibrationArtefacts = testArtefacts();
  const artefacts: CalibrationArtefacts = { ...base, marketBlend: { alpha: 0.5, beta: 0.5, races: 1 } };
  const odds = { h1: 4, h2: 2, h3: 4 };
  const res = synthesise({ input, agentOutputs: outputs, failures: [], marketOdds: odds, artefacts });
  // market m = (0.25, 0.5, 0.25); final ~ sqrt(p m) = (0.353553, 0.387298, 0.223607) / 0.964458
  close(res.runners[0]?.winProbFinal ?? 0, 0.353553 / 0.964458, 1e-6);
  close(res.runners[1]?.marketProb ?? 0, 0.5, 1e-12);
  close(res.runners[1]?.edge ?? 0, (res.runners[1]?.winProbFinal ?? 0) * 2 - 1, 1e-12);
  assert.equal(res.summary.marketBlend?.alpha, 0.5);
  const partial = synthesise({
    input,
    agentOutputs: outputs,
    failures: [],
    marketOdds: { h1: 4 },
    artefacts,
  });
  assert.equal(partial.summary.marketBlend, null);
  partial.runners.forEach((r) => assert.equal(r.winProbFinal, r.winProbModel));
  assert.match(partial.explanation.marketBlend, /not every runner/);
  const none = synthesise({
    input,
    agentOutputs: outputs,
    failures: [],
    marketOdds: odds,
    artefacts: { ...base, marketBlend: null },
  });
  assert.match(none.explanation.marketBlend, /no fitted market blend/);
});

test('validation throws a named error when a sum, a range or an interval breaks', () => {
  const input = plainInput([0.5, 0.3, 0.2], 2);
  const outputs = STRATEGY_NAMES.map((n) => agentOutput(n, input, [0.5, 0.3, 0.2]));
  const good = synthesise({
    input,
    agentOutputs: outputs,
    failures: [],
    marketOdds: {},
    artefacts: null,
  }).runners;
  assert.doesNotThrow(() => validateSynthesis(good, 2, 'r1'));
  const named = (e: unknown): boolean =>
    e instanceof SynthesisValidationError && e.name === 'SynthesisValidationError';
  assert.throws(() => validateSynthesis(good, 3, 'r1'), named);
  const offWin = good.map((r, i) => (i === 0 ? { ...r, winProbFinal: r.winProbFinal + 1e-8 } : r));
  assert.throws(() => validateSynthesis(offWin, 2, 'r1'), named);
  const outside = good.map((r, i) => (i === 0 ? { ...r, upper: r.winProbModel / 2 } : r));
  assert.throws(() => validateSynthesis(outside, 2, 'r1'), named);
});

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

test('property: valid outputs, and the consensus uses exactly the kept values', () => {
  const artefacts = testArtefacts();
  fc.assert(
    fc.property(
      agentInputArb,
      fc.array(fc.double({ min: 0.3, max: 3, noNaN: true }), { minLength: 15, maxLength: 15 }),
      fc.boolean(),
      (input, tilt, withArtefacts) => {
        // Each agent sees the race with its runners' LRs tilted, so agents disagree and some get dropped.
        const outputs = STRATEGY_NAMES.map((name, a) =>
          runStrategy(
            name,
            {
              ...input,
              runners: input.runners.map((r, i) => ({
                ...r,
                lrProduct: r.lrProduct * (i % 2 === 0 ? (tilt[a] ?? 1) : 1),
              })),
            },
            withArtefacts ? artefacts : null,
          ),
        );
        const odds = Object.fromEntries(input.runners.map((r) => [r.horseId, 1.2 / r.winProbBase]));
        const res = synthesise({
          input,
          agentOutputs: outputs,
          failures: [],
          marketOdds: odds,
          artefacts: withArtefacts ? artefacts : null,
        });
        const again = synthesise({
          input,
          agentOutputs: structuredClone(outputs),
          failures: [],
          marketOdds: odds,
          artefacts: withArtefacts ? artefacts : null,
        });
        assert.deepEqual(res, again);
        assert.ok(Math.abs(sum(res.runners.map((r) => r.winProbFinal)) - 1) <= 1e-9);
        assert.ok(Math.abs(sum(res.runners.map((r) => r.placeProb)) - input.placesPaid) <= 1e-9);
        for (const r of res.runners) {
          for (const v of [r.winProbModel, r.winProbFinal, r.placeProb, r.lower, r.upper])
            assert.ok(v >= 0 && v <= 1);
          assert.ok(r.lower <= r.winProbModel && r.winProbModel <= r.upper);
          assert.ok(r.confidence > 0 && r.confidence <= 1);
        }
        // Recompute the consensus from the kept values only.
        const raw = input.runners.map((_, i) => {
          const kept = outputs
            .filter((o) => !res.runners[i]!.droppedAgents.includes(o.strategy))
            .map((o) => o.runners[i]!);
          return (
            sum(kept.map((k) => k.confidence * k.winProbCalibrated)) / sum(kept.map((k) => k.confidence))
          );
        });
        const total = sum(raw);
        raw.forEach((v, i) => close(res.runners[i]!.winProbModel, v / total, 1e-12, `runner ${i}`));
        assert.equal(res.summary.droppedValues, sum(res.runners.map((r) => r.droppedAgents.length)));
        SynthesisSummarySchema.parse(res.summary);
      },
    ),
    { numRuns: 30, seed: 5 },
  );
});

test('an output that breaks the agent schema is screened out at the boundary as a failed agent', () => {
  const input = plainInput([0.5, 0.3, 0.2]);
  const outputs = STRATEGY_NAMES.map((n) => runStrategy(n, input, null));
  outputs[2] = { ...outputs[2]!, runners: outputs[2]!.runners.map((r) => ({ ...r, confidence: 0 })) };
  const { valid, failures } = screenAgentOutputs(outputs);
  assert.equal(valid.length, 14);
  assert.deepEqual(
    failures.map((f) => [f.strategy, f.errorType]),
    [[STRATEGY_NAMES[2], 'InvalidAgentOutput']],
  );
});
