import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { RunnerHistory } from '../../schemas/history.js';
import type { QuantOutput } from '../../schemas/quant.js';
import { QuantOutputSchema } from '../../schemas/quant.js';
import { activeRunners, placesPaidFor, type RaceCard } from '../../schemas/race-card.js';
import { FEATURE_VERSION } from '../features/definitions.js';
import { SpeedParsSchema, type SpeedPars } from '../features/pars.js';
import { buildQuantFeatures } from '../features/quant-features.js';
import { assembleQuantRunners } from './assemble.js';
import { calibrationGroupFor } from './calibration-group.js';
import {
  CurrentModelPointerSchema,
  QuantModelError,
  loadQuantMetadata,
  readJsonWith,
  type QuantMember,
  type QuantModelMetadata,
} from './metadata.js';

const QUANT_DIR = dirname(fileURLToPath(import.meta.url));

/** The metadata file that models/quant/current.json points at (written by cli/train.ts). */
export function defaultQuantMetadataPath(): string {
  const pointer = readJsonWith(
    join(QUANT_DIR, 'current.json'),
    CurrentModelPointerSchema,
    'quant model pointer',
  );
  return join(QUANT_DIR, pointer.metadataFile);
}

/** Raw scores per member plus the log-linear pool: pooled_i = sum_k weight_k * score_k,i. */
export interface EnsembleScores {
  members: Record<string, Float32Array>;
  pooled: Float64Array;
}

/**
 * Scores races with one ONNX session per ensemble member, created once in `load` and reused: sessions
 * are expensive and onnxruntime allows concurrent `run` calls on one session.
 */
export class QuantScorer {
  private constructor(
    private readonly sessions: { member: QuantMember; session: ort.InferenceSession }[],
    readonly meta: QuantModelMetadata,
    readonly pars: SpeedPars,
  ) {}

  static async load(metadataPath: string = defaultQuantMetadataPath()): Promise<QuantScorer> {
    const meta = loadQuantMetadata(metadataPath);
    if (meta.featureVersion !== FEATURE_VERSION)
      throw new QuantModelError(
        `model ${meta.modelVersion} was trained on features ${meta.featureVersion}, the builder is ${FEATURE_VERSION}`,
      );
    const dir = dirname(metadataPath);
    const pars = readJsonWith(join(dir, meta.parsFile), SpeedParsSchema, 'speed pars');
    const sessions = await Promise.all(
      meta.members.map(async (member) => ({
        member,
        session: await ort.InferenceSession.create(join(dir, member.onnxFile)),
      })),
    );
    return new QuantScorer(sessions, meta, pars);
  }

  get modelVersion(): string {
    return this.meta.modelVersion;
  }

  /** Every member's raw scores (one per row) straight from its ONNX graph, and the pooled score. */
  async scoreRows(rows: Float32Array[]): Promise<EnsembleScores> {
    const f = this.meta.featureNames.length;
    const data = new Float32Array(rows.length * f);
    rows.forEach((row, i) => {
      if (row.length !== f)
        throw new QuantModelError(`feature row ${i} has ${row.length} values, the model expects ${f}`);
      data.set(row, i * f);
    });
    const members: Record<string, Float32Array> = {};
    const pooled = new Float64Array(rows.length);
    for (const { member, session } of this.sessions) {
      const out = await session.run({ [member.input]: new ort.Tensor('float32', data, [rows.length, f]) });
      const score = out[member.output];
      if (!score) throw new QuantModelError(`member ${member.name}: output ${member.output} missing`);
      const values = score.data as Float32Array;
      members[member.name] = values;
      const w = this.meta.pool.weights[member.name] ?? 0;
      values.forEach((v, i) => (pooled[i] = (pooled[i] as number) + w * v));
    }
    return { members, pooled };
  }

  /**
   * A full QuantOutput for the card's active runners (card order). timingsMs.history is 0: the scorer
   * receives histories ready-made, so the calling activity fills in its own load time.
   */
  async score(card: RaceCard, histories: Map<string, RunnerHistory>): Promise<QuantOutput> {
    const t0 = performance.now();
    const features = buildQuantFeatures(card, histories, this.pars);
    const t1 = performance.now();
    const scores = await this.scoreRows(features.rows);
    const placesPaid = placesPaidFor(card);
    const runners = assembleQuantRunners(
      activeRunners(card).map((r) => r.horseId),
      features.rows,
      scores.pooled,
      this.meta,
      placesPaid,
      scores.members,
    );
    const t2 = performance.now();
    return QuantOutputSchema.parse({
      raceId: card.raceId,
      placesPaid,
      runners,
      modelVersion: this.meta.modelVersion,
      featureVersion: features.version,
      calibrationGroup: calibrationGroupFor(card),
      timingsMs: { history: 0, features: t1 - t0, inference: t2 - t1 },
    });
  }

  async release(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.session.release()));
  }
}
