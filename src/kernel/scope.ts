// totalpages: the memory an OOM is measured against. oom_score_adj is scaled
// by it, so the same adj weighs differently for the machine and inside a
// memory cgroup.

import { kbToPages } from './badness.js';

export interface MemcgLimits {
  version: 1 | 2;
  /** memory.limit_in_bytes (v1) or memory.max (v2); 'max' or bytes. */
  memoryMaxBytes: bigint | 'max';
  /** v1: memory.memsw.limit_in_bytes when swap accounting is on; v2: memory.swap.max. */
  swapOrMemswMaxBytes: bigint | 'max' | undefined;
  /** The swappiness the kernel uses for this memcg (v1: memory.swappiness; v2: vm.swappiness). */
  swappiness: number;
}

/** mm/page_counter.h PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE (64-bit). */
export function pageCounterMax(pageSize: number): bigint {
  return 0x7fffffffffffffffn / BigInt(pageSize);
}

/** mm/oom_kill.c constrained_alloc(): totalram_pages() + total_swap_pages, i.e. MemTotal + SwapTotal. */
export function computeGlobalTotalpages(memTotalKb: number, swapTotalKb: number, pageSize: number): bigint {
  return kbToPages(memTotalKb, pageSize) + kbToPages(swapTotalKb, pageSize);
}

function bytesToPages(b: bigint | 'max', pageSize: number): bigint {
  if (b === 'max') return pageCounterMax(pageSize);
  const pages = b / BigInt(pageSize);
  const cap = pageCounterMax(pageSize);
  return pages > cap ? cap : pages;
}

/**
 * mm/memcontrol.c mem_cgroup_get_max() (v6.1+), as constrained_alloc() uses it:
 * the limit plus the swap the cgroup may still use, and at least 1.
 */
export function computeMemcgTotalpages(limits: MemcgLimits, swapTotalKb: number, pageSize: number): bigint {
  let max = bytesToPages(limits.memoryMaxBytes, pageSize);
  const totalSwapPages = kbToPages(swapTotalKb, pageSize);
  if (limits.swappiness !== 0 && limits.swapOrMemswMaxBytes !== undefined) {
    const other = bytesToPages(limits.swapOrMemswMaxBytes, pageSize);
    // v1: swap excess capacity is memsw.max - memory.max; v2: swap.max itself
    let swap = limits.version === 1 ? other - max : other;
    if (swap < 0n) swap = 0n;
    max += swap < totalSwapPages ? swap : totalSwapPages;
  }
  // mm/oom_kill.c constrained_alloc(): mem_cgroup_get_max(oc->memcg) ?: 1
  return max > 0n ? max : 1n;
}
