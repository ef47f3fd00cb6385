export { analyseEvidence, analyseWithEvidenceModel, evidenceConfidence } from './analyse.js';
export {
  EVIDENCE_MODEL_VERSION,
  EvidenceArtefactError,
  EvidenceArtefactSchema,
  loadEvidenceArtefact,
  type EvidenceArtefact,
} from './artefact.js';
export { extractEvidence, goingGroup, type RunnerEvidence } from './evidence.js';
export { FACTORS, FACTOR_NAMES, type FactorName } from './factors.js';
export { fitEvidenceModel, type EvidenceSample } from './fit.js';
