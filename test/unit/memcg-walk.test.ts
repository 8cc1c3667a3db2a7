// The memcg scan order is the kernel's pre-order walk (mm/memcontrol.c
// mem_cgroup_scan_tasks() -> css_next_descendant_pre()), not an order by depth.

import { describe, expect, it } from 'vitest';
import { comparePreorder, preorderIndex } from '../../src/kernel/memcg-walk.js';
import { rankVictims } from '../../src/kernel/rank.js';
import { withWalkOrder, type ProcessCandidate } from '../../src/core/prediction.js';

describe('memcg walk order', () => {
  it('visits a subtree whole before the next sibling (depth order would put /b before /a/x)', () => {
    const paths = ['/b', '/a/x', '/a', '/a/x/deep', '/b/y'];
    const byDepth = [...paths].sort((p, q) => p.split('/').length - q.split('/').length);
    const pre = [...preorderIndex(paths)].sort((p, q) => p[1] - q[1]).map(([p]) => p);
    expect(pre).toEqual(['/a', '/a/x', '/a/x/deep', '/b', '/b/y']);
    expect(byDepth.indexOf('/b')).toBeLessThan(byDepth.indexOf('/a/x'));
    expect(pre.indexOf('/a/x')).toBeLessThan(pre.indexOf('/b'));
  });

  it('puts an ancestor before its descendants and compares by path segment, not by string', () => {
    expect(comparePreorder('/a', '/a/b')).toBeLessThan(0);
    // "/a-b" < "/a/b" as strings ('-' < '/'), but /a/b is inside /a, which comes before /a-b
    expect(comparePreorder('/a/b', '/a-b')).toBeLessThan(0);
    expect(comparePreorder('/x', '/x')).toBe(0);
  });

  it('decides a tie of equal badness as the kernel walks: the task in /a/x is scanned before the one in /b', () => {
    const task = (pid: number, memcgPath: string): ProcessCandidate => ({
      pid, rssAnonKb: 4096, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pgtablesKb: 0, oomScoreAdj: 0,
      kernelThread: false, hasMm: true, isInit: false, capSysAdmin: false,
      // /b's task started first: by depth (or by start time) it would be scanned first
      scanKey: [pid === 10 ? 100 : 200, pid], memcgPath, user: 'root',
      record: {} as ProcessCandidate['record'],
    });
    const tasks = withWalkOrder([task(10, '/b'), task(20, '/a/x')]);
    const model = { release: '6.18.0', version: { major: 6, minor: 18, patch: 0 }, era: 'v5.9+' as const, tieRule: 'last-scanned' as const };
    const ranked = rankVictims(tasks, 1_000_000n, 1_000_000n, 4096, model);
    // 5.3+: the last scanned of equal points is chosen; the walk scans /a/x, then /b
    expect(ranked[0]?.task.pid).toBe(10);
    const first = rankVictims(tasks, 1_000_000n, 1_000_000n, 4096, { ...model, tieRule: 'first-scanned' });
    expect(first[0]?.task.pid).toBe(20);
  });
});
