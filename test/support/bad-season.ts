import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small Kaggle-format season: 14 races of 6 runners on 7 days, three of them broken in different ways:
 * race 4 an impossible weight, race 11 a malformed odds cell (runs.csv:64), race 12
 * two runners with one program number.
 */
export function seasonWithBadRaces(): string {
  const dir = mkdtempSync(join(tmpdir(), 'season-'));
  const races = ['race_id,date,venue,race_no,config,surface,distance,going,horse_ratings,prize,race_class'];
  const runs = [
    'race_id,horse_no,horse_id,result,won,lengths_behind,horse_age,horse_rating,horse_gear,declared_weight,actual_weight,draw,position_sec1,position_sec2,position_sec3,position_sec4,position_sec5,position_sec6,finish_time,win_odds,place_odds,trainer_id,jockey_id',
  ];
  for (let race = 1; race <= 14; race++) {
    const day = String(1 + Math.floor((race - 1) / 2)).padStart(2, '0');
    races.push(`${race},2026-03-${day},ST,${((race - 1) % 2) + 1},A,0,1200,GOOD,60-40,1000000,4`);
    for (let no = 1; no <= 6; no++) {
      const pos = ((no + race) % 6) + 1;
      const horse = ((race * 3 + no) % 18) + 1;
      let weight = String(118 + no);
      let odds = String(2 + no * 1.5);
      let horseNo = String(no);
      if (race === 4 && no === 2) weight = '300'; // history period: an impossible weight
      if (race === 11 && no === 3) odds = 'abc'; // test period: a malformed cell
      if (race === 12 && no === 5) horseNo = '4'; // test period: two runners with one program number
      runs.push(
        `${race},${horseNo},${horse},${pos},${pos === 1 ? 1 : 0},${pos - 1},4,60,--,1100,${weight},${no},${pos},${pos},,,,,${70 + pos},${odds},,${no},${(horse % 5) + 1}`,
      );
    }
  }
  writeFileSync(join(dir, 'races.csv'), `${races.join('\n')}\n`);
  writeFileSync(join(dir, 'runs.csv'), `${runs.join('\n')}\n`);
  return dir;
}
