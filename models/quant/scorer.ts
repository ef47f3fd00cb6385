import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { RunnerHistory } from '../../schemas/history.js';
import type { QuantOutput } from '../../schemas/quant.js';
import { QuantOutputSchema } from '../../schemas/quant.js';
import { activeRunners, placesPaidFor, type RaceCard } from '../../schemas/race-card.js';
import { buildQuantFeatures } from '../features/quant-features.js';
import { FEATURE_VERSION } from '../features/definitions.js';
import { assembleQuantRunners } from './assemble.js';
import { calibrationGroupFor } from './calibration-group.js';
import { CurrentModelPointerSchema, QuantModelError, loadQuantMetadata, readJsonWith, type QuantModelMetadata } from './metadata.js';

const QUANT_DIR = dirname(fileURLToPath(import.meta.url));

/** The metadata file that models/quant/current.json points at (written by cli/train.ts). */
export function defaultQuantMetadataPath(): string {
  const pointer = readJsonWith(join(QUANT_DIR, 'current.json'), CurrentModelPointerSchema, 'quant model pointer');
  return join(QUANT_DIR, pointer.metadataFile);
}

/**
 * Scores races with one ONNX session, created once in `load` and reused: sessions are expensive and
 * onnxruntime allows concurrent `run` calls on one session.
 */
export class QuantScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly meta: QuantModelMetadata,
  ) {}

  static async load(metadataPath: string = defaultQuantMetadataPath()): Promise<QuantScorer> {
    const meta = loadQuantMetadata(metadataPath);
    if (meta.featureVersion !== FEATURE_VERSION)
      throw new QuantModelError(`model ${meta.modelVersion} was trained on features ${meta.featureVersion}, the builder is ${FEATURE_VERSION}`);
    const session = await ort.InferenceSession.create(join(dirname(metadataPath), meta.onnxFile));
    return new QuantScorer(session, meta);
  }

  get modelVersion(): string {
    return this.meta.modelVersion;
  }

  /** Raw linear scores (one per row) straight from the ONNX graph. */
  async scoreRows(rows: Float32Array[]): Promise<Float32Array> {
    const f = this.meta.featureNames.length;
    const data = new Float32Array(rows.length * f);
    rows.forEach((row, i) => {
      if (row.length !== f) throw new QuantModelError(`feature row ${i} has ${row.length} values, the model expects ${f}`);
      data.set(row, i * f);
    });
    const out = await this.session.run({ [this.meta.input]: new ort.Tensor('float32', data, [rows.length, f]) });
    const score = out[this.meta.output];
    if (!score) throw new QuantModelError(`model output ${this.meta.output} missing`);
    return score.data as Float32Array;
  }

  /**
   * A full QuantOutput for the card's active runners (card order). timingsMs.history is 0: the scorer
   * receives histories ready-made, so the calling activity fills in its own load time.
   */
  async score(card: RaceCard, histories: Map<string, RunnerHistory>): Promise<QuantOutput> {
    const t0 = performance.now();
    const features = buildQuantFeatures(card, histories);
    const t1 = performance.now();
    const scores = await this.scoreRows(features.rows);
    const placesPaid = placesPaidFor(card);
    const runners = assembleQuantRunners(
      activeRunners(card).map((r) => r.horseId),
      features.rows,
      scores,
      this.meta,
      placesPaid,
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
    await this.session.release();
  }
}
