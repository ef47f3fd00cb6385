import type { PastRun, PersonForm, RunnerHistory } from '../../schemas/history.js';
import { activeRunners, type RaceCard, type Runner } from '../../schemas/race-card.js';
import type { FactorName } from './factors.js';

/** Counts behind the matrix adjustments and the confidence; bins alone lose them. */
export interface EvidenceFacts {
  runs: number;
  placesAll: number;
  runsAtDistance: number;
  placesAtDistance: number;
  runsOnGoing: number;
  placesOnGoing: number;
  comboRides: number;
  comboWins: number;
  jockeyRides: number;
}

export interface RunnerEvidence {
  horseId: string;
  bins: Record<FactorName, string>;
  facts: EvidenceFacts;
}

const DAY_MS = 86_400_000;
const placed = (r: PastRun): boolean => r.position !== null && r.position <= 3;
const classNumber = (c: string): number | null => (/^\d+$/.test(c) ? Number(c) : null);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Going text varies by surface and era; four groups keep the record tables dense. */
export function goingGroup(going: string): string {
  const g = going.toUpperCase();
  if (/SOFT|HEAVY|SLOW/.test(g)) return 'soft';
  if (g.includes('YIELDING')) return 'yielding';
  if (/FIRM|FAST/.test(g)) return 'firm';
  return 'good';
}

function recordBin(runs: PastRun[]): string {
  if (runs.length === 0) return 'untried';
  if (runs.some((r) => r.won)) return 'won';
  return runs.some(placed) ? 'placed' : 'tried-unplaced';
}

const finishPct = (r: PastRun): number | null =>
  r.position === null
    ? null
    : r.fieldSize > 1
      ? (Math.min(r.position, r.fieldSize) - 1) / (r.fieldSize - 1)
      : 0;

/** Early position over the last 3 runs with sectional calls: 0 = led, 1 = last. */
function earlyPosition(runs: PastRun[]): number | null {
  const calls = runs
    .filter((r) => r.positionCalls.length > 0 && r.fieldSize > 1)
    .slice(0, 3)
    .map((r) => (Math.min(r.positionCalls[0] as number, r.fieldSize) - 1) / (r.fieldSize - 1));
  return calls.length > 0 ? mean(calls) : null;
}

function styleBin(early: number | null): string {
  if (early === null) return 'unknown';
  if (early <= 0.15) return 'leader';
  if (early <= 0.35) return 'prominent';
  if (early <= 0.65) return 'midfield';
  return 'closer';
}

function formBin(form: PersonForm, buckets: number[]): string {
  const rate = (form.wins + 20 * 0.08) / (form.rides + 20);
  const i = buckets.findIndex((b) => rate < b);
  return i === -1 ? `>=${buckets[buckets.length - 1]}` : `<${buckets[i]}`;
}

function runnerEvidence(
  card: RaceCard,
  runner: Runner,
  h: RunnerHistory | undefined,
  leaders: number,
  drawSpan: number,
): RunnerEvidence {
  const runs = h?.runs ?? [];
  const last = runs[0];
  const pcts = runs
    .slice(0, 3)
    .map(finishPct)
    .filter((p): p is number => p !== null);
  const avgPct = pcts.length > 0 ? mean(pcts) : null;
  const days = last ? (Date.parse(card.meeting.date) - Date.parse(last.date)) / DAY_MS : null;
  const atDistance = runs.filter(
    (r) => r.surface === card.surface && Math.abs(r.distanceM - card.distanceM) <= 200,
  );
  const going = goingGroup(card.going);
  const onGoing = runs.filter((r) => goingGroup(r.going) === going);
  const style = styleBin(earlyPosition(runs));
  const third = drawSpan > 0 ? Math.min(2, Math.floor((3 * (runner.draw - 1)) / (drawSpan + 1))) : 0;
  const lastClass = last ? classNumber(last.raceClass) : null;
  const thisClass = classNumber(card.raceClass);
  const weightDelta = last ? runner.actualWeight - last.actualWeight : null;
  const otherLeaders = style === 'leader' ? leaders - 1 : leaders;

  const bins: Record<FactorName, string> = {
    recentForm:
      avgPct === null
        ? 'none'
        : avgPct <= 0.2
          ? 'top'
          : avgPct <= 0.4
            ? 'good'
            : avgPct <= 0.7
              ? 'mid'
              : 'poor',
    lastRun:
      !last || last.position === null
        ? 'none'
        : last.won
          ? 'won'
          : last.position <= 3
            ? 'placed'
            : last.position <= 5
              ? 'close'
              : 'beaten',
    freshness:
      days === null ? 'debut' : days <= 21 ? '<=21d' : days <= 42 ? '22-42d' : days <= 90 ? '43-90d' : '>90d',
    distanceRecord: recordBin(atDistance),
    goingRecord: recordBin(onGoing),
    surfaceRecord: recordBin(runs.filter((r) => r.surface === card.surface)),
    venueRecord: recordBin(runs.filter((r) => r.venue === card.meeting.venue)),
    distanceMove: !last
      ? 'none'
      : card.distanceM - last.distanceM < -150
        ? 'shorter'
        : card.distanceM - last.distanceM > 150
          ? 'longer'
          : 'same',
    drawPosition: `${['inside', 'middle', 'outside'][third]}-${card.distanceM <= 1400 ? 'sprint' : 'route'}-${card.meeting.venue}`,
    runningStyle: style,
    paceFit:
      style === 'unknown'
        ? 'unknown'
        : style === 'leader'
          ? otherLeaders === 0
            ? 'lone-leader'
            : 'contested-lead'
          : otherLeaders >= 3 && style === 'closer'
            ? 'closer-with-pace'
            : 'other',
    jockeyForm: formBin(h?.jockey ?? { rides: 0, wins: 0, places: 0 }, [0.06, 0.09, 0.13]),
    trainerForm: formBin(h?.trainer ?? { rides: 0, wins: 0, places: 0 }, [0.07, 0.1]),
    classMove:
      lastClass === null || thisClass === null
        ? 'none'
        : thisClass > lastClass
          ? 'down'
          : thisClass < lastClass
            ? 'up'
            : 'same',
    weightChange:
      weightDelta === null ? 'none' : weightDelta <= -5 ? 'down5+' : weightDelta >= 5 ? 'up5+' : 'similar',
    gearChange: !last ? 'none' : (last.gear ?? '') === (runner.gear ?? '') ? 'same' : 'changed',
  };
  return {
    horseId: runner.horseId,
    bins,
    facts: {
      runs: runs.length,
      placesAll: runs.filter(placed).length,
      runsAtDistance: atDistance.length,
      placesAtDistance: atDistance.filter(placed).length,
      runsOnGoing: onGoing.length,
      placesOnGoing: onGoing.filter(placed).length,
      comboRides: h?.jockeyTrainer?.rides ?? 0,
      comboWins: h?.jockeyTrainer?.wins ?? 0,
      jockeyRides: h?.jockey.rides ?? 0,
    },
  };
}

/** Bins every active runner's evidence, in card order. Pure; histories must hold earlier races only. */
export function extractEvidence(card: RaceCard, histories: Map<string, RunnerHistory>): RunnerEvidence[] {
  const runners = activeRunners(card);
  const leaders = runners.filter(
    (r) => styleBin(earlyPosition(histories.get(r.horseId)?.runs ?? [])) === 'leader',
  ).length;
  const drawSpan = Math.max(runners.length, ...runners.map((r) => r.draw)) - 1;
  return runners.map((r) => runnerEvidence(card, r, histories.get(r.horseId), leaders, drawSpan));
}
