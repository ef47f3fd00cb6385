import { pairedDifference, raceLogLoss, winnerIndex } from '../agents/index.js';
import { LR_GROUPS, type LrGroup } from '../schemas/qual.js';
import type { ReplayedRace } from './replay.js';

/**
 * What each evidence group and each fusion agent adds, measured on the walk-forward blocks (issue 11
 * point 4). Two views:
 * - the fitted weight: each block's market stage (the stacked conditional logit) gives every term a
 *   coefficient with its standard error; a group the CV left out, or shrank, has weight ~0 there;
 * - the change in log loss when a part is dropped, on the scored races, with its paired SE.
 *   For a stage term that reads the scored races' own values (a group's log-LR, the LR product, the
 *   pooled quant log-probability) dropping it is exact: the final probabilities are a softmax of the
 *   terms, so p_drop ∝ p_final · x^(-coef). For an agent it is the equal-weight mean of the fifteen
 *   strategies' calibrated probabilities with and without it (the synthesis' confidence weights and
 *   outlier trimming are not in the replayed record, so this is the consensus without them).
 */
export interface ContributionBlock {
  firstRaceId: number;
  lastRaceId: number;
  races: readonly ReplayedRace[];
  /** The block's market stage; absent when the block used no one-stage blend. */
  stage?: {
    candidate: string;
    terms: readonly { name: string; coef: number; se?: number }[];
    /** The stage's CV table on the block's training races (agents/fit/stacked.ts), when stacked. */
    cv?: readonly {
      candidate: string;
      l2: number;
      logLoss: number;
      deltaVsReference: number;
      pairedSE: number;
    }[];
  };
}

export interface DropEffect {
  name: string;
  races: number;
  /** Mean log loss per race after dropping minus before: > 0 means the part helped. */
  deltaLogLoss: number;
  pairedSE: number;
}

export interface Contributions {
  /** term -> one entry per block (null where the block's stage has no such term). */
  coefficients: { term: string; perBlock: ({ coef: number; se: number | null } | null)[] }[];
  blocks: { firstRaceId: number; lastRaceId: number; candidate: string | null }[];
  /**
   * candidate -> per block, its best-penalty CV log loss minus the market-only candidate's, with the
   * paired SE (training races of the block): 'members' vs 'market' is what the quant members add,
   * 'stack' vs 'members' what the four evidence groups add on top.
   */
  cv: { candidate: string; perBlock: ({ deltaVsReference: number; pairedSE: number } | null)[] }[];
  groups: DropEffect[];
  agents: (DropEffect & { ownLogLoss: number })[];
}

const GROUP_TERM: Record<LrGroup, string> = {
  formFitness: 'ln_lr_form',
  conditions: 'ln_lr_conditions',
  tactics: 'ln_lr_tactics',
  context: 'ln_lr_context',
};

const normalise = (xs: readonly number[]): number[] => {
  const z = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / z);
};

/** -ln p(winner), or null for a race without exactly one winner. */
const loss = (r: ReplayedRace, probs: readonly number[]): number | null =>
  raceLogLoss({ raceId: r.raceId, probs: [...probs], positions: r.positions });

function effect(name: string, before: number[], after: number[]): DropEffect {
  if (before.length < 2) return { name, races: before.length, deltaLogLoss: 0, pairedSE: 0 };
  const d = pairedDifference(after, before);
  return { name, races: d.n, deltaLogLoss: d.mean, pairedSE: d.se };
}

/** The final probabilities with one stage term taken out (exact for a softmax of linear terms). */
function dropTerm(final: readonly number[], values: readonly number[], coef: number): number[] {
  return normalise(final.map((p, i) => p * Math.exp(-coef * Math.log(Math.max(values[i] ?? 1, 1e-12)))));
}

