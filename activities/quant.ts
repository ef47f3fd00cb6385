import { ApplicationFailure } from '@temporalio/activity';
import { createHistoryLoader } from './history-loader.js';
import { ERROR_TYPES } from '../schemas/constants.js';
import { QuantOutputSchema, type QuantOutput } from '../schemas/quant.js';
import { RaceCardSchema, type RaceCard } from '../schemas/race-card.js';
import type { ActivityDeps, Histories } from './ports.js';

export function createQuantActivities(
  { db, quantModel }: Pick<ActivityDeps, 'db' | 'quantModel'>,
  histories: (card: RaceCard) => Promise<Histories> = createHistoryLoader(db),
) {
  return {
    /** Base win/place probabilities from the ONNX ensemble over features built from the history store. */
    async quantAnalysis(card: RaceCard): Promise<QuantOutput> {
      const parsed = RaceCardSchema.parse(card);
      const t0 = performance.now();
      const loaded = await histories(parsed);
      const historyMs = performance.now() - t0;
      const output = await quantModel.score(parsed, loaded);
      const checked = QuantOutputSchema.safeParse({
        ...output,
        timingsMs: { ...output.timingsMs, history: historyMs },
      });
      if (!checked.success) {
        // A model that produces invalid probabilities will do so again: fail without retrying.
        throw ApplicationFailure.nonRetryable(
          `quant model output is invalid: ${checked.error.message}`,
          ERROR_TYPES.invalidModelOutput,
        );
      }
      return checked.data;
    },
  };
}
