// One sort vocabulary: --sort rss on the live screen sorts by RSS, not by
// "memory" (RSS + swap); both screens name overcommit mode 2 the same way.

import { describe, expect, it } from 'vitest';
import { arrangeSections, INITIAL_STATE } from '../../src/core/top-live.js';
import type { Prediction } from '../../src/core/prediction.js';
import { OVERCOMMIT_MODE_NAMES } from '../../src/kernel/sysctl-catalogue.js';

// pid 10: 100 MB RSS, no swap; pid 20: 10 MB RSS, 500 MB swap
const task = (pid: number, rssAnonKb: number, swapKb: number) => ({
  pid, rssAnonKb, rssFileKb: 0, rssShmemKb: 0, swapKb, pgtablesKb: 0, oomScoreAdj: 0, kernelThread: false, hasMm: true, isInit: false,
  capSysAdmin: false, scanKey: [pid], record: { comm: `p${pid}`, uid: 0 }, user: 'root', memcgPath: undefined,
});
const prediction = {
  scope: { totalpages: 1_000_000n },
  ranked: [
    { rank: 1, task: task(20, 10_000, 500_000), badness: { points: 127_500n } },
    { rank: 2, task: task(10, 100_000, 0), badness: { points: 25_000n } },
  ],
} as unknown as Prediction;
const order = (sort: typeof INITIAL_STATE.sort): number[] => arrangeSections(prediction, { ...INITIAL_STATE, sort })[0]?.rows.map((r) => r.ranked.task.pid) ?? [];

describe('live screen sort keys', () => {
  it('rss sorts by RSS alone, swap by swap, memory by both', () => {
    expect(order('rss')).toEqual([10, 20]);
    expect(order('swap')).toEqual([20, 10]);
    expect(order('memory')).toEqual([20, 10]);
  });

  it('overcommit mode 2 has one name', () => {
    expect(OVERCOMMIT_MODE_NAMES[2]).toBe('never (strict accounting)');
  });
});
