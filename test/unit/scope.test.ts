// mm/memcontrol.c mem_cgroup_get_max(): limit + min(usable swap, total swap).
import { describe, expect, it } from 'vitest';
import { computeGlobalTotalpages, computeMemcgTotalpages, pageCounterMax } from '../../src/kernel/scope.js';

const MiB = 1024n * 1024n;

describe('totalpages', () => {
  it('global: MemTotal + SwapTotal in pages (this VM: 24684092 kB, no swap)', () => {
    expect(computeGlobalTotalpages(24684092, 0, 4096)).toBe(6171023n);
    expect(computeGlobalTotalpages(24684092, 1048576, 4096)).toBe(6171023n + 262144n);
  });

  it.each([
    ['v1, no swap on the machine', { version: 1 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 'max' as const, swappiness: 60 }, 0, 131072n],
    ['v1, memsw 768 MiB and 1 GiB swap: +256 MiB of swap', { version: 1 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 768n * MiB, swappiness: 60 }, 1048576, 196608n],
    ['v1, swappiness 0: no swap counted', { version: 1 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 768n * MiB, swappiness: 0 }, 1048576, 131072n],
    ['v1, unlimited memsw: capped by total swap', { version: 1 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 9223372036854771712n, swappiness: 60 }, 1048576, 131072n + 262144n],
    ['v2, swap.max max: all of total swap', { version: 2 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 'max' as const, swappiness: 60 }, 1048576, 393216n],
    ['v2, swap.max 64 MiB', { version: 2 as const, memoryMaxBytes: 512n * MiB, swapOrMemswMaxBytes: 64n * MiB, swappiness: 60 }, 1048576, 147456n],
    ['a zero limit is treated as 1 page', { version: 2 as const, memoryMaxBytes: 0n, swapOrMemswMaxBytes: 0n, swappiness: 60 }, 0, 1n],
  ])('memcg %s', (_name, limits, swapKb, expected) => {
    expect(computeMemcgTotalpages(limits, swapKb, 4096)).toBe(expected);
  });

  it('"max" is PAGE_COUNTER_MAX', () => {
    expect(computeMemcgTotalpages({ version: 2, memoryMaxBytes: 'max', swapOrMemswMaxBytes: 'max', swappiness: 60 }, 0, 4096)).toBe(pageCounterMax(4096));
    expect(pageCounterMax(4096)).toBe(2251799813685247n);
  });
});
