// Which killer acts first on this machine: each one's trigger as "how much
// more memory may be used before it acts", from the pure rules of each
// (kernel/kubelet.ts, kernel/oomd.ts, kernel/earlyoom.ts). Pure.

import type { EarlyoomMemState, EarlyoomThresholds } from './earlyoom.js';
import type { EvictionDistance } from './kubelet.js';
import type { OomdPressureTarget, OomdSwapPrediction } from './oomd.js';

export type KillerId = 'kernel' | 'kubelet' | 'oomd-swap' | 'oomd-pressure' | 'earlyoom';

export interface KillerTrigger {
  killer: KillerId;
  /** Bytes more that may be used before it acts; 0 = its condition holds now; null = not a memory level (PSI). */
  toGoBytes: number | null;
  triggered: boolean;
}

export interface KillerInputs {
  memAvailableBytes: number;
  swapFreeBytes: number;
  kubelet?: readonly EvictionDistance[];
  oomdSwap?: OomdSwapPrediction;
  oomdPressure?: readonly OomdPressureTarget[];
  earlyoom?: { memory: EarlyoomMemState; thresholds: EarlyoomThresholds };
}

/**
 * Nearest first; the kernel last among equals. The kernel's OOM killer runs
 * when reclaim fails (mm/page_alloc.c __alloc_pages_may_oom()); MemAvailable
 * (what can be had without swapping, meminfo_proc_show() si_mem_available())
 * plus free swap is the memory left before that, an estimate.
 * earlyoom and systemd-oomd's swap rule need both their memory and swap
 * conditions (main.c lowmem_sig(), oomd-util.c oomd_mem_available_below()
 * && oomd_swap_free_below()): what is left is the sum of both distances.
 */
export function orderKillers(i: KillerInputs): KillerTrigger[] {
  const out: KillerTrigger[] = [];
  const kernel = Math.max(0, i.memAvailableBytes + i.swapFreeBytes);
  out.push({ killer: 'kernel', toGoBytes: kernel, triggered: false });
  const memory = (i.kubelet ?? []).filter((d) => d.threshold.signal === 'memory.available');
  if (memory.length > 0) {
    const nearest = Math.min(...memory.map((d) => Math.max(0, d.headroomBytes)));
    out.push({ killer: 'kubelet', toGoBytes: nearest, triggered: memory.some((d) => d.met) });
  }
  if (i.oomdSwap) {
    const s = i.oomdSwap;
    out.push({ killer: 'oomd-swap', toGoBytes: s.triggered ? 0 : s.memToGoBytes + s.swapToGoBytes, triggered: s.triggered });
  }
  if (i.oomdPressure && i.oomdPressure.length > 0) {
    out.push({ killer: 'oomd-pressure', toGoBytes: null, triggered: i.oomdPressure.some((t) => t.above) });
  }
  if (i.earlyoom) {
    const m = i.earlyoom.memory;
    const on = m.signal !== null;
    out.push({ killer: 'earlyoom', toGoBytes: on ? 0 : (m.memToTermKib + m.swapToTermKib) * 1024, triggered: on });
  }
  const order = (t: KillerTrigger): number => (t.triggered ? -1 : t.toGoBytes ?? Number.MAX_SAFE_INTEGER);
  return out.sort((a, b) => order(a) - order(b) || (a.killer === 'kernel' ? 1 : b.killer === 'kernel' ? -1 : 0));
}
