import { LR_GROUPS, LR_RANGE } from '../../schemas/qual.js';
import { EVIDENCE_MODEL_VERSION, type EvidenceArtefact } from './artefact.js';
import type { RunnerEvidence } from './evidence.js';
import { FACTOR_NAMES } from './factors.js';

export interface EvidenceSample {
  raceId: string;
  evidence: RunnerEvidence;
  won: boolean;
}

export interface FitEvidenceOptions {
  trainUntilRaceId: number;
  races: number;
  /** Add-k smoothing: k pseudo-observations per bin in both the winner and loser tables. */
  smoothingK?: number;
}

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * Fits the likelihood-ratio tables from training-period runners only:
 * LR(bin) = [(won_bin + k) / (W + kB)] / [(lost_bin + k) / (L + kB)], clipped to the LR range.
 */
export function fitEvidenceModel(samples: EvidenceSample[], options: FitEvidenceOptions): EvidenceArtefact {
  const k = options.smoothingK ?? 2;
  const winners = samples.filter((s) => s.won).length;
  const losers = samples.length - winners;
  const factors: EvidenceArtefact['factors'] = {};
  for (const factor of FACTOR_NAMES) {
    const counts = new Map<string, { won: number; lost: number }>();
    for (const { evidence, won } of samples) {
      const bin = evidence.bins[factor];
      const c = counts.get(bin) ?? { won: 0, lost: 0 };
      if (won) c.won += 1;
      else c.lost += 1;
      counts.set(bin, c);
    }
    const nBins = counts.size;
    const table: Record<string, { won: number; lost: number; lr: number }> = {};
    for (const [bin, c] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const pWon = (c.won + k) / (winners + k * nBins);
      const pLost = (c.lost + k) / (losers + k * nBins);
      table[bin] = { ...c, lr: clip(pWon / pLost, LR_RANGE[0], LR_RANGE[1]) };
    }
    factors[factor] = table;
  }
  const factorExponent = fitFactorExponent(samples, factors);
  const places = samples.filter((s) => s.evidence.facts.runs > 0);
  const basePlaceRate =
    places.reduce((a, s) => a + s.evidence.facts.placesAll, 0) /
    Math.max(
      1,
      places.reduce((a, s) => a + s.evidence.facts.runs, 0),
    );
  return {
    kind: 'evidence-model',
    version: `${EVIDENCE_MODEL_VERSION}-cut${options.trainUntilRaceId}`,
    modelVersion: EVIDENCE_MODEL_VERSION,
    fittedOn: {
      trainUntilRaceId: options.trainUntilRaceId,
      races: options.races,
      runners: samples.length,
      winners,
    },
    smoothingK: k,
    factorExponent,
    groups: [...LR_GROUPS],
    factors,
    baseWinRate: winners / samples.length,
    basePlaceRate: basePlaceRate > 0 && basePlaceRate < 1 ? basePlaceRate : 0.25,
    chemistryPriorRides: 30,
    suitabilityPriorRuns: 3,
    suitabilityScale: 0.4,
  };
}

/**
 * The factors overlap (a horse that has won before scores on several records at once), so the plain
 * naive-Bayes product is far too confident. One exponent gamma on every factor LR, chosen on a grid by
 * the race-softmax likelihood of the training winners, tempers it (about 0.35 on the HK data).
 */
function fitFactorExponent(samples: EvidenceSample[], factors: EvidenceArtefact['factors']): number {
  const byRace = new Map<string, { logLr: number; won: boolean }[]>();
  for (const s of samples) {
    const logLr = FACTOR_NAMES.reduce((a, f) => a + Math.log(factors[f]?.[s.evidence.bins[f]]?.lr ?? 1), 0);
    const list = byRace.get(s.raceId) ?? [];
    list.push({ logLr, won: s.won });
    byRace.set(s.raceId, list);
  }
  const races = [...byRace.values()].filter((r) => r.filter((x) => x.won).length === 1);
  let best = { gamma: 1, ll: Number.NEGATIVE_INFINITY };
  for (let gamma = 0.05; gamma <= 1.0001; gamma += 0.05) {
    let ll = 0;
    for (const r of races) {
      const m = Math.max(...r.map((x) => gamma * x.logLr));
      const lse = m + Math.log(r.reduce((a, x) => a + Math.exp(gamma * x.logLr - m), 0));
      ll += gamma * (r.find((x) => x.won) as { logLr: number }).logLr - lse;
    }
    if (ll > best.ll) best = { gamma: Math.round(gamma * 100) / 100, ll };
  }
  return best.gamma;
}
