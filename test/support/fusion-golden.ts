import { createHash } from 'node:crypto';
import {
  fitCalibrationArtefacts,
  mulberry32,
  simulateRace,
  type CalibrationArtefacts,
  type SynthesisOptions,
} from '../../agents/index.js';
import type { Rng } from '../../agents/index.js';
import { fuseAgentInput } from '../../pipeline/fusion.js';
import type { AgentInput } from '../../schemas/agent.js';

/**
 * Golden outputs of the fusion library (fifteen strategies and synthesis) on seeded races, so a
 * rewrite for speed can be checked against the numbers the library gave before it. The cases and the
 * artefact are stored with the expected outputs (test/unit/agents/golden/fusion.json), so a later
 * change to the simulator or the fitting code does not move the goldens.
 */

export type GoldenArtefacts = 'fitted' | 'rich' | 'none';

export interface GoldenCase {
  name: string;
  input: AgentInput;
  marketOdds: Record<string, number | undefined>;
  artefacts: GoldenArtefacts;
  options?: Partial<SynthesisOptions>;
}

export interface GoldenFile {
  artefacts: CalibrationArtefacts;
  /** Cases whose full outputs are stored, compared number by number. */
  full: { case: GoldenCase; expected: unknown }[];
  /** Further cases stored with the SHA-256 of their exact output JSON. */
  hashed: { case: GoldenCase; roundedSha256: string }[];
}

/** The artefact the goldens were captured with: fitted on simulated races with matrix inputs. */
export function fitGoldenArtefacts(): CalibrationArtefacts {
  const rng = mulberry32(2024);
  const races = Array.from({ length: 400 }, (_, i) => {
    const r = simulateRace(rng, String(i + 1), { lrSignal: 0.5, temperature: 1.2 });
    return {
      input: withMatrix(rng, r.input, 0.05),
      winnerHorseId: r.winnerHorseId,
      finishOrder: r.finishOrder,
      marketOdds: r.marketOdds,
    };
  });
  return fitCalibrationArtefacts(races, {
    version: 'golden-1',
    untilRaceId: '401',
    minGroupRaces: 200,
    bootstrapResamples: 40,
    minBlendRaces: 100,
  });
}

/** Chemistry, distance and weather terms, and with `wild` some LRs far enough out to be clipped. */
function withMatrix(rng: Rng, input: AgentInput, wild: number): AgentInput {
  return {
    ...input,
    runners: input.runners.map((r) => ({
      ...r,
      lrProduct: rng() < wild ? (rng() < 0.5 ? 0.05 : 9) : r.lrProduct,
      chemistry: 0.9 + 0.25 * rng(),
      distance: -0.08 + 0.18 * rng(),
      weather: -0.12 + 0.2 * rng(),
    })),
  };
}

/** A one-stage blend by hand (the fitting code for it needs the HK data). */
export function withRichBlend(artefacts: CalibrationArtefacts): CalibrationArtefacts {
  return {
    ...artefacts,
    richBlend: {
      kind: 'conditional-logit',
      terms: [
        { name: 'ln_market', coef: 0.92 },
        { name: 'ln_market_sq', coef: -0.01 },
        { name: 'ln_quant', coef: 0.11 },
        { name: 'ln_lr', coef: 0.07 },
        { name: 'distance', coef: 0.3 },
      ],
      races: 400,
      l2: 0.1,
      source: 'golden',
    },
  };
}

/** Seeded cases: 2 to 16 runners, places 1-3, own and fallback calibration groups, missing odds, quorum fallback. */
export function goldenCases(count: number, seed: number): GoldenCase[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const minRunners = i % 5 === 0 ? 2 : i % 3 === 0 ? 14 : 5;
    const maxRunners = i % 5 === 0 ? 4 : i % 3 === 0 ? 14 : 16;
    const race = simulateRace(rng, `g${seed}-${i}`, {
      minRunners,
      maxRunners,
      lrSignal: 0.3 + rng(),
      calibrationGroup: i % 4 === 1 ? 'other' : 'sim',
    });
    const input = withMatrix(rng, race.input, 0.1);
    const marketOdds: Record<string, number | undefined> = { ...race.marketOdds };
    if (i % 7 === 3) delete marketOdds[input.runners[0]!.horseId];
    const artefacts: GoldenArtefacts = i % 6 === 2 ? 'none' : i % 6 === 4 ? 'rich' : 'fitted';
    return {
      name: `${seed}-${i}`,
      input,
      marketOdds,
      artefacts,
      ...(i % 9 === 5 ? { options: { quorum: 16 } } : i % 8 === 6 ? { options: { k: 1 } } : {}),
    };
  });
}

export function artefactsFor(c: GoldenCase, fitted: CalibrationArtefacts): CalibrationArtefacts | null {
  return c.artefacts === 'none' ? null : c.artefacts === 'rich' ? withRichBlend(fitted) : fitted;
}

/** What the library computes for a case, without the wall-clock timings. */
export function goldenOutput(c: GoldenCase, fitted: CalibrationArtefacts): unknown {
  const { agentOutputs, synthesis } = fuseAgentInput(
    c.input,
    c.marketOdds,
    artefactsFor(c, fitted),
    c.options,
  );
  return {
    agents: agentOutputs.map(({ timingsMs: _timings, ...rest }) => rest),
    synthesis,
  };
}

/**
 * The digest of an output with every number rounded to 10 significant digits: equal for outputs that
 * agree to about 1e-10 relative, so an exact rewrite of a sum in another order (last-bit differences)
 * still matches, while any change a user could see does not.
 */
export function roundedSha256(value: unknown): string {
  const json = JSON.stringify(value, (_key, x: unknown) =>
    typeof x === 'number' ? Number(x.toPrecision(10)) : x,
  );
  return createHash('sha256').update(json).digest('hex');
}
