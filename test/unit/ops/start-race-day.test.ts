import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { InvalidInput } from '../../../client/errors.js';
import { startRaceDay } from '../../../client/ops.js';
import type { RaceDayInput } from '../../../schemas/ops.js';
import type { RaceCard } from '../../../schemas/race-card.js';

const good = JSON.parse(readFileSync('test/fixtures/good-card.json', 'utf8')) as RaceCard;
const card = (raceId: string, raceNo: number): RaceCard => ({ ...good, raceId, raceNo });

/** Records what would reach Temporal; the client's own checks are what is under test. */
function recordingClient() {
  const sent: RaceDayInput[] = [];
  const temporal = {
    workflow: {
      async signalWithStart(_type: string, o: { args: [RaceDayInput] }) {
        sent.push(o.args[0]);
        return { signaledRunId: 'run-1' };
      },
    },
  } as unknown as Client;
  return { temporal, sent };
}

describe('client startRaceDay: one bad card does not stop the meeting', () => {
  test('starts the good cards and reports each bad one by race id and reason', async () => {
    const { temporal, sent } = recordingClient();
    const noPost: Partial<RaceCard> = { ...card('R2', 2) };
    delete noPost.postTime;
    const day = {
      meeting: good.meeting,
      races: [
        card('R1', 1),
        { ...card('R3', 3), distanceM: -5 },
        noPost,
        card('R4', 4),
        { ...card('R5', 5), meeting: { ...good.meeting, date: '2026-05-07' } },
      ],
    };
    const started = await startRaceDay(temporal, 'q', day);
    assert.equal(started.runId, 'run-1');
    assert.deepEqual(
      sent[0]!.day.races.map((r) => r.raceId),
      ['R1', 'R4'],
    );
    assert.deepEqual(
      started.skipped.map((s) => s.raceId),
      ['R3', 'R2', 'R5'],
    );
    assert.match(started.skipped[0]!.reason, /distanceM/);
    assert.match(started.skipped[1]!.reason, /postTime/);
    assert.match(started.skipped[2]!.reason, /another meeting/);
  });

  test('a day without one good card is refused with every reason, and nothing is started', async () => {
    const { temporal, sent } = recordingClient();
    const day = { meeting: good.meeting, races: [{ ...card('R3', 3), distanceM: -5 }] };
    await assert.rejects(startRaceDay(temporal, 'q', day), (err: unknown) => {
      assert.ok(err instanceof InvalidInput);
      assert.equal(err.type, 'InvalidRaceDay');
      assert.match(err.message, /skipped race R3 .*distanceM/);
      return true;
    });
    assert.equal(sent.length, 0);
  });
});
