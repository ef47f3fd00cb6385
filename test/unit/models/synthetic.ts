import { RaceCardSchema, type RaceCard } from '../../../schemas/race-card.js';
import type { HkRace } from '../../../models/hk/types.js';

/**
 * A small deterministic season: 8 horses, 6 per race, rotating, with results that depend only on
 * the race index. Enough for every feature and evidence branch without the real data.
 */
export function syntheticCard(
  i: number,
  horses: number[] = [0, 1, 2, 3, 4, 5].map((k) => (i + k) % 8),
): RaceCard {
  const day = new Date(Date.UTC(2020, 0, 1 + 7 * Math.floor(i / 2))).toISOString().slice(0, 10);
  return RaceCardSchema.parse({
    raceId: `syn-${i}`,
    meeting: { venue: i % 3 === 0 ? 'HV' : 'ST', date: day },
    raceNo: (i % 2) + 1,
    distanceM: [1000, 1200, 1650, 1800][i % 4],
    surface: i % 5 === 0 ? 'dirt' : 'turf',
    going: ['GOOD', 'GOOD TO FIRM', 'YIELDING', 'WET SLOW'][i % 4],
    raceClass: String(1 + (i % 5)),
    runners: horses.map((h, k) => ({
      horseId: `h${h}`,
      horseNo: k + 1,
      draw: ((k + i) % 6) + 1,
      actualWeight: 115 + ((h * 3 + i) % 18),
      declaredWeight: 1000 + h * 10 + (i % 7),
      rating: 40 + h * 3,
      age: 3 + (h % 4),
      jockeyId: `j${(h + i) % 4}`,
      trainerId: `t${h % 3}`,
      gear: i % 4 === 0 && h === 2 ? 'B' : undefined,
      marketWinOdds: 2 + k * 1.5,
    })),
  });
}

export function syntheticRace(i: number): HkRace {
  const card = syntheticCard(i);
  const ids = card.runners.map((r) => r.horseId);
  const order = [...ids].sort(
    (a, b) => ((Number(a.slice(1)) * 7 + i) % 8) - ((Number(b.slice(1)) * 7 + i) % 8),
  );
  const winnerTime = 60 + card.distanceM / 20;
  return {
    raceNumericId: i,
    card,
    outcome: {
      finishOrder: order,
      winners: [order[0] as string],
      winnerTimeS: winnerTime,
      results: order.map((horseId, pos) => ({
        horseId,
        position: pos + 1,
        won: pos === 0,
        lengthsBehind: pos * 1.25,
        finishTimeS: winnerTime + pos * 0.2,
        positionCalls: [((pos + i) % 6) + 1, pos + 1],
        sectionalTimesS: [24 + pos * 0.1, winnerTime - 24 + pos * 0.1],
      })),
    },
  };
}

/** The same race with its result turned upside down (winner last, slower times, other running positions). */
export function reverseResult(race: HkRace): HkRace {
  const reversed = [...race.outcome.finishOrder].reverse();
  return {
    ...race,
    outcome: {
      ...race.outcome,
      finishOrder: reversed,
      winners: [reversed[0] as string],
      results: race.outcome.results.map((r) => {
        const pos = reversed.indexOf(r.horseId) + 1;
        return {
          ...r,
          position: pos,
          won: pos === 1,
          lengthsBehind: (pos - 1) * 3,
          finishTimeS: (r.finishTimeS ?? 80) + pos,
          positionCalls: [pos],
          sectionalTimesS: [30 + pos],
        };
      }),
    },
  };
}
