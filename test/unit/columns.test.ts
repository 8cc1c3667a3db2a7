import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignRow, columnWidths, displayWidth, fitColumns, truncateToWidth, truncateWithEllipsis } from '../../src/render/columns.js';
import { SystemRoot } from '../../src/system/root.js';

describe('displayWidth / truncateToWidth', () => {
  it.each([
    ['mysqld', 6],
    ['数据库', 6],
    ['e\u0301', 1],
    ['😀x', 3],
    ['', 0],
  ])('%j is %d columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });
  it.each([
    ['abcdef', 3, 'abc'],
    ['数据库', 3, '数'],
    ['数据库', 6, '数据库'],
    ['ab', 5, 'ab'],
  ])('%j cut to %d is %j', (s, w, out) => {
    expect(truncateToWidth(s, w)).toBe(out);
  });
});

describe('truncateWithEllipsis / fitColumns', () => {
  it.each([
    ['abcdef', 6, 'abcdef'], ['abcdef', 5, 'abcd…'], ['数据库', 4, '数…'], ['abc', 0, ''], ['abc', 1, '…'],
  ])('%j at %d -> %j', (s, w, out) => {
    expect(truncateWithEllipsis(s, w)).toBe(out);
  });
  it('drops whole columns in the given order until the rest fits', () => {
    expect(fitColumns([4, 4, 4], [2, 0], undefined)).toEqual([0, 1, 2]);
    expect(fitColumns([4, 4, 4], [2, 0], 16)).toEqual([0, 1, 2]);
    expect(fitColumns([4, 4, 4], [2, 0], 15)).toEqual([0, 1]);
    expect(fitColumns([4, 4, 4], [2, 0], 9)).toEqual([1]);
  });
});

describe('alignRow', () => {
  it('pads like ps, two spaces apart, no trailing blanks', () => {
    const head = ['PID', 'COMM', 'OOM'];
    const rows = [['1', 'init', '0'], ['12345', '数据库', '666']];
    const w = columnWidths(head, rows);
    expect(w).toEqual([5, 6, 3]);
    expect(alignRow(head, w, ['right', 'left', 'right'])).toBe('  PID  COMM    OOM');
    expect(alignRow(rows[1] as string[], w, ['right', 'left', 'right'])).toBe('12345  数据库  666');
    expect(alignRow(['1', 'x', ''], w, ['right', 'left', 'left'])).toBe('    1  x');
  });
});

describe('SystemRoot.readSmallText', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-root-'));
  const root = new SystemRoot(dir);
  it('reads a small file in one go, a large one whole, a missing one as undefined', () => {
    writeFileSync(path.join(dir, 'small'), '1234\n');
    const big = 'x'.repeat(200 * 1024);
    writeFileSync(path.join(dir, 'big'), big);
    expect(root.readSmallText('/small')).toBe('1234\n');
    expect(root.readSmallText('/big')).toBe(big);
    expect(root.readSmallText('/missing')).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });
  it('closes what it opens', () => {
    const r = new SystemRoot('/');
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 100; i++) expect(r.readSmallText('/proc/self/oom_score_adj')).toBeDefined();
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});
