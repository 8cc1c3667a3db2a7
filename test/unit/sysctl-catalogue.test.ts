import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkAssignments,
  checkSysctlPlan,
  computeCommitLimit,
  describeSysctlValue,
  normalizeSysctlKey,
  parseKernelInteger,
  planSysctlChanges,
  riskyReasons,
  validateSysctlValue,
  type MemoryFacts,
  type SysctlKey,
  type SysctlValues,
} from '../../src/kernel/sysctl-catalogue.js';
import { parseMeminfo } from '../../src/parse/meminfo.js';
import { FIXTURES } from '../helpers/run-cli.js';

// Captured on the build machine (kernel 6.18, 4 KiB pages, no swap): see the fixture README.
const MEMINFO = readFileSync(path.join(FIXTURES, 'sysctl-debian12/proc/meminfo'), 'utf8');
const real = parseMeminfo(MEMINFO);
const facts: MemoryFacts = {
  memTotalKb: real.memTotalKb,
  hugetlbKb: real.all.get('Hugetlb') ?? 0,
  swapTotalKb: real.swapTotalKb,
  committedAsKb: real.committedAsKb,
  commitLimitKb: real.commitLimitKb,
  pageSize: 4096,
};
const LIVE: SysctlValues = {
  'vm.panic_on_oom': 0,
  'kernel.panic': 1,
  'vm.overcommit_memory': 0,
  'vm.overcommit_ratio': 50,
  'vm.overcommit_kbytes': 0,
  'vm.oom_kill_allocating_task': 0,
  'vm.oom_dump_tasks': 1,
  'vm.admin_reserve_kbytes': 8192,
  'vm.user_reserve_kbytes': 100405,
};

describe('normalizeSysctlKey', () => {
  it.each([
    ['vm.panic_on_oom', 'vm.panic_on_oom'],
    ['vm/panic_on_oom', 'vm.panic_on_oom'],
    ['panic_on_oom', 'vm.panic_on_oom'],
    ['/proc/sys/vm/panic_on_oom', 'vm.panic_on_oom'],
    ['panic', 'kernel.panic'],
    ['kernel/panic', 'kernel.panic'],
    ['overcommit_kbytes', 'vm.overcommit_kbytes'],
    ['vm.swappiness', undefined],
    ['kernel.panic_on_oom', undefined],
    ['vm.panic', undefined],
    ['', undefined],
  ])('%s -> %s', (input, want) => {
    expect(normalizeSysctlKey(input)).toBe(want);
  });
});