export function contributions(blocks: readonly ContributionBlock[]): Contributions {
  const names = [...new Set(blocks.flatMap((b) => b.stage?.terms.map((t) => t.name) ?? []))];
  const coefficients = names.map((term) => ({
    term,
    perBlock: blocks.map((b) => {
      const t = b.stage?.terms.find((x) => x.name === term);
      return t ? { coef: t.coef, se: t.se ?? null } : null;
    }),
  }));

  // Dropped terms: each group's log-LR, the LR product (base stage) and the pooled quant score.
  const droppable: { name: string; term: string; values: (r: ReplayedRace) => number[] }[] = [
    ...LR_GROUPS.map((g) => ({
      name: g,
      term: GROUP_TERM[g],
      values: (r: ReplayedRace) => r.groupLr[g] ?? [],
    })),
    { name: 'LR product', term: 'ln_lr', values: (r: ReplayedRace) => r.qualLr },
    { name: 'quant (pooled)', term: 'ln_quant', values: (r: ReplayedRace) => r.quant },
  ];
  const groups = droppable
    .filter((d) => names.includes(d.term))
    .map((d) => {
      const before: number[] = [];
      const after: number[] = [];
      for (const b of blocks) {
        const coef = b.stage?.terms.find((t) => t.name === d.term)?.coef ?? 0;
        for (const r of b.races) {
          const l0 = loss(r, r.final);
          if (l0 === null) continue;
          before.push(l0);
          after.push(loss(r, dropTerm(r.final, d.values(r), coef)) ?? l0);
        }
      }
      return effect(`${d.name} (${d.term})`, before, after);
    });

  const races = blocks.flatMap((b) => b.races).filter((r) => winnerIndex({ ...r, probs: r.final }) !== null);
  const strategies = [...new Set(races.flatMap((r) => Object.keys(r.strategies)))].sort();
  const consensus = (r: ReplayedRace, without?: string): number[] => {
    const used = strategies.filter((s) => s !== without && r.strategies[s]);
    return normalise(r.fused.map((_, i) => used.reduce((a, s) => a + (r.strategies[s]![i] ?? 0), 0)));
  };
  const all = races.map((r) => loss(r, consensus(r)) as number);
  const agents = strategies.map((s) => {
    const own = races.filter((r) => r.strategies[s]);
    const ownLosses = own.map((r) => loss(r, normalise(r.strategies[s]!)) as number);
    return {
      ...effect(
        s,
        all,
        races.map((r) => loss(r, consensus(r, s)) as number),
      ),
      ownLogLoss: ownLosses.reduce((a, b) => a + b, 0) / Math.max(1, ownLosses.length),
    };
  });

  const candidates = [...new Set(blocks.flatMap((b) => b.stage?.cv?.map((r) => r.candidate) ?? []))];
  const cv = candidates.map((candidate) => ({
    candidate,
    perBlock: blocks.map((b) => {
      const rows = b.stage?.cv?.filter((r) => r.candidate === candidate) ?? [];
      if (rows.length === 0) return null;
      const best = rows.reduce((a, r) => (r.logLoss < a.logLoss ? r : a));
      return { deltaVsReference: best.deltaVsReference, pairedSE: best.pairedSE };
    }),
  }));

  return {
    coefficients,
    cv,
    blocks: blocks.map((b) => ({
      firstRaceId: b.firstRaceId,
      lastRaceId: b.lastRaceId,
      candidate: b.stage?.candidate ?? null,
    })),
    groups,
    agents,
  };
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

export function renderContributions(c: Contributions): string {
  const head = c.blocks.map((b) => `${b.firstRaceId}-${b.lastRaceId}`);
  const cell = (v: { coef: number; se: number | null } | null): string =>
    v === null ? '-' : `${v.coef.toFixed(3)}${v.se === null ? '' : ` (${v.se.toFixed(3)})`}`;
  const drop = (e: DropEffect): string =>
    `| ${e.name} | ${e.races} | ${signed(e.deltaLogLoss)} | ${e.pairedSE.toFixed(4)} |`;
  return [
    '## Contributions (walk-forward blocks)',
    '',
    "Each block's market stage: the candidate its time-blocked CV chose, and each term's coefficient " +
      '(SE) as fitted on the races before the block. A term missing from a block was left out by the CV.',
    '',
    `| term | ${head.join(' | ')} |`,
    `| --- | ${head.map(() => '---').join(' | ')} |`,
    `| (candidate) | ${c.blocks.map((b) => b.candidate ?? 'none').join(' | ')} |`,
    ...c.coefficients.map((t) => `| ${t.term} | ${t.perBlock.map(cell).join(' | ')} |`),
    '',
    "The stage's CV on each block's training races: each candidate's log loss per race (at its best " +
      "penalty) minus the market-only candidate's, with the paired SE; < 0 means the candidate beat the " +
      'market in CV. "members" adds the quant members to the market, "stack" the four evidence groups too.',
    '',
    `| candidate | ${head.join(' | ')} |`,
    `| --- | ${head.map(() => '---').join(' | ')} |`,
    ...c.cv.map(
      (r) =>
        `| ${r.candidate} | ${r.perBlock.map((v) => (v === null ? '-' : `${signed(v.deltaVsReference)} (${v.pairedSE.toFixed(4)})`)).join(' | ')} |`,
    ),
    '',
    'Dropping a term from the fitted stage (final probabilities, scored races): change in log loss per ' +
      'race; > 0 means the term helped.',
    '',
    '| dropped | races | Δ log loss | paired SE |',
    '| --- | --- | --- | --- |',
    ...(c.groups.length ? c.groups.map(drop) : ['| (no droppable term in any block) | - | - | - |']),
    '',
    'Dropping one agent from the equal-weight consensus of the fifteen strategies (before the market): ' +
      "change in log loss per race (> 0: the agent helped) and the agent's own log loss.",
    '',
    '| agent | races | Δ log loss | paired SE | own log loss |',
    '| --- | --- | --- | --- | --- |',
    ...c.agents.map((a) => `${drop(a)} ${a.ownLogLoss.toFixed(4)} |`),
    '',
  ].join('\n');
}
