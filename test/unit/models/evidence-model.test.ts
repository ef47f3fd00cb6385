import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryAccumulator } from '../../../models/hk/history-accumulator.js';
import {
  analyseWithEvidenceModel,
  loadEvidenceArtefact,
  EvidenceArtefactError,
} from '../../../models/qual/index.js';
import { fitEvidenceModel } from '../../../models/qual/fit.js';
import { extractEvidence } from '../../../models/qual/evidence.js';
import { LR_RANGE, QualRunnerSchema } from '../../../schemas/qual.js';
import { syntheticCard, syntheticRace } from './synthetic.js';

const QUAL_DIR = join(import.meta.dirname, '../../../models/qual');
const committed = readdirSync(QUAL_DIR).filter((f) => /^evidence-.*\.json$/.test(f));

void test('the committed evidence artefact loads with its zod schema and every LR is within range', () => {
  assert.ok(committed.length > 0, 'no evidence-*.json artefact committed');
  for (const file of committed) {
    const a = loadEvidenceArtefact(join(QUAL_DIR, file));
    for (const table of Object.values(a.factors))
      for (const bin of Object.values(table)) assert.ok(bin.lr >= LR_RANGE[0] && bin.lr <= LR_RANGE[1]);
  }
});

void test('a malformed artefact is refused with a named error', () => {
  assert.throws(() => loadEvidenceArtefact(join(QUAL_DIR, 'factors.ts')), EvidenceArtefactError);
});

void test('the analyst returns schema-valid runners with clipped LRs, matrix and confidence', () => {
  const artefact = loadEvidenceArtefact(join(QUAL_DIR, committed[0] as string));
  const acc = new HistoryAccumulator();
  for (let i = 0; i < 20; i++) acc.record(syntheticRace(i));
  const card = syntheticCard(20);
  const runners = analyseWithEvidenceModel(card, acc.historiesFor(card), artefact);
  assert.equal(runners.length, card.runners.length);
  for (const r of runners) {
    QualRunnerSchema.parse(r);
    const product = r.lr.formFitness * r.lr.conditions * r.lr.tactics * r.lr.context;
    assert.ok(Math.abs(r.lrProduct - Math.min(100, Math.max(0.01, product))) < 1e-9);
  }
  // Without any history the only evidence left is the card: the documented floor of 0.1.
  const debut = analyseWithEvidenceModel(card, new Map(), artefact);
  assert.ok(debut.every((r) => Math.abs(r.confidence - 0.1) < 1e-12));
  assert.ok(runners.every((r) => r.confidence > 0.1));
});

void test('fitting smooths and clips: a bin seen only among winners stays within the LR range', () => {
  const acc = new HistoryAccumulator();
  const samples = [];
  for (let i = 0; i < 30; i++) {
    const race = syntheticRace(i);
    for (const e of extractEvidence(race.card, acc.historiesFor(race.card)))
      samples.push({ raceId: race.card.raceId, evidence: e, won: race.outcome.winners.includes(e.horseId) });
    acc.record(race);
  }
  const a = fitEvidenceModel(samples, { trainUntilRaceId: 30, races: 30 });
  for (const table of Object.values(a.factors))
    for (const bin of Object.values(table))
      assert.ok(bin.lr >= LR_RANGE[0] && bin.lr <= LR_RANGE[1] && Number.isFinite(bin.lr));
});
