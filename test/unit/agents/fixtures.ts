import fc from 'fast-check';
import type { AgentInput, AgentOutput } from '../../../schemas/agent.js';
import { fitCalibrationArtefacts, harvillePlace, mulberry32, simulateRace } from '../../../agents/index.js';
import type { CalibrationArtefacts } from '../../../agents/index.js';

/** Random valid race fields of 2 to 16 runners, placesPaid valid for the field (SPEC 2 ranges). */
export const agentInputArb: fc.Arbitrary<AgentInput> = fc
  .integer({ min: 2, max: 16 })
  .chain((n) =>
    fc.record({
      placesPaid: fc.integer({ min: 1, max: Math.min(3, n) }),
      group: fc.constantFrom('sim', 'other'),
      runners: fc.array(
        fc.record({
          weight: fc.double({ min: 0.01, max: 1, noNaN: true }),
          lowerShare: fc.double({ min: 0.3, max: 1, noNaN: true }),
          upperShare: fc.double({ min: 1, max: 1.8, noNaN: true }),
          logLr: fc.double({ min: Math.log(0.01), max: Math.log(100), noNaN: true }),
          chemistry: fc.double({ min: 0.9, max: 1.15, noNaN: true }),
          distance: fc.double({ min: -0.08, max: 0.1, noNaN: true }),
          weather: fc.double({ min: -0.12, max: 0.08, noNaN: true }),
          quantConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
          qualConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { minLength: n, maxLength: n },
      ),
    }),
  )
  .map(({ placesPaid, group, runners }) => {
    const total = runners.reduce((s, r) => s + r.weight, 0);
    return {
      raceId: 'prop',
      placesPaid,
      calibrationGroup: group,
      runners: runners.map((r, i) => {
        const b = r.weight / total;
        return {
          horseId: `h${i + 1}`,
          winProbBase: b,
          winProbLower: b * r.lowerShare,
          winProbUpper: Math.min(1, b * r.upperShare),
          quantConfidence: r.quantConfidence,
          lrProduct: Math.exp(r.logLr),
          chemistry: r.chemistry,
          distance: r.distance,
          weather: r.weather,
          qualConfidence: r.qualConfidence,
        };
      }),
    };
  });

let cached: CalibrationArtefacts | null = null;

/** A small artefact fitted on simulated races (group "sim"), cached: fitting takes a moment. */
export function testArtefacts(): CalibrationArtefacts {
  if (cached) return cached;
  const rng = mulberry32(42);
  const races = Array.from({ length: 400 }, (_, i) => {
    const r = simulateRace(rng, String(i + 1), { lrSignal: 0.4, temperature: 1.2 });
    return {
      input: r.input,
      winnerHorseId: r.winnerHorseId,
      finishOrder: r.finishOrder,
      marketOdds: r.marketOdds,
    };
  });
  cached = fitCalibrationArtefacts(races, {
    version: 'test-1',
    untilRaceId: '401',
    minGroupRaces: 200,
    bootstrapResamples: 40,
    minBlendRaces: 100,
  });
  return cached;
}

/** A hand-made agent output: given calibrated win probabilities, everything else consistent. */
export function agentOutput(
  strategy: string,
  input: AgentInput,
  win: number[],
  confidence = 0.5,
): AgentOutput {
  const place = harvillePlace(win, input.placesPaid);
  return {
    strategy,
    parameters: {},
    calibratorVersion: 'hand',
    runners: input.runners.map((r, i) => ({
      horseId: r.horseId,
      winProbFused: win[i] ?? 0,
      winProbCalibrated: win[i] ?? 0,
      placeProb: place[i] ?? 0,
      lower: (win[i] ?? 0) * 0.8,
      upper: Math.min(1, (win[i] ?? 0) * 1.2),
      confidence,
      flags: [],
      reasoning: 'hand-made',
    })),
    timingsMs: { compute: 0 },
  };
}

export function plainInput(win: number[], placesPaid = 1): AgentInput {
  return {
    raceId: 'r1',
    placesPaid,
    calibrationGroup: 'sim',
    runners: win.map((b, i) => ({
      horseId: `h${i + 1}`,
      winProbBase: b,
      winProbLower: b * 0.9,
      winProbUpper: b * 1.1,
      quantConfidence: 0.8,
      lrProduct: 1,
      chemistry: 1,
      distance: 0,
      weather: 0,
      qualConfidence: 0.6,
    })),
  };
}
