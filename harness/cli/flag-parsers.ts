import { InvalidArgumentError } from 'commander';

/** Commander option parsers shared by the commands: each rejects bad input with what it expected. */

/** Number() reads '' and ' ' as 0: a blank flag value is no number. */
const toNumber = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));

export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = toNumber(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function nonNegative(value: string): number {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

export function positive(value: string): number {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** An integer >= 0 with no upper bound (seeds, counts). */
export function count(value: string): number {
  const n = toNumber(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected an integer >= 0, got "${value}"`);
  return n;
}
