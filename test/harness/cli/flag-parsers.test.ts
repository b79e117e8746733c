import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { count, integer, nonNegative, positive } from '../../../harness/cli/flag-parsers.ts';

describe('CLI flag parsers', () => {
  it('integer accepts whole numbers inside its bounds and rejects the rest with the bounds named', () => {
    const port = integer(0, 65_535);
    expect(port('0')).toBe(0);
    expect(port('65535')).toBe(65_535);
    for (const bad of ['65536', '-1', '1.5', 'abc', ''])
      expect(() => port(bad)).toThrow(InvalidArgumentError);
    expect(() => port('70000')).toThrow('expected an integer from 0 to 65535, got "70000"');
  });

  it('nonNegative accepts zero and fractions but not negatives or non-numbers', () => {
    expect(nonNegative('0')).toBe(0);
    expect(nonNegative('2.5')).toBe(2.5);
    expect(() => nonNegative('-0.1')).toThrow('expected a number >= 0, got "-0.1"');
    expect(() => nonNegative('Infinity')).toThrow(InvalidArgumentError);
  });

  it('positive rejects zero', () => {
    expect(positive('0.8')).toBe(0.8);
    expect(() => positive('0')).toThrow('expected a number > 0, got "0"');
  });

  it('count accepts any whole number >= 0 and rejects fractions', () => {
    expect(count('0')).toBe(0);
    expect(count('123456789012')).toBe(123_456_789_012);
    expect(() => count('2.5')).toThrow('expected an integer >= 0, got "2.5"');
    expect(() => count('-3')).toThrow(InvalidArgumentError);
  });
});
