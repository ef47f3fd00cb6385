import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AgentOutputSchema } from '../../../schemas/agent.js';
import { STRATEGY_NAMES, runStrategy } from '../../../agents/index.js';
import type { AgentInput, CalibrationArtefacts } from '../../../agents/index.js';
import { agentInputArb, testArtefacts } from './fixtures.js';

const artefacts = testArtefacts();
const NUM_RUNS = 40;
const strategyArb = fc.constantFrom(...STRATEGY_NAMES);
const artefactArb = fc.constantFrom<CalibrationArtefacts | null>(null, artefacts);

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

test('every strategy: probabilities in [0,1], win sums to 1, place to placesPaid, lower <= p <= upper', () => {
  fc.assert(
    fc.property(agentInputArb, strategyArb, artefactArb, (input, name, art) => {
      const out = runStrategy(name, input, art);
      AgentOutputSchema.parse(out);
      const win = out.runners.map((r) => r.winProbCalibrated);
      const place = out.runners.map((r) => r.placeProb);
      assert.ok(Math.abs(sum(win) - 1) <= 1e-9, `win sums to ${sum(win)}`);
      assert.ok(Math.abs(sum(place) - input.placesPaid) <= 1e-9, `place sums to ${sum(place)}`);
      assert.ok(Math.abs(sum(out.runners.map((r) => r.winProbFused)) - 1) <= 1e-9);
      for (const r of out.runners) {
        for (const v of [r.winProbFused, r.winProbCalibrated, r.placeProb, r.lower, r.upper])
          assert.ok(v >= 0 && v <= 1);
        assert.ok(
          r.lower <= r.winProbCalibrated && r.winProbCalibrated <= r.upper,
          `${r.lower} ${r.winProbCalibrated} ${r.upper}`,
        );
        assert.ok(r.placeProb >= r.winProbCalibrated - 1e-12, 'placing is at least as likely as winning');
        assert.ok(r.confidence > 0 && r.confidence <= 1);
      }
    }),
    { numRuns: NUM_RUNS * 3, seed: 1 },
  );
});

function withLr(input: AgentInput, i: number, lr: number): AgentInput {
  return { ...input, runners: input.runners.map((r, j) => (j === i ? { ...r, lrProduct: lr } : r)) };
}

test("a runner's win probability is non-decreasing in its own LR (fused and calibrated)", () => {
  fc.assert(
    fc.property(
      agentInputArb,
      strategyArb,
      artefactArb,
      fc.nat(),
      fc.double({ min: 1.01, max: 20, noNaN: true }),
      (input, name, art, pick, factor) => {
        const i = pick % input.runners.length;
        const lr = input.runners[i]!.lrProduct;
        const before = runStrategy(name, withLr(input, i, lr), art).runners[i]!;
        const after = runStrategy(name, withLr(input, i, lr * factor), art).runners[i]!;
        assert.ok(after.winProbFused >= before.winProbFused - 1e-12);
        assert.ok(after.winProbCalibrated >= before.winProbCalibrated - 1e-12);
        // Strictly increasing while the matrix LR is inside the clip range and calibration is the identity.
        // (Margins cover chemistry^m for matrix weights 0.8 to 1.2.)
        const chem = input.runners[i]!.chemistry;
        const inRange = lr * chem > 0.3 && lr * factor * chem < 3.5;
        if (art === null && inRange && before.winProbFused < 0.999)
          assert.ok(after.winProbFused > before.winProbFused);
      },
    ),
    { numRuns: NUM_RUNS, seed: 2 },
  );
});

test('the result is identical across runs (timings aside)', () => {
  fc.assert(
    fc.property(agentInputArb, strategyArb, artefactArb, (input, name, art) => {
      const strip = (o: ReturnType<typeof runStrategy>) => ({ ...o, timingsMs: null });
      assert.deepEqual(
        strip(runStrategy(name, input, art)),
        strip(runStrategy(name, structuredClone(input), art)),
      );
    }),
    { numRuns: NUM_RUNS, seed: 3 },
  );
});

test('calibrated strategies report the artefact version and the group they used', () => {
  const input = fc.sample(agentInputArb, { numRuns: 1, seed: 4 })[0]!;
  const sim = runStrategy('CalibrationAgent_Platt', { ...input, calibrationGroup: 'sim' }, artefacts);
  const other = runStrategy('CalibrationAgent_Platt', { ...input, calibrationGroup: 'unseen' }, artefacts);
  assert.equal(sim.calibratorVersion, 'test-1/sim');
  assert.equal(other.calibratorVersion, 'test-1/default');
  assert.ok(!sim.runners.some((r) => r.flags.includes('calibration-identity')));
});
