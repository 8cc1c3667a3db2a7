// Expected numbers are worked out by hand from each era's kernel source:
// mm/oom_kill.c oom_badness() and fs/proc/base.c proc_oom_score().
// Task: 10000 anon + 1000 file pages, 2000 swap pages, 100 page-table pages
// (13100 pages), page size 4096, totalpages 1,000,000.

import { describe, expect, it } from 'vitest';
import { computeBadness, computeOomScore, type TaskMemory } from '../../src/kernel/badness.js';
import type { ScoreEra } from '../../src/kernel/era.js';

const PAGE = 4096;
const TOTAL = 1_000_000n;

function task(over: Partial<TaskMemory> = {}): TaskMemory {
  return {
    pid: 100, rssAnonKb: 40000, rssFileKb: 4000, rssShmemKb: 0, swapKb: 8000, pgtablesKb: 400,
    oomScoreAdj: 0, kernelThread: false, hasMm: true, isInit: false, capSysAdmin: false, ...over,
  };
}

const cases: { era: ScoreEra; adj: number; cap?: boolean; points: bigint | null; score: number; why: string }[] = [
  { era: 'v5.9+', adj: 0, points: 13100n, score: 675, why: '(1000 + 13) * 2 / 3 = 675' },
  { era: 'v5.9+', adj: 500, points: 513100n, score: 1008, why: '500 * (1e6/1000) added; (1000 + 513) * 2 / 3' },
  { era: 'v5.9+', adj: -999, points: -985900n, score: 10, why: 'signed: -985.9 truncates toward zero to -985; (15) * 2 / 3 = 10' },
  { era: 'v5.9+', adj: -1000, points: null, score: 0, why: 'OOM_SCORE_ADJ_MIN is never chosen' },
  { era: 'v5.9+', adj: 0, cap: true, points: 13100n, score: 675, why: 'no root bonus since 4.17' },
  { era: 'v4.17-v5.8', adj: 0, points: 13100n, score: 13, why: '13100 * 1000 / 1e6' },
  { era: 'v4.17-v5.8', adj: 500, points: 513100n, score: 513, why: 'adj scaled by totalpages/1000' },
  { era: 'v4.17-v5.8', adj: -999, points: 1n, score: 0, why: 'negative points floored at 1; 1 * 1000 / 1e6 = 0' },
  { era: 'v3.14-v4.16', adj: 0, cap: true, points: 12707n, score: 12, why: 'CAP_SYS_ADMIN: 13100 - 13100*3/100 = 12707' },
  { era: 'v3.14-v4.16', adj: 0, cap: false, points: 13100n, score: 13, why: 'no capability, no bonus' },
  { era: 'v3.5-v3.13', adj: 0, cap: true, points: 1n, score: 0, why: 'CAP_SYS_ADMIN: adj -= 30 -> -30000 pages, floored at 1' },
  { era: 'v3.5-v3.13', adj: 100, cap: true, points: 83100n, score: 83, why: '(100 - 30) * 1000 + 13100' },
  { era: 'v3.5-v3.13', adj: 0, cap: false, points: 13100n, score: 13, why: 'plain pages' },
  { era: 'v2.6.36-v3.4', adj: 0, points: 13n, score: 13, why: 'normalised in oom_badness(): 13100 * 1000 / 1e6' },
  { era: 'v2.6.36-v3.4', adj: 0, cap: true, points: 1n, score: 1, why: '13 - 30 < 0 -> 1' },
  { era: 'v2.6.36-v3.4', adj: 995, points: 1000n, score: 1000, why: 'clamped to 1000' },
];

describe('computeBadness / computeOomScore by era', () => {
  it.each(cases)('$era adj=$adj cap=$cap: $why', ({ era, adj, cap, points, score }) => {
    const b = computeBadness(task({ oomScoreAdj: adj, capSysAdmin: cap ?? false }), TOTAL, PAGE, era);
    expect(b.points).toBe(points);
    expect(computeOomScore(b, TOTAL, era)).toBe(score);
  });

  it('counts rss, swap and page tables, in pages of the real page size', () => {
    const b4 = computeBadness(task(), TOTAL, 4096, 'v5.9+');
    expect(b4.memoryPages).toBe(13100n);
    // The same kB on a 64 KiB-page kernel are 16 times fewer pages.
    const b64 = computeBadness(task({ rssAnonKb: 640000, rssFileKb: 0, swapKb: 0, pgtablesKb: 64 }), TOTAL, 65536, 'v5.9+');
    expect(b64.memoryPages).toBe(10001n);
  });

  it.each([
    ['init', { isInit: true }],
    ['kernel-thread', { kernelThread: true }],
    ['no-memory', { hasMm: false }],
    ['oom-score-adj-min', { oomScoreAdj: -1000 }],
  ] as const)('never chooses %s and prints 0', (reason, over) => {
    const b = computeBadness(task(over), TOTAL, PAGE, 'v5.9+');
    expect(b.points).toBeNull();
    expect(b.unkillable).toBe(reason);
    expect(computeOomScore(b, TOTAL, 'v5.9+')).toBe(0);
  });

  it('a small process with adj 0 reads 666 on 5.9+', () => {
    const small = task({ rssAnonKb: 400, rssFileKb: 0, swapKb: 0, pgtablesKb: 40 });
    expect(computeOomScore(computeBadness(small, 6_171_023n, PAGE, 'v5.9+'), 6_171_023n, 'v5.9+')).toBe(666);
  });

  it('stays exact for an unlimited memory cgroup (totalpages ~2^51)', () => {
    const huge = 0x7fffffffffffffffn / 4096n;
    const b = computeBadness(task({ oomScoreAdj: 1000 }), huge, PAGE, 'v5.9+');
    expect(b.points).toBe(13100n + 1000n * (huge / 1000n));
  });
});
