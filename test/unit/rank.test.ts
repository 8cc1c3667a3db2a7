import { describe, expect, it } from 'vitest';
import type { KernelModel } from '../../src/kernel/era.js';
import { computeAdjThresholds } from '../../src/kernel/adjust.js';
import { beats, rankVictims, type Candidate } from '../../src/kernel/rank.js';

const modern: KernelModel = { release: '6.18.0', version: { major: 6, minor: 18, patch: 0 }, era: 'v5.9+', tieRule: 'last-scanned' };
const old: KernelModel = { release: '4.19.0', version: { major: 4, minor: 19, patch: 0 }, era: 'v4.17-v5.8', tieRule: 'first-scanned' };

function cand(pid: number, anonMb: number, adj: number, start: number, over: Partial<Candidate> = {}): Candidate {
  return {
    pid, rssAnonKb: anonMb * 1024, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pgtablesKb: 0, oomScoreAdj: adj,
    kernelThread: false, hasMm: true, isInit: false, capSysAdmin: false, scanKey: [start, pid], ...over,
  };
}

const TOTAL = 262_144n; // 1 GiB of 4 KiB pages: 1 adj point = 262 pages

describe('rankVictims', () => {
  it('oomctl itself (transient) takes no rank: never the next victim nor the rival of a what-if', () => {
    // 99 would be first (adj 1000); as oomctl's own process it is left out of the kill order.
    const r = rankVictims([cand(10, 300, 0, 1), cand(99, 50, 1000, 2, { transient: true }), cand(12, 200, 0, 3)], TOTAL, TOTAL, 4096, modern);
    expect(r.map((x) => [x.task.pid, x.rank])).toEqual([[10, 1], [12, 2], [99, null]]);
    expect(r[2]?.badness.points).not.toBeNull();
    // 12's rival for "becomes the next victim" is 10 alone: 99 (adj 1000) would make it impossible.
    const th = computeAdjThresholds(r[1] as (typeof r)[number], r, TOTAL, 4096, modern);
    expect(th.adjToBecomeNextVictim).toBe(98);
    expect(computeAdjThresholds(r[0] as (typeof r)[number], r, TOTAL, 4096, modern).adjToDropBelowNext).not.toBeNull();
  });

  it('orders by badness, adj included', () => {
    const r = rankVictims([cand(10, 300, 0, 1), cand(11, 100, 500, 2), cand(12, 200, 0, 3)], TOTAL, TOTAL, 4096, modern);
    // 11: 25600 + 500*262 = 156600 > 10: 76800 > 12: 51200
    expect(r.map((x) => [x.task.pid, x.rank])).toEqual([[11, 1], [10, 2], [12, 3]]);
  });

  it('ties go to the last-scanned (newest) task on 5.3+', () => {
    const r = rankVictims([cand(20, 100, 0, 5), cand(21, 100, 0, 9)], TOTAL, TOTAL, 4096, modern);
    expect(r[0]?.task.pid).toBe(21);
  });

  it('ties go to the first-scanned (oldest) task before 5.3', () => {
    const r = rankVictims([cand(21, 100, 0, 9), cand(20, 100, 0, 5)], TOTAL, TOTAL, 4096, old);
    expect(r[0]?.task.pid).toBe(20);
  });

  it('scan order is fork order, not pid order (pids wrap)', () => {
    const r = rankVictims([cand(30000, 100, 0, 5), cand(300, 100, 0, 9)], TOTAL, TOTAL, 4096, modern);
    expect(r[0]?.task.pid).toBe(300);
  });

  it('sorts as beats() orders', () => {
    for (const model of [modern, old]) {
      // 48 tasks with many equal badness values and scan orders unlike pid order.
      const tasks = Array.from({ length: 48 }, (_, i) => cand(1000 - i * 7, (i * 37) % 5, (i * 13) % 3 === 0 ? 0 : 10, (i * 29) % 48));
      const ranked = rankVictims(tasks, TOTAL, TOTAL, 4096, model);
      for (let i = 1; i < ranked.length; i++) {
        const a = ranked[i - 1] as (typeof ranked)[number];
        const b = ranked[i] as (typeof ranked)[number];
        expect(beats(a.badness.points as bigint, a.task.scanKey, b.badness.points as bigint, b.task.scanKey, model)).toBe(true);
      }
    }
  });

  it('puts unkillable tasks last with no rank', () => {
    const r = rankVictims([cand(1, 500, 0, 0, { isInit: true }), cand(40, 1, 0, 3), cand(41, 900, -1000, 4)], TOTAL, TOTAL, 4096, modern);
    expect(r.map((x) => [x.task.pid, x.rank])).toEqual([[40, 1], [1, null], [41, null]]);
  });

  it('scales adj by the scope: the same adj weighs more in a bigger scope', () => {
    const tasks = [cand(50, 200, 0, 1), cand(51, 100, 200, 2)];
    // memcg of 512 MiB: 51 = 25600 + 200*131 = 51800 > 51200
    expect(rankVictims(tasks, 131_072n, TOTAL, 4096, modern)[0]?.task.pid).toBe(51);
    // 256 MiB: 51 = 25600 + 200*65 = 38600 < 51200
    expect(rankVictims(tasks, 65_536n, TOTAL, 4096, modern)[0]?.task.pid).toBe(50);
  });
});

describe('computeAdjThresholds', () => {
  const tasks = [cand(60, 300, 0, 1), cand(61, 200, 0, 2), cand(62, 100, 0, 3)];
  const ranked = rankVictims(tasks, TOTAL, TOTAL, 4096, modern);
  const at = (pid: number) => computeAdjThresholds(ranked.find((r) => r.task.pid === pid)!, ranked, TOTAL, 4096, modern);

  it('the adj that makes a task the next victim, exactly at the boundary', () => {
    // 62 needs 25600 + a*262 >= 76800 (ties go to 62, scanned last): a >= 195.4 -> 196
    expect(at(62).adjToBecomeNextVictim).toBe(196);
    const check = rankVictims(tasks.map((t) => (t.pid === 62 ? { ...t, oomScoreAdj: 196 } : t)), TOTAL, TOTAL, 4096, modern);
    expect(check[0]?.task.pid).toBe(62);
    const below = rankVictims(tasks.map((t) => (t.pid === 62 ? { ...t, oomScoreAdj: 195 } : t)), TOTAL, TOTAL, 4096, modern);
    expect(below[0]?.task.pid).toBe(60);
  });

  it('the adj that drops the next victim below the runner-up', () => {
    // 60 must be below 61 (51200, scanned later so 61 wins ties): 76800 + a*262 <= 51200 -> a <= -97.7 -> -98
    expect(at(60).adjToDropBelowNext).toBe(-98);
  });

  it('the last task has nobody below it', () => {
    expect(at(62).adjToDropBelowNext).toBeNull();
  });
});
