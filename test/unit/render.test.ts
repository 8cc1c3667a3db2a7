import { describe, expect, it } from 'vitest';
import { decideColorLevel } from '../../src/render/color.js';
import { formatBytes, formatKbCompact } from '../../src/render/format.js';
import { escapeUntrusted } from '../../src/render/sanitize.js';

describe('escapeUntrusted', () => {
  it.each([
    ['mysqld', 'mysqld'],
    ['ev\x1b[31mil\x07', 'ev\\x1b[31mil\\x07'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['back\\slash', 'back\\\\slash'],
    ['c1\u009bcsi', 'c1\\x9bcsi'],
    ['del\x7f', 'del\\x7f'],
    ['rtl\u202eexe.txt', 'rtl\\u202eexe.txt'],
    ['ünïcode ok', 'ünïcode ok'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeUntrusted(input)).toBe(expected);
  });

  it('leaves no byte a terminal would act on', () => {
    let all = '';
    for (let i = 0; i < 0x200; i++) all += String.fromCodePoint(i);
    // eslint-disable-next-line no-control-regex
    expect(escapeUntrusted(all)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });
});

describe('decideColorLevel', () => {
  const tty = { mode: 'auto' as const, env: {}, isTTY: true };
  it.each([
    ['a terminal', tty, 1],
    ['a pipe', { ...tty, isTTY: false }, 0],
    ['NO_COLOR on a terminal', { ...tty, env: { NO_COLOR: '1' } }, 0],
    ['empty NO_COLOR is ignored', { ...tty, env: { NO_COLOR: '' } }, 1],
    ['FORCE_COLOR on a pipe', { ...tty, isTTY: false, env: { FORCE_COLOR: '1' } }, 1],
    ['FORCE_COLOR=0 on a terminal', { ...tty, env: { FORCE_COLOR: '0' } }, 0],
    ['TERM=dumb', { ...tty, env: { TERM: 'dumb' } }, 0],
    ['--color=always beats NO_COLOR', { ...tty, mode: 'always' as const, env: { NO_COLOR: '1' } }, 1],
    ['--color=never beats FORCE_COLOR', { ...tty, mode: 'never' as const, env: { FORCE_COLOR: '3' } }, 0],
  ])('%s', (_n, input, level) => {
    expect(decideColorLevel(input)).toBe(level);
  });
});

describe('format', () => {
  it('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(7.2 * 1024 ** 3)).toBe('7.2 GiB');
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
  it('compact kB', () => {
    expect(formatKbCompact(980)).toBe('980K');
    expect(formatKbCompact(46899)).toBe('45.8M');
    expect(formatKbCompact(1048576 * 2)).toBe('2.0G');
  });
});

describe('renderPlainTable', () => {
  it('aligns a huge table (beyond cli-table3\'s stack) exactly as it aligns a small one', async () => {
    const { renderPlainTable, LARGE_TABLE_ROWS } = await import('../../src/render/table.js');
    const head = ['#', 'TIME', 'PID', 'COMM', 'SCOPE'];
    const align = ['right', 'left', 'right', 'left', 'left'] as ('left' | 'right')[];
    const row = (i: number): string[] => [String(i), '2026-11-25 23:47:40', String(1000 + (i % 97)), i % 2 ? 'python3' : 'ev\\x1b', i % 3 ? 'memcg /x' : 'global'];
    const small = Array.from({ length: 50 }, (_, i) => row(i + 1));
    const big = Array.from({ length: 150_000 }, (_, i) => row(i + 1));
    expect(big.length).toBeGreaterThan(LARGE_TABLE_ROWS);
    const bigText = renderPlainTable(head, big, align);
    const smallText = renderPlainTable(head, small, align);
    // The same widths (every cell of the small table is as wide as the big one's widest, but for #).
    const bigLines = bigText.split('\n');
    expect(bigLines).toHaveLength(150_001);
    expect(bigLines[0]?.replace(/^ +/, '')).toBe(smallText.split('\n')[0]?.replace(/^ +/, ''));
    expect(bigLines[150_000]).toMatch(/^150000  2026-11-25 23:47:40  \d{4}  \S+ +\S+/);
  });
});
