import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LR_GROUPS } from '../../schemas/qual.js';
import { FACTOR_NAMES } from './factors.js';

export const EVIDENCE_MODEL_VERSION = 'ev1';

const BinStatsSchema = z.object({
  won: z.number().int().min(0),
  lost: z.number().int().min(0),
  lr: z.number().positive(),
});

export const EvidenceArtefactSchema = z.object({
  kind: z.literal('evidence-model'),
  version: z.string().min(1),
  modelVersion: z.literal(EVIDENCE_MODEL_VERSION),
  fittedOn: z.object({
    trainUntilRaceId: z.number().int(),
    races: z.number().int().positive(),
    runners: z.number().int().positive(),
    winners: z.number().int().positive(),
  }),
  smoothingK: z.number().positive(),
  /** Every factor LR is raised to this power before the product (see fit.ts: overlapping factors). */
  factorExponent: z.number().gt(0).max(1),
  groups: z.array(z.enum(LR_GROUPS)),
  /** factor -> bin -> counts and smoothed P(bin | won) / P(bin | lost); unseen bins read as LR 1. */
  factors: z.record(z.enum(FACTOR_NAMES as [string, ...string[]]), z.record(z.string(), BinStatsSchema)),
  baseWinRate: z.number().gt(0).lt(1),
  basePlaceRate: z.number().gt(0).lt(1),
  /** Pseudo-counts pulling a jockey-trainer or suitability record towards the base rate. */
  chemistryPriorRides: z.number().positive(),
  suitabilityPriorRuns: z.number().positive(),
  /** Scale from a place-rate difference to the distance/weather matrix adjustment. */
  suitabilityScale: z.number().positive(),
});
export type EvidenceArtefact = z.infer<typeof EvidenceArtefactSchema>;

export class EvidenceArtefactError extends Error {
  override name = 'EvidenceArtefactError';
}

export function loadEvidenceArtefact(path: string): EvidenceArtefact {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EvidenceArtefactError(`cannot read evidence artefact ${path}: ${(err as Error).message}`);
  }
  const parsed = EvidenceArtefactSchema.safeParse(raw);
  if (!parsed.success)
    throw new EvidenceArtefactError(`evidence artefact ${path} is invalid: ${parsed.error.message}`);
  return parsed.data;
}
