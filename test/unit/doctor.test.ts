import { describe, expect, it } from 'vitest';
import { computeFindings, failsAt, type DoctorFacts, type Finding } from '../../src/kernel/doctor.js';

/** A machine with nothing to report but its cgroup version (v2: info). */
function healthy(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    sysctl: { 'vm.panic_on_oom': 0, 'vm.overcommit_memory': 0, 'vm.overcommit_ratio': 50, 'vm.oom_kill_allocating_task': 0, 'vm.oom_dump_tasks': 1, 'kernel.panic': 0 },
    memTotalKb: 8 * 1024 * 1024,
    swapTotalKb: 0,
    commitLimitKb: 4 * 1024 * 1024,
    committedAsKb: 2 * 1024 * 1024,
    psi: true,
    memoryCgroup: 2,
    cgroup2Mounted: true,
    adjMin: [],
    kubelets: [],
    nodeVersion: '20.20.2',
    systemdOomctl: undefined,
    pathOomctl: undefined,
    oomKills: 0,
    ...over,
  };
}

const sys = (s: Record<string, number | null>) => ({ sysctl: { ...healthy().sysctl, ...s } });

const codes = (f: readonly Finding[]) => f.map((x) => `${x.code}:${x.severity}`);

describe('computeFindings', () => {
  it('reports only the cgroup version on a healthy machine', () => {
    expect(codes(computeFindings(healthy()))).toEqual(['OOM010:info']);
  });

  it.each<[string, Partial<DoctorFacts>, string[]]>([
    ['ours shadows systemd\'s', { systemdOomctl: '/usr/bin/oomctl', pathOomctl: { path: '/usr/local/bin/oomctl', kind: 'ours' } }, ['OOM001:info']],
    ['systemd\'s comes first on PATH', { systemdOomctl: '/usr/bin/oomctl', pathOomctl: { path: '/usr/bin/oomctl', kind: 'systemd' } }, ['OOM002:warning']],
    ['ours alone on PATH', { pathOomctl: { path: '/usr/local/bin/oomctl', kind: 'ours' } }, []],
    ['strict overcommit without swap', sys({ 'vm.overcommit_memory': 2 }), ['OOM003:warning']],
    ['strict overcommit with swap', { ...sys({ 'vm.overcommit_memory': 2 }), swapTotalKb: 1024 }, []],
    ['panic without reboot', sys({ 'vm.panic_on_oom': 1 }), ['OOM004:critical', 'OOM005:info']],
    ['panic with reboot', sys({ 'vm.panic_on_oom': 1, 'kernel.panic': 10 }), ['OOM005:info']],
    ['panic on every OOM, with reboot', sys({ 'vm.panic_on_oom': 2, 'kernel.panic': 10 }), ['OOM006:warning']],
    ['panic on every OOM, no reboot', sys({ 'vm.panic_on_oom': 2 }), ['OOM004:critical', 'OOM006:warning']],
    ['panic_on_oom unreadable', sys({ 'vm.panic_on_oom': null }), []],
    ['small -1000 processes', { adjMin: [{ pid: 500, comm: 'sshd', user: 'root', rssKb: 8192 }] }, ['OOM007:info']],
    ['big -1000 processes', { adjMin: [{ pid: 600, comm: 'db', user: 'db', rssKb: 2 * 1024 * 1024 }] }, ['OOM007:warning']],
    ['kubelet running', { kubelets: [{ pid: 900 }] }, ['OOM008:warning']],
    ['no PSI', { psi: false }, ['OOM009:warning']],
    ['node too old', { nodeVersion: '18.19.0' }, ['OOM013:critical']],
    ['allocating task', sys({ 'vm.oom_kill_allocating_task': 1 }), ['OOM014:warning']],
    ['no task dump', sys({ 'vm.oom_dump_tasks': 0 }), ['OOM015:warning']],
    ['OOM kills this boot', { oomKills: 38 }, ['OOM017:warning']],
    ['OOM kill count unknown (kernel < 4.13)', { oomKills: null }, []],
    ['over-committed, heuristic', { committedAsKb: 5 * 1024 * 1024 }, ['OOM016:info']],
    ['over-committed, strict', { ...sys({ 'vm.overcommit_memory': 2 }), committedAsKb: 5 * 1024 * 1024 }, ['OOM016:critical', 'OOM003:warning']],
  ])('%s', (_name, over, expected) => {
    const found = codes(computeFindings(healthy(over))).filter((c) => c !== 'OOM010:info');
    expect(found).toEqual(expected);
  });

  it('OOM017 gives the count from /proc/vmstat oom_kill', () => {
    const f = computeFindings(healthy({ oomKills: 38 })).find((x) => x.code === 'OOM017');
    expect(f?.title).toBe('38 OOM kills since boot');
    expect(f?.detail).toMatch(/^\/proc\/vmstat oom_kill = 38: .* has killed 38 processes/);
    expect(computeFindings(healthy({ oomKills: 1 })).find((x) => x.code === 'OOM017')?.title).toBe('1 OOM kill since boot');
  });

  it.each<[1 | 2 | null, boolean, string]>([
    [2, true, 'OOM010:info'],
    [1, true, 'OOM011:warning'],
    [1, false, 'OOM011:warning'],
    [null, false, 'OOM012:warning'],
  ])('memory cgroup v%s (cgroup2 mounted: %s) -> %s', (v, mounted, expected) => {
    expect(codes(computeFindings(healthy({ memoryCgroup: v, cgroup2Mounted: mounted })))).toEqual([expected]);
  });

  it('puts numbers in the detail', () => {
    const [strict] = computeFindings(healthy({ ...sys({ 'vm.overcommit_memory': 2 }), memoryCgroup: 2 }));
    expect(strict?.detail).toContain('4096 MiB of 8192 MiB RAM (50.0%)');
    const adj = computeFindings(healthy({ adjMin: [{ pid: 500, comm: 'sshd', user: 'root', rssKb: 8192 }, { pid: 7, comm: 'x', user: undefined, rssKb: 1024 }] })).find((f) => f.code === 'OOM007');
    expect(adj?.title).toBe('2 processes at oom_score_adj -1000 (never killed)');
    expect(adj?.detail).toContain('500 (sshd, root, 8 MiB), 7 (x, ?, 1 MiB); together 9 MiB resident, 0.1% of RAM');
  });

  it('says which values kubelet will change', () => {
    const k = computeFindings(healthy({ kubelets: [{ pid: 900 }] })).find((f) => f.code === 'OOM008');
    expect(k?.detail).toContain('vm.overcommit_memory 0 -> 1, kernel.panic 0 -> 10');
    expect(k?.detail).not.toContain('vm.panic_on_oom 0 ->');
  });

  it('sorts most severe first, then by code', () => {
    const all = computeFindings(healthy({ ...sys({ 'vm.panic_on_oom': 1, 'vm.oom_dump_tasks': 0 }), psi: false, memoryCgroup: 1 }));
    expect(codes(all)).toEqual(['OOM004:critical', 'OOM009:warning', 'OOM011:warning', 'OOM015:warning', 'OOM005:info']);
  });
});

describe('failsAt', () => {
  const f = computeFindings(healthy({ psi: false }));
  it.each<['info' | 'warning' | 'critical', boolean]>([['info', true], ['warning', true], ['critical', false]])('threshold %s -> %s', (t, expected) => {
    expect(failsAt(f, t)).toBe(expected);
  });
});
