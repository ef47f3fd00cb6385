import type { RunnerHistory } from '../../schemas/history.js';
import {
  LR_GROUPS,
  LR_PRODUCT_RANGE,
  LR_RANGE,
  MATRIX_RANGES,
  type LrGroup,
  type QualRunner,
} from '../../schemas/qual.js';
import type { RaceCard } from '../../schemas/race-card.js';
import type { EvidenceArtefact } from './artefact.js';
import { extractEvidence, type RunnerEvidence } from './evidence.js';
import { FACTOR_NAMES, FACTORS, type FactorName } from './factors.js';

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const shrunk = (hits: number, n: number, prior: number, strength: number): number =>
  (hits + strength * prior) / (n + strength);

/** A factor moves the narrative only when its LR is at least this far from 1 (either way). */
const NOTABLE_LR = 1.1;

interface FactorReading {
  factor: FactorName;
  bin: string;
  lr: number;
}

function describe({ factor, bin, lr }: FactorReading): string {
  return `${FACTORS[factor].label}: ${bin} (LR ${lr.toFixed(2)})`;
}

function matrixFor(e: RunnerEvidence, a: EvidenceArtefact): QualRunner['matrix'] {
  const f = e.facts;
  const chemistryRate = shrunk(f.comboWins, f.comboRides, a.baseWinRate, a.chemistryPriorRides);
  const pAll = shrunk(f.placesAll, f.runs, a.basePlaceRate, a.suitabilityPriorRuns);
  const pDist = shrunk(f.placesAtDistance, f.runsAtDistance, pAll, a.suitabilityPriorRuns);
  const pGoing = shrunk(f.placesOnGoing, f.runsOnGoing, pAll, a.suitabilityPriorRuns);
  return {
    chemistry: clip(chemistryRate / a.baseWinRate, ...MATRIX_RANGES.chemistry),
    distance: clip(a.suitabilityScale * (pDist - pAll), ...MATRIX_RANGES.distance),
    weather: clip(a.suitabilityScale * (pGoing - pAll), ...MATRIX_RANGES.weather),
  };
}

/**
 * Confidence grows with the evidence behind the runner: its past runs (most factors read them) and,
 * less, its jockey's rides this season. c = 0.1 + 0.7 (1 - e^(-runs/4)) + 0.2 min(1, jockeyRides/100).
 */
export function evidenceConfidence(e: RunnerEvidence): number {
  return clip(
    0.1 + 0.7 * (1 - Math.exp(-e.facts.runs / 4)) + 0.2 * Math.min(1, e.facts.jockeyRides / 100),
    0,
    1,
  );
}

export function analyseEvidence(evidence: RunnerEvidence[], artefact: EvidenceArtefact): QualRunner[] {
  return evidence.map((e) => {
    const readings: FactorReading[] = FACTOR_NAMES.map((factor) => ({
      factor,
      bin: e.bins[factor],
      lr: (artefact.factors[factor]?.[e.bins[factor]]?.lr ?? 1) ** artefact.factorExponent,
    }));
    const flags: string[] = [];
    const lr = {} as Record<LrGroup, number>;
    for (const group of LR_GROUPS) {
      const raw = readings.filter((r) => FACTORS[r.factor].group === group).reduce((p, r) => p * r.lr, 1);
      lr[group] = clip(raw, ...LR_RANGE);
      if (lr[group] !== raw) flags.push(`lr-clipped:${group}`);
    }
    const rawProduct = LR_GROUPS.reduce((p, g) => p * lr[g], 1);
    const lrProduct = clip(rawProduct, ...LR_PRODUCT_RANGE);
    if (lrProduct !== rawProduct) flags.push('lr-product-clipped');

    const strengths = readings.filter((r) => r.lr >= NOTABLE_LR).sort((a, b) => b.lr - a.lr);
    const concerns = readings.filter((r) => r.lr <= 1 / NOTABLE_LR).sort((a, b) => a.lr - b.lr);
    const parts = [`Evidence LR ${lrProduct.toFixed(2)}.`];
    if (strengths[0]) parts.push(`Best: ${describe(strengths[0])}.`);
    if (concerns[0]) parts.push(`Worst: ${describe(concerns[0])}.`);
    if (!strengths[0] && !concerns[0]) parts.push('No factor stands out.');
    return {
      horseId: e.horseId,
      lr,
      lrProduct,
      matrix: matrixFor(e, artefact),
      confidence: evidenceConfidence(e),
      keyStrengths: strengths.slice(0, 3).map(describe),
      keyConcerns: concerns.slice(0, 3).map(describe),
      narrative: parts.join(' ').slice(0, 300),
      flags,
    };
  });
}

/** The evidence-model analyst: QualOutput runners for the card's active runners, in card order. */
export function analyseWithEvidenceModel(
  card: RaceCard,
  histories: Map<string, RunnerHistory>,
  artefact: EvidenceArtefact,
): QualRunner[] {
  return analyseEvidence(extractEvidence(card, histories), artefact);
}
