import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  fitGoldenArtefacts,
  goldenCases,
  goldenOutput,
  roundedSha256,
  type GoldenFile,
} from '../test/support/fusion-golden.js';

/**
 * Writes test/unit/agents/golden/fusion.json: run it only when the library's numbers are meant to
 * change, and say why in the commit. The golden test then holds every later change to them.
 */
const artefacts = fitGoldenArtefacts();
const golden: GoldenFile = {
  artefacts,
  full: goldenCases(8, 11).map((c) => ({ case: c, expected: goldenOutput(c, artefacts) })),
  hashed: goldenCases(60, 23).map((c) => ({
    case: c,
    roundedSha256: roundedSha256(goldenOutput(c, artefacts)),
  })),
};
const out = path.resolve(import.meta.dirname, '..', 'test', 'unit', 'agents', 'golden', 'fusion.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(golden)}\n`);
console.log(`wrote ${out}`);
