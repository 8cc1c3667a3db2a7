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
