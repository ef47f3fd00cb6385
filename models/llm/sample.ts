import path from 'node:path';
import { PROJECT_ROOT } from '../../config/env.js';

/** Where LLM calibrations live, one file per model and prompt version. */
export const LLM_MODELS_DIR = path.join(PROJECT_ROOT, 'models', 'llm');

/**
 * About `n` race ids spread evenly over [from, until): a local model answers a race in 15-20 s, so a
 * sample, not every training race, is what a fit or a backtest can afford.
 */
export function sampleEvery(from: number, until: number, n: number): (raceId: number) => boolean {
  const step = Math.max(1, Math.floor((until - from) / n));
  return (id) => id >= from && id < until && (until - 1 - id) % step === 0;
}
