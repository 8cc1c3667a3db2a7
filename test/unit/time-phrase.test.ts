import { describe, expect, it } from 'vitest';
import { parseTimePhrase } from '../../src/parse/time-phrase.js';

const NOW = new Date(2026, 10, 25, 23, 0, 0).getTime();

describe('parseTimePhrase', () => {
  it.each([
    ['now', NOW],
    ['2 hours ago', NOW - 2 * 3600e3],
    ['90 min ago', NOW - 90 * 60e3],
    ['-3d', NOW - 3 * 86400e3],
    ['1 week ago', NOW - 604800e3],
    ['today', new Date(2026, 10, 25).getTime()],
    ['yesterday', new Date(2026, 10, 24).getTime()],
    ['2026-11-20', new Date(2026, 10, 20).getTime()],
    ['2026-11-20 14:30', new Date(2026, 10, 20, 14, 30).getTime()],
    ['2026-11-20T14:30:05', new Date(2026, 10, 20, 14, 30, 5).getTime()],
    ['2026-11-20T14:30:05Z', Date.UTC(2026, 10, 20, 14, 30, 5)],
    ['@1764000000', 1764000000000],
    ['14:30', new Date(2026, 10, 25, 14, 30).getTime()],
  ])('%s', (text, want) => {
    expect(parseTimePhrase(text, NOW)).toBe(want);
  });
  it.each(['', 'soon', '2 fortnights ago', '2026-13-45x', '2 hours'])('rejects %j', (text) => {
    expect(parseTimePhrase(text, NOW)).toBeUndefined();
  });
});
