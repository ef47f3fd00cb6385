import { InvalidArgumentError } from 'commander';

/** Commander parser for options that take a whole number above zero; anything else is refused by name. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
