// The kernel's OOM badness and /proc/PID/oom_score, per era. Pure: the
// inputs are the numbers /proc shows, the outputs what the kernel computes.
// C integer arithmetic is done in bigint so that a memory cgroup without a
// limit (totalpages = PAGE_COUNTER_MAX, ~2^51) cannot lose precision.

import type { ScoreEra } from './era.js';

/** include/uapi/linux/oom.h */
export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/** What the model needs to know about one process. Sizes in kB as /proc prints them. */
export interface TaskMemory {
  pid: number;
  /** Resident pages by kind; rssKb is the total when the split is not printed (before v4.5). */
  rssAnonKb: number;
  rssFileKb: number;
  rssShmemKb: number;
  swapKb: number;
  /** Page-table memory: VmPTE (+ VmPMD on 4.0-4.14). */
  pgtablesKb: number;
  oomScoreAdj: number;
  /** PF_KTHREAD or "Kthread: 1". */
  kernelThread: boolean;
  /** No mm: a zombie, or a process that has already released its memory. */
  hasMm: boolean;
  /** Global init (pid 1 in the initial pid namespace). */
  isInit: boolean;
  /** Effective CAP_SYS_ADMIN: the root bonus of eras before 4.17. */
  capSysAdmin: boolean;
}

export type UnkillableReason = 'init' | 'kernel-thread' | 'no-memory' | 'oom-score-adj-min';

export interface Badness {
  /** Points in pages (or 0..1000 points before 3.5); null when never chosen. */
  points: bigint | null;
  /** The memory part alone, in pages: rss + swap + page tables. */
  memoryPages: bigint;
  /** The oom_score_adj term in pages: adj * (totalpages / 1000). */
  adjPages: bigint;
  unkillable: UnkillableReason | null;
}

export function kbToPages(kb: number, pageSize: number): bigint {
  return BigInt(kbToPageCount(kb, pageSize));
}

// In Number: exact, as kB counts times 1024 stay far below 2^53 and the page
// size is a power of two. Three BigInt conversions per task fewer: the model
// runs for every process on each `top` (docs/performance.md).
function kbToPageCount(kb: number, pageSize: number): number {
  return Math.floor((kb * 1024) / pageSize);
}

/** Why the kernel would never choose this task, or null. */
export function unkillableReason(t: TaskMemory): UnkillableReason | null {
  // mm/oom_kill.c oom_unkillable_task(): is_global_init() || PF_KTHREAD
  if (t.isInit) return 'init';
  if (t.kernelThread) return 'kernel-thread';
  // mm/oom_kill.c oom_badness(): find_lock_task_mm() finds no thread with an mm
  if (!t.hasMm) return 'no-memory';
  // mm/oom_kill.c oom_badness(): adj == OOM_SCORE_ADJ_MIN is never chosen
  if (t.oomScoreAdj <= OOM_SCORE_ADJ_MIN) return 'oom-score-adj-min';
  return null;
}

/** C division of signed integers truncates toward zero; bigint division does too. */
function cdiv(a: bigint, b: bigint): bigint {
  return a / b;
}

export function computeBadness(t: TaskMemory, totalpages: bigint, pageSize: number, era: ScoreEra): Badness {
  const rss = kbToPageCount(t.rssAnonKb + t.rssFileKb + t.rssShmemKb, pageSize);
  const swap = kbToPageCount(t.swapKb, pageSize);
  const pgtables = kbToPageCount(t.pgtablesKb, pageSize);
  // mm/oom_kill.c oom_badness(): get_mm_rss() + MM_SWAPENTS + page-table pages
  const memoryPages = BigInt(rss + swap + pgtables);
  const reason = unkillableReason(t);
  let adj = BigInt(t.oomScoreAdj);
  if (reason !== null) return { points: null, memoryPages, adjPages: adj * (totalpages / 1000n), unkillable: reason };
  const tp = totalpages > 0n ? totalpages : 1n;

  switch (era) {
    case 'v2.6.36-v3.4': {
      // mm/oom_kill.c oom_badness() v2.6.36-v3.4: points normalised to 0..1000, root -30, clamp 1..1000
      let points = (memoryPages * 1000n) / tp;
      if (t.capSysAdmin) points -= 30n;
      points += adj;
      const adjPages = adj; // already in points here
      if (points <= 0n) points = 1n;
      if (points > 1000n) points = 1000n;
      return { points, memoryPages, adjPages, unkillable: null };
    }
    case 'v3.5-v3.13': {
      // mm/oom_kill.c oom_badness() v3.5-v3.13: CAP_SYS_ADMIN gets adj -= 30; never returns 0
      if (t.capSysAdmin) adj -= 30n;
      const adjPages = adj * (tp / 1000n);
      const points = memoryPages + adjPages;
      return { points: points > 0n ? points : 1n, memoryPages, adjPages, unkillable: null };
    }
    case 'v3.14-v4.16': {
      // mm/oom_kill.c oom_badness() v3.14-v4.16: CAP_SYS_ADMIN gets points -= points*3/100; never returns 0
      let points = memoryPages;
      if (t.capSysAdmin) points -= (points * 3n) / 100n;
      const adjPages = adj * (tp / 1000n);
      points += adjPages;
      return { points: points > 0n ? points : 1n, memoryPages, adjPages, unkillable: null };
    }
    case 'v4.17-v5.8': {
      // mm/oom_kill.c oom_badness() v4.17-v5.8: no root bonus; never returns 0
      const adjPages = adj * (tp / 1000n);
      const points = memoryPages + adjPages;
      return { points: points > 0n ? points : 1n, memoryPages, adjPages, unkillable: null };
    }
    case 'v5.9+': {
      // mm/oom_kill.c oom_badness() v5.9+: signed long, may be negative
      const adjPages = adj * (tp / 1000n);
      return { points: memoryPages + adjPages, memoryPages, adjPages, unkillable: null };
    }
  }
}

/**
 * What /proc/PID/oom_score prints for this badness. totalpages is always the
 * machine's (RAM + swap): proc_oom_score() knows nothing of memory cgroups.
 */
export function computeOomScore(b: Badness, totalpages: bigint, era: ScoreEra): number {
  if (b.points === null) return 0;
  const tp = totalpages > 0n ? totalpages : 1n;
  switch (era) {
    case 'v2.6.36-v3.4':
      // fs/proc/base.c proc_oom_score() v2.6.36-v3.4: oom_badness() is already 0..1000
      return Number(b.points);
    case 'v3.5-v3.13':
    case 'v3.14-v4.16':
    case 'v4.17-v5.8':
      // fs/proc/base.c proc_oom_score() v3.5-v5.8: oom_badness() * 1000 / totalpages
      return Number((b.points * 1000n) / tp);
    case 'v5.9+':
      // fs/proc/base.c proc_oom_score() v5.9+: (1000 + badness * 1000 / totalpages) * 2 / 3
      return Number(cdiv((1000n + cdiv(b.points * 1000n, tp)) * 2n, 3n));
  }
}
