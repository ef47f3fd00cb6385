import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadEnv } from '../../../config/env.js';
import { fitAndScoreBlock, walkForwardBlocks } from '../../../backtest/walk-forward.js';
import { readHkRaces } from '../../../import/hk-reader.js';
import type { HkRace } from '../../../models/hk/types.js';
import { ensureVenv } from '../../../models/training/python.js';
import { reverseResult } from '../models/synthetic.js';

const { HK_DATA_DIR } = loadEnv();

/**
 * Every fitted file of a block, by path; the trainer's wall time is the only field that may differ. The ONNX
 * graphs are left out because the converter writes different bytes for the same booster; what they compute
 * is covered by the parity fixture (each member's scores on fixed rows) and by the block's scores.
 */
function fittedArtefacts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!name.endsWith('.onnx'))
        out.set(relative(dir, full), readFileSync(full, 'utf8').replace(/"trainSeconds": [0-9.]+/, ''));
    }
  };
  walk(join(dir, 'models'));
  return out;
}

async function block(season: HkRace[], dir: string): Promise<{ files: Map<string, string>; scores: string }> {
  const blocks = walkForwardBlocks(season, season[300]!.raceNumericId, 60);
  const res = await fitAndScoreBlock(season, blocks[0]!, dir, {
    folds: 2,
    trials: 2,
    richTerms: 'stacked',
    richL2: 1,
    python: ensureVenv(() => {}),
    log: () => {},
  });
  return {
    files: fittedArtefacts(dir),
    scores: JSON.stringify(res.races.map((r) => [r.raceId, r.quant, r.fused, r.final])),
  };
}

void test(
  "a walk-forward block never sees its own or later races: changing one leaves the block's artefacts and scores unchanged",
  {
    skip: existsSync(join(HK_DATA_DIR, 'runs.csv'))
      ? false
      : `HK data not found at ${HK_DATA_DIR} (set HK_DATA_DIR)`,
  },
  async () => {
    const season: HkRace[] = [];
    for (const race of readHkRaces(HK_DATA_DIR)) {
      season.push(race);
      if (season.length === 420) break;
    }
    // The block is races 300-359; 330 is inside it (its result must reach neither a fit nor a score of
    // race 330 itself or earlier), 400 is after it, 200 before it (that one must change the fit).
    const tamper = (ks: number[]): HkRace[] => season.map((r, i) => (ks.includes(i) ? reverseResult(r) : r));
    const tmp = mkdtempSync(join(tmpdir(), 'wf-leak-'));
    try {
      const base = await block(season, join(tmp, 'base'));
      const later = await block(tamper([330, 400]), join(tmp, 'later'));
      assert.deepEqual([...later.files.keys()].sort(), [...base.files.keys()].sort());
      for (const [name, text] of base.files) assert.equal(later.files.get(name), text, `${name} changed`);
      const rows = (s: string) => JSON.parse(s) as [string, ...unknown[]][];
      const upTo330 = (s: string) => JSON.stringify(rows(s).slice(0, 31));
      assert.equal(upTo330(later.scores), upTo330(base.scores), 'scores up to the tampered race changed');
      const earlier = await block(tamper([200]), join(tmp, 'earlier'));
      assert.ok(
        [...base.files].some(([name, text]) => earlier.files.get(name) !== text),
        'a changed training race should change some fitted artefact (otherwise this test proves nothing)',
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
