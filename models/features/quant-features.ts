import type { PastRun, RunnerHistory } from '../../schemas/history.js';
import { activeRunners, type RaceCard, type Runner } from '../../schemas/race-card.js';
import { FEATURE_NAMES, FEATURE_VERSION, type FeatureName } from './definitions.js';

export interface QuantFeatures {
  names: string[];
  /** One row per active runner, in card order. */
  rows: Float32Array[];
  version: string;
}

const DEFAULT_SPEED = -1.5;
const DAY_MS = 86_400_000;

/** Seconds per km behind the winner, negated so that higher is better; null without both times. */
function runSpeed(run: PastRun): number | null {
  if (run.finishTimeS === null || run.winnerTimeS === null || run.distanceM <= 0) return null;
  const behindPerKm = (run.finishTimeS - run.winnerTimeS) / (run.distanceM / 1000);
  return -Math.min(6, Math.max(0, behindPerKm));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const classNumber = (c: string): number | null => (/^\d+$/.test(c) ? Number(c) : null);

function runnerFeatures(card: RaceCard, runner: Runner, history: RunnerHistory | undefined, field: FieldStats): Record<FeatureName, number> {
  const runs = history?.runs ?? [];
  const last = runs[0];
  const speeds = runs
    .map(runSpeed)
    .filter((s): s is number => s !== null)
    .slice(0, 4);
  const lengths = runs.slice(0, 3).map((r) => Math.min(30, r.lengthsBehind ?? 30));
  const decayWeights = runs.slice(0, 6).map((_, k) => 0.7 ** k);
  const decayed = runs.slice(0, 6).reduce((a, r, k) => a + (decayWeights[k] as number) * Math.min(30, r.lengthsBehind ?? 30), 0);
  const rating = runner.rating ?? 60;
  const days = last ? Math.max(0, (Date.parse(card.meeting.date) - Date.parse(last.date)) / DAY_MS) : 0;
  const lastClass = last ? classNumber(last.raceClass) : null;
  const thisClass = classNumber(card.raceClass);
  const bodyChange = runner.declaredWeight !== undefined && last?.declaredWeight != null ? runner.declaredWeight - last.declaredWeight : null;
  const wins = runs.filter((r) => r.won).length;
  const places = runs.filter((r) => r.position !== null && r.position <= 3).length;
  const drawRel = field.drawSpan > 0 ? (runner.draw - 1) / field.drawSpan : 0;

  return {
    speed_last: speeds[0] ?? DEFAULT_SPEED,
    speed_best4: speeds.length > 0 ? Math.max(...speeds) : DEFAULT_SPEED,
    speed_mean4: speeds.length > 0 ? mean(speeds) : DEFAULT_SPEED,
    speed_missing: speeds.length === 0 ? 1 : 0,
    lengths_behind_mean3: lengths.length > 0 ? mean(lengths) : 8,
    rating,
    rating_missing: runner.rating === undefined ? 1 : 0,
    rating_z_in_race: (rating - field.ratingMean) / Math.max(1, field.ratingSd),
    rating_change: runner.rating !== undefined && last?.rating != null ? runner.rating - last.rating : 0,
    class_drop: lastClass !== null && thisClass !== null ? lastClass - thisClass : 0,
    weight_carried: runner.actualWeight,
    declared_weight: runner.declaredWeight ?? 1100,
    declared_weight_change: bodyChange ?? 0,
    declared_weight_change_missing: bodyChange === null ? 1 : 0,
    draw_rel: drawRel,
    draw_rel_sprint: card.distanceM <= 1200 ? drawRel : 0,
    age: runner.age ?? 4,
    log_days_since: Math.log1p(days),
    long_break: days > 90 ? 1 : 0,
    log_runs: Math.log1p(Math.min(20, runs.length)),
    win_rate_shrunk: (wins + 5 * 0.08) / (runs.length + 5),
    place_rate_shrunk: (places + 5 * 0.25) / (runs.length + 5),
    no_history: runs.length === 0 ? 1 : 0,
    lengths_behind_decayed6: decayWeights.length > 0 ? decayed / decayWeights.reduce((a, b) => a + b, 0) : 8,
    // Filled in by withinRaceZ once the whole field is known.
    speed_best4_z_in_race: 0,
    speed_mean4_z_in_race: 0,
    lengths_behind_mean3_z_in_race: 0,
    place_rate_z_in_race: 0,
    weight_carried_z_in_race: 0,
  };
}

function withinRaceZ(values: Record<FeatureName, number>[], from: FeatureName, to: FeatureName, sdFloor: number): void {
  const xs = values.map((v) => v[from]);
  const m = mean(xs);
  const sd = Math.max(sdFloor, Math.sqrt(mean(xs.map((x) => (x - m) ** 2))));
  for (const v of values) v[to] = (v[from] - m) / sd;
}

interface FieldStats {
  ratingMean: number;
  ratingSd: number;
  drawSpan: number;
}

function fieldStats(runners: Runner[]): FieldStats {
  const ratings = runners.map((r) => r.rating ?? 60);
  const m = mean(ratings);
  const sd = Math.sqrt(mean(ratings.map((x) => (x - m) ** 2)));
  const maxDraw = Math.max(...runners.map((r) => r.draw));
  return { ratingMean: m, ratingSd: sd, drawSpan: Math.max(runners.length, maxDraw) - 1 };
}

/**
 * The one quantitative feature builder, used by training and serving alike. Pure: it reads only the
 * card and the histories (which must hold earlier races only) and never the market odds.
 */
export function buildQuantFeatures(card: RaceCard, histories: Map<string, RunnerHistory>): QuantFeatures {
  const runners = activeRunners(card);
  const field = fieldStats(runners);
  const values = runners.map((runner) => runnerFeatures(card, runner, histories.get(runner.horseId), field));
  // The conditional logit sees only differences within a race; z-scores add the field's spread.
  withinRaceZ(values, 'speed_best4', 'speed_best4_z_in_race', 0.1);
  withinRaceZ(values, 'speed_mean4', 'speed_mean4_z_in_race', 0.1);
  withinRaceZ(values, 'lengths_behind_mean3', 'lengths_behind_mean3_z_in_race', 0.5);
  withinRaceZ(values, 'place_rate_shrunk', 'place_rate_z_in_race', 0.02);
  withinRaceZ(values, 'weight_carried', 'weight_carried_z_in_race', 1);
  const rows = values.map((v) => Float32Array.from(FEATURE_NAMES, (name) => v[name]));
  return { names: [...FEATURE_NAMES], rows, version: FEATURE_VERSION };
}