describe('validateSysctlValue', () => {
  const ok: [SysctlKey, string, number][] = [
    ['vm.panic_on_oom', '0', 0],
    ['vm.panic_on_oom', '2', 2],
    ['vm.overcommit_memory', '1', 1],
    ['kernel.panic', '-1', -1],
    ['kernel.panic', '2147483647', 2147483647],
    ['kernel.panic', '-2147483648', -2147483648],
    ['vm.overcommit_ratio', '0', 0],
    ['vm.overcommit_ratio', '150', 150],
    ['vm.overcommit_kbytes', '9007199254740991', 9007199254740991],
    ['vm.oom_kill_allocating_task', '1', 1],
    ['vm.oom_dump_tasks', '0', 0],
    ['vm.admin_reserve_kbytes', '131072', 131072],
    ['vm.user_reserve_kbytes', '0', 0],
  ];
  it.each(ok)('%s=%s is accepted as %d', (key, text, value) => {
    expect(validateSysctlValue(key, text)).toEqual({ ok: true, value });
  });

  const bad: [SysctlKey, string, RegExp][] = [
    ['vm.panic_on_oom', '010', /octal/],
    ['vm.panic_on_oom', '01', /octal/],
    ['vm.overcommit_ratio', '0x64', /hexadecimal/],
    ['vm.panic_on_oom', '+1', /not a decimal integer/],
    ['vm.panic_on_oom', '1.0', /not a decimal integer/],
    ['vm.panic_on_oom', '', /not a decimal integer/],
    ['vm.panic_on_oom', ' 1', /not a decimal integer/],
    ['vm.panic_on_oom', '1 ', /not a decimal integer/],
    ['vm.panic_on_oom', '-0', /not a decimal integer/],
    ['vm.panic_on_oom', '1e3', /not a decimal integer/],
    ['vm.panic_on_oom', 'one', /not a decimal integer/],
    ['vm.panic_on_oom', '3', /takes 0–2/],
    ['vm.panic_on_oom', '-1', /takes 0–2/],
    ['vm.overcommit_memory', '3', /takes 0–2/],
    ['vm.oom_kill_allocating_task', '2', /takes 0–1/],
    ['vm.oom_dump_tasks', '-1', /takes 0–1/],
    ['vm.overcommit_ratio', '-1', /integer ≥ 0/],
    ['vm.overcommit_kbytes', '-5', /integer ≥ 0/],
    ['vm.overcommit_kbytes', '9007199254740992', /integer ≥ 0/],
    ['kernel.panic', '2147483648', /any integer/],
    ['kernel.panic', '-2147483649', /any integer/],
    ['vm.admin_reserve_kbytes', '-1', /integer ≥ 0/],
  ];
  it.each(bad)('%s=%j is refused (%s)', (key, text, why) => {
    const r = validateSysctlValue(key, text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });
});

describe('parseKernelInteger (kernel/sysctl.c proc_get_long(), base 0)', () => {
  it.each([
    ['1', 1], ['010', 8], ['0x64', 100], ['0X10', 16], ['-1', -1], ['0', 0], [' 7 ', 7], ['\t7\n', 7],
    ['-0x10', -16], ['-010', -8], ['10 20', 10], ['10\t20', 10],
    ['08', undefined], ['0x', undefined], ['0xg', undefined], ['+1', undefined], ['1.0', undefined], ['', undefined],
    ['yes', undefined], ['10abc', undefined], ['-', undefined], ['- 1', undefined],
    ['2147483647', 2147483647], ['-2147483648', -2147483648], ['2147483648', undefined], ['-2147483649', undefined],
    ['000000000000000000001', undefined], // 21 characters: proc_get_long() refuses len == TMPBUFLEN - 1
    ['00000000000000000001', 1],
  ])('kernel.panic %j -> %s', (text, want) => {
    expect(parseKernelInteger('kernel.panic', text)).toBe(want);
  });

  // Every multi-digit decimal is decimal, in every key; a leading zero is octal and 0x hex, as the kernel reads them.
  const forms: [string, number][] = [
    ['10', 10], ['20', 20], ['60', 60], ['100', 100], ['1000000', 1000000],
    ['012', 10], ['024', 20], ['074', 60], ['0144', 100], ['03641100', 1000000],
    ['0xa', 10], ['0x14', 20], ['0x3c', 60], ['0x64', 100], ['0xF4240', 1000000],
  ];
  const unbounded: SysctlKey[] = ['kernel.panic', 'vm.overcommit_ratio', 'vm.overcommit_kbytes', 'vm.oom_kill_allocating_task',
    'vm.oom_dump_tasks', 'vm.admin_reserve_kbytes', 'vm.user_reserve_kbytes'];
  for (const key of unbounded) {
    it.each(forms)(`${key} %j -> %d`, (text, want) => {
      expect(parseKernelInteger(key, text)).toBe(want);
    });
  }
  // proc_dointvec_minmax 0..2: a multi-digit value is out of range and refused, whatever its base.
  for (const key of ['vm.panic_on_oom', 'vm.overcommit_memory'] as SysctlKey[]) {
    it.each(forms)(`${key} %j is refused (0..2)`, (text) => {
      expect(parseKernelInteger(key, text)).toBeUndefined();
    });
    it.each([['2', 2], ['02', 2], ['0x2', 2], ['00', 0], ['3', undefined], ['-1', undefined]])(`${key} %j -> %s`, (text, want) => {
      expect(parseKernelInteger(key, text)).toBe(want);
    });
  }
  it.each([
    ['vm.overcommit_kbytes', '-1', undefined], // do_proc_doulongvec_minmax(): neg -> -EINVAL
    ['vm.admin_reserve_kbytes', '-0', undefined],
    ['vm.user_reserve_kbytes', '18446744073709551616', undefined], // 2^64: strtoul_lenient() -ERANGE
    ['vm.user_reserve_kbytes', '9007199254740991', 9007199254740991],
    ['vm.oom_dump_tasks', '5', 5], // proc_dointvec: any int, read as a boolean
    ['kernel.panic', '-0', 0],
  ] as [SysctlKey, string, number | undefined][])('%s %j -> %s', (key, text, want) => {
    expect(parseKernelInteger(key, text)).toBe(want);
  });
});

describe('describeSysctlValue', () => {
  it.each([
    ['vm.panic_on_oom', 0, /no panic/],
    ['vm.panic_on_oom', 1, /memory-cgroup OOMs still kill/],
    ['vm.panic_on_oom', 2, /memory-cgroup OOMs too/],
    ['kernel.panic', 0, /hang/],
    ['kernel.panic', -1, /reboot at once/],
    ['kernel.panic', 10, /reboot in 10 s/],
    ['vm.overcommit_memory', 2, /strict/],
    ['vm.overcommit_kbytes', 0, /overcommit_ratio is in effect/],
  ] as [SysctlKey, number, RegExp][])('%s=%d', (key, v, want) => {
    expect(describeSysctlValue(key, v, LIVE)).toMatch(want);
  });
  it('says overcommit_ratio is not in effect when overcommit_kbytes is set', () => {
    expect(describeSysctlValue('vm.overcommit_ratio', 50, { ...LIVE, 'vm.overcommit_kbytes': 1000 })).toMatch(/not in effect/);
  });
});

describe('computeCommitLimit (mm/util.c vm_commit_limit())', () => {
  it('matches the CommitLimit the kernel printed in the captured meminfo', () => {
    const l = computeCommitLimit(facts, 50, 0);
    expect(l.kb).toBe(real.commitLimitKb);
    expect(l.kb).toBe(12342044); // 6171023 pages × 50 / 100 = 3085511 pages (integer division), not 12342046
    expect(l.basis).toBe('ratio');
  });
  it.each([
    // [description, facts override, ratio, kbytes, expected kB]
    ['ratio 100', {}, 100, 0, 24684092],
    ['ratio 0: swap only', {}, 0, 0, 0],
    ['1024 huge pages of 2 MiB held back', { hugetlbKb: 2097152 }, 50, 0, 11293468], // (6171023 − 524288) × 50 / 100 = 2823367 pages
    ['2 GiB of swap added', { swapTotalKb: 2097148 }, 50, 0, 12342044 + 2097148],
    ['overcommit_kbytes replaces the ratio', {}, 50, 1000000, 1000000],
    ['overcommit_kbytes not a page multiple is rounded down', {}, 50, 1001, 1000],
    ['overcommit_kbytes plus swap', { swapTotalKb: 65536 }, 0, 300000, 365536],
  ] as [string, Partial<MemoryFacts>, number, number, number][])('%s', (_name, over, ratio, kbytes, want) => {
    expect(computeCommitLimit({ ...facts, ...over }, ratio, kbytes).kb).toBe(want);
  });
});

describe('planSysctlChanges', () => {
  it('skips values already live and orders kernel.panic before panic_on_oom', () => {
    const p = planSysctlChanges(LIVE, [{ key: 'vm.panic_on_oom', value: 1 }, { key: 'kernel.panic', value: 10 }, { key: 'vm.oom_dump_tasks', value: 1 }]);
    expect(p.writes.map((w) => w.key)).toEqual(['kernel.panic', 'vm.panic_on_oom']);
    expect(p.changes.map((c) => [c.key, c.from, c.to])).toEqual([['vm.panic_on_oom', 0, 1], ['kernel.panic', 1, 10]]);
  });
  it('writing overcommit_kbytes zeroes overcommit_ratio, shown as a side effect', () => {
    const p = planSysctlChanges(LIVE, [{ key: 'vm.overcommit_kbytes', value: 1000000 }]);
    expect(p.after['vm.overcommit_ratio']).toBe(0);
    expect(p.changes.find((c) => c.key === 'vm.overcommit_ratio')).toMatchObject({ from: 50, to: 0, sideEffectOf: 'vm.overcommit_kbytes' });
  });
  it('writing overcommit_kbytes=0 zeroes the ratio too (the kernel does it on every write)', () => {
    const p = planSysctlChanges({ ...LIVE, 'vm.overcommit_kbytes': 5000, 'vm.overcommit_ratio': 0 }, [{ key: 'vm.overcommit_kbytes', value: 0 }]);
    expect(p.after).toMatchObject({ 'vm.overcommit_kbytes': 0, 'vm.overcommit_ratio': 0 });
  });
  it('with ratio and kbytes=0 both given, writes the zero first so the ratio stays', () => {
    const p = planSysctlChanges({ ...LIVE, 'vm.overcommit_kbytes': 5000, 'vm.overcommit_ratio': 0 }, [{ key: 'vm.overcommit_ratio', value: 80 }, { key: 'vm.overcommit_kbytes', value: 0 }]);
    expect(p.writes.map((w) => w.key)).toEqual(['vm.overcommit_kbytes', 'vm.overcommit_ratio']);
    expect(p.after).toMatchObject({ 'vm.overcommit_kbytes': 0, 'vm.overcommit_ratio': 80 });
  });
  it('with ratio=0 and kbytes given, writes the ratio first so kbytes stays', () => {
    const p = planSysctlChanges(LIVE, [{ key: 'vm.overcommit_kbytes', value: 4000 }, { key: 'vm.overcommit_ratio', value: 0 }]);
    expect(p.writes.map((w) => w.key)).toEqual(['vm.overcommit_ratio', 'vm.overcommit_kbytes']);
    expect(p.after).toMatchObject({ 'vm.overcommit_kbytes': 4000, 'vm.overcommit_ratio': 0 });
  });
  it('writes the CommitLimit inputs before overcommit_memory', () => {
    const p = planSysctlChanges(LIVE, [{ key: 'vm.overcommit_memory', value: 2 }, { key: 'vm.overcommit_ratio', value: 90 }]);
    expect(p.writes.map((w) => w.key)).toEqual(['vm.overcommit_ratio', 'vm.overcommit_memory']);
  });
});

describe('checkAssignments', () => {
  it('refuses ratio and kbytes both non-zero', () => {
    expect(checkAssignments([{ key: 'vm.overcommit_ratio', value: 80 }, { key: 'vm.overcommit_kbytes', value: 10 }])).toMatch(/cannot both be non-zero/);
  });
  it('refuses one key given twice with different values', () => {
    expect(checkAssignments([{ key: 'vm.panic_on_oom', value: 1 }, { key: 'vm.panic_on_oom', value: 2 }])).toMatch(/given twice/);
  });
  it('accepts ratio with kbytes=0', () => {
    expect(checkAssignments([{ key: 'vm.overcommit_ratio', value: 80 }, { key: 'vm.overcommit_kbytes', value: 0 }])).toBeUndefined();
  });
});

describe('checkSysctlPlan', () => {
  const check = (live: SysctlValues, set: [SysctlKey, number][], memory: MemoryFacts | undefined = facts, kubeletPid?: number) => {
    const a = set.map(([key, value]) => ({ key, value }));
    return checkSysctlPlan({ plan: planSysctlChanges(live, a), named: a.map((x) => x.key), memory, kubeletPid });
  };
  const codes = (f: { code: string; level: string }[]) => f.map((x) => `${x.level}:${x.code}`);

  // Committed_AS in the capture is 358904 kB. ratio 1 -> 61710 pages = 246840 kB (below it);
  // ratio 2 -> 123420 pages = 493680 kB (above it).
  it('refuses overcommit_memory=2 when Committed_AS already exceeds the new CommitLimit, with the numbers', () => {
    const f = check({ ...LIVE, 'vm.overcommit_ratio': 1 }, [['vm.overcommit_memory', 2]]);
    const r = f.find((x) => x.level === 'refusal');
    expect(r?.code).toBe('commit-limit-exceeded');
    expect(r?.message).toContain('CommitLimit 246840 kB');
    expect(r?.message).toContain(`Committed_AS is already ${facts.committedAsKb} kB`);
    expect(r?.message).toContain(`${(facts.committedAsKb as number) - 246840} kB over`);
  });
  it('allows it one ratio point higher, and says the headroom', () => {
    const f = check({ ...LIVE, 'vm.overcommit_ratio': 2 }, [['vm.overcommit_memory', 2]]);
    expect(f.some((x) => x.level === 'refusal')).toBe(false);
    expect(f.find((x) => x.code === 'commit-limit')?.message).toContain(`headroom ${493680 - (facts.committedAsKb as number)} kB`);
  });
  it('refuses lowering the ratio while strict mode is on', () => {
    expect(codes(check({ ...LIVE, 'vm.overcommit_memory': 2 }, [['vm.overcommit_ratio', 1]]))).toContain('refusal:commit-limit-exceeded');
  });
  it('refuses overcommit_kbytes below Committed_AS under strict mode, counting swap', () => {
    expect(codes(check({ ...LIVE, 'vm.overcommit_memory': 2 }, [['vm.overcommit_kbytes', 300000]]))).toContain('refusal:commit-limit-exceeded');
    expect(codes(check({ ...LIVE, 'vm.overcommit_memory': 2 }, [['vm.overcommit_kbytes', 300000]], { ...facts, swapTotalKb: 65536 }))).not.toContain('refusal:commit-limit-exceeded');
  });
  it('does not check the limit when strict mode is not involved', () => {
    expect(codes(check(LIVE, [['vm.overcommit_ratio', 1]]))).not.toContain('refusal:commit-limit-exceeded');
  });
  it('warns that writing kbytes zeroes the ratio and says which is in effect', () => {
    const f = check(LIVE, [['vm.overcommit_kbytes', 1000000]]);
    expect(f.find((x) => x.code === 'ratio-kbytes-exclusive')?.message).toMatch(/vm.overcommit_ratio from 50 to 0/);
    expect(f.find((x) => x.code === 'commit-limit-basis')?.message).toMatch(/in effect: vm.overcommit_kbytes=1000000/);
  });
  it('warns panic_on_oom with kernel.panic=0 (a hang, not a reboot)', () => {
    expect(codes(check({ ...LIVE, 'kernel.panic': 0 }, [['vm.panic_on_oom', 1]]))).toContain('warning:panic-without-reboot');
    expect(codes(check(LIVE, [['vm.panic_on_oom', 1], ['kernel.panic', 0]]))).toContain('warning:panic-without-reboot');
    expect(codes(check(LIVE, [['vm.panic_on_oom', 1]]))).not.toContain('warning:panic-without-reboot');
  });
  it('explains panic_on_oom=1 versus 2 for memory-cgroup OOMs', () => {
    expect(check(LIVE, [['vm.panic_on_oom', 1]]).find((x) => x.code === 'panic-on-oom-memcg')?.message).toMatch(/memory-cgroup .* still kill/);
    expect(check(LIVE, [['vm.panic_on_oom', 2]]).find((x) => x.code === 'panic-on-oom-memcg')?.level).toBe('warning');
  });
  it('notes that oom_kill_allocating_task never applies to memory-cgroup OOMs', () => {
    expect(codes(check(LIVE, [['vm.oom_kill_allocating_task', 1]]))).toContain('note:allocating-task-memcg');
  });
  it('warns when a change fights a running kubelet', () => {
    const f = check(LIVE, [['vm.panic_on_oom', 1], ['vm.oom_dump_tasks', 0]], facts, 4242);
    expect(f.filter((x) => x.code === 'kubelet-conflict').map((x) => x.message)).toEqual([expect.stringMatching(/kubelet \(pid 4242\) sets vm.panic_on_oom=0/)]);
    expect(codes(check(LIVE, [['vm.overcommit_memory', 1]], facts, 4242))).not.toContain('warning:kubelet-conflict');
    expect(codes(check(LIVE, [['vm.panic_on_oom', 1]], facts, undefined))).not.toContain('warning:kubelet-conflict');
  });
});

describe('riskyReasons', () => {
  it.each([
    [[['vm.panic_on_oom', 1]], true],
    [[['vm.panic_on_oom', 0]], false],
    [[['vm.overcommit_memory', 2]], true],
    [[['vm.overcommit_memory', 1]], false],
    [[['kernel.panic', 10]], true],
    [[['vm.oom_dump_tasks', 0]], false],
    [[['vm.overcommit_ratio', 80]], false],
  ] as [[SysctlKey, number][], boolean][])('%j risky=%s', (set, risky) => {
    const p = planSysctlChanges(LIVE, set.map(([key, value]) => ({ key, value })));
    expect(riskyReasons(p).length > 0).toBe(risky);
  });
  it('a ratio change under strict mode is risky', () => {
    expect(riskyReasons(planSysctlChanges({ ...LIVE, 'vm.overcommit_memory': 2 }, [{ key: 'vm.overcommit_ratio', value: 80 }]))).toHaveLength(1);
  });
  it('panic_on_oom going back to 0 is not risky', () => {
    expect(riskyReasons(planSysctlChanges({ ...LIVE, 'vm.panic_on_oom': 1 }, [{ key: 'vm.panic_on_oom', value: 0 }]))).toEqual([]);
  });
});
