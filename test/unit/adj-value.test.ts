import { describe, expect, it } from 'vitest';
import { legacyOomAdjToScoreAdj, parseAdjValue } from '../../src/kernel/adj-value.js';
import { UsageError } from '../../src/errors.js';

describe('parseAdjValue', () => {
  it.each([
    ['0', 0], ['-15', -15], ['15', 15], ['+5', 5], ['-1000', -1000], ['1000', 1000], ['-0', 0], ['-999', -999],
  ])('accepts %s', (text, value) => {
    expect(parseAdjValue(text)).toBe(value);
  });

  it.each([
    // the kernel (kstrtoint base 0) would read 010 as 8 and 0x64 as 100
    ['010', /leading zero/], ['-010', /leading zero/], ['0x64', /decimal/], ['1.5', /decimal/], ['1e3', /decimal/],
    ['1001', /from -1000 to 1000/], ['-1001', /from -1000 to 1000/], ['', /decimal/], ['abc', /decimal/],
    [' 5', /decimal/], ['5 ', /decimal/], ['--5', /decimal/], ['99999999999999999999', /from -1000 to 1000/],
  ])('rejects %j with a usage error', (text, message) => {
    expect(() => parseAdjValue(text)).toThrow(UsageError);
    expect(() => parseAdjValue(text)).toThrow(message);
  });
});

describe('legacyOomAdjToScoreAdj (fs/proc/base.c oom_adj_write())', () => {
  it.each([
    [-17, -1000], [-16, -941], [-15, -882], [-1, -58], [0, 0], [1, 58], [14, 823], [15, 1000],
  ])('oom_adj %i -> oom_score_adj %i', (legacy, adj) => {
    expect(legacyOomAdjToScoreAdj(legacy)).toBe(adj);
  });
});
