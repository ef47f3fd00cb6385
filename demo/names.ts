import type { Rng } from './prng.js';

// Consonant-vowel syllables read aloud easily (plain a and o listed twice to favour them); the HK data
// carries no names, so these are invented.
const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'ch',
  'sh',
  'br',
  'gr',
  'st',
  'tr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'o', 'ai', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'x'];
// Real HK names often pair an invented word with an auspicious English one.
const WORDS = [
  'Star',
  'Fortune',
  'Dragon',
  'Glory',
  'Spirit',
  'Warrior',
  'Dream',
  'Jade',
  'Lucky',
  'Golden',
  'Express',
  'Power',
  'King',
  'Joy',
  'Rocket',
  'Harmony',
];

function word(rng: Rng, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += rng.pick(ONSETS) + rng.pick(VOWELS);
  w += rng.pick(CODAS);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function horseName(rng: Rng): string {
  const first = word(rng, rng.int(2, 3));
  if (rng.chance(0.3)) return first;
  return rng.chance(0.5) ? `${first} ${rng.pick(WORDS)}` : `${rng.pick(WORDS)} ${first}`;
}

/** `count` distinct pronounceable horse names. */
export function horseNames(rng: Rng, count: number): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(horseName(rng));
  return [...seen];
}
