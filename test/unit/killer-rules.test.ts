// The kubelet's adj formula and eviction rules, systemd-oomd's and earlyoom's
// choices, against their source (see the citations in src/kernel/).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adjMatchesQos, computeContainerOomScoreAdj, computeMemoryAvailable, evictionDistances, evictionThresholds, explainContainerAdj, rankEvictionFromDisk, rankMemoryPressure,
} from '../../src/kernel/kubelet.js';
import { chooseEarlyoomVictim, computeEarlyoomMemState, computeEarlyoomThresholds, type EarlyoomProcess } from '../../src/kernel/earlyoom.js';
import { computeOomdConfig, predictOomdPressure, predictOomdSwap } from '../../src/kernel/oomd.js';
import { parseEarlyoomArgs, parseEarlyoomDefault, parseTermKillTuple } from '../../src/parse/earlyoom-args.js';
import { parseKubeletConfig, parseQuantity } from '../../src/parse/kubelet-config.js';
import { parseIniSections, parsePermyriad, parseTimespanUsec } from '../../src/parse/systemd-settings.js';
import { readKubeletConfig, readNodeMemory } from '../../src/system/kubelet-node.js';
import { readOomdState } from '../../src/system/oomd-state.js';
import type { ProcessRecord } from '../../src/system/procfs.js';
import { SystemRoot } from '../../src/system/root.js';
import { dropinDirNames, readUnitSettings } from '../../src/system/systemd-units.js';

const FIX = path.resolve('test/fixtures');
const Gi = 1024n ** 3n;

describe('kubelet GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go)', () => {
  const cap = 16n * Gi;
  it.each([
    ['guaranteed', 0n, undefined, -997],
    ['besteffort', 0n, undefined, 1000],
    ['burstable', (cap + 9n) / 10n, undefined, 900],
    ['burstable', cap / 10n, undefined, 901], // 16 GiB / 10 rounds down: 99.99… -> 99
    ['burstable', 0n, undefined, 999], // 1000 -> 999: never equal to BestEffort
    ['burstable', 1n, undefined, 999],
    ['burstable', cap, undefined, 3], // floor 1000 + (-997)
    ['burstable', cap * 2n, undefined, 3],
    ['guaranteed', 0n, '<1.15', -998],
    ['burstable', cap, '<1.15', 2],
  ] as const)('%s request %s era %s -> %s', (qos, req, era, want) => {
    expect(computeContainerOomScoreAdj({ qos, memoryRequestBytes: req, memoryCapacityBytes: cap, ...(era ? { era } : {}) })).toBe(want);
  });
  it('node-critical pods get the Guaranteed adj whatever their class', () => {
    expect(computeContainerOomScoreAdj({ qos: 'besteffort', memoryRequestBytes: 0n, memoryCapacityBytes: cap, nodeCritical: true })).toBe(-997);
  });
  it('a sidecar never gets a higher adj than the smallest regular container', () => {
    expect(computeContainerOomScoreAdj({ qos: 'burstable', memoryRequestBytes: 0n, memoryCapacityBytes: cap, sidecarMinRegularRequestBytes: cap / 4n })).toBe(750);
  });
  it('integer division as Go: 1000·req/cap truncated', () => {
    // 1000·(1 GiB + 1)/16 GiB = 62.5… -> 62 -> 938
    expect(computeContainerOomScoreAdj({ qos: 'burstable', memoryRequestBytes: Gi + 1n, memoryCapacityBytes: cap })).toBe(938);
  });
});

describe('explainContainerAdj: the inverse', () => {
  const cap = 16n * Gi;
  it('a Burstable adj implies a request interval that maps back to it', () => {
    for (const adj of [4, 100, 500, 900, 938, 998]) {
      const m = explainContainerAdj(adj, cap);
      expect(m.kind).toBe('burstable');
      if (m.kind !== 'burstable' || m.maxBytes === null) throw new Error('unbounded');
      expect(computeContainerOomScoreAdj({ qos: 'burstable', memoryRequestBytes: m.minBytes, memoryCapacityBytes: cap })).toBe(adj);
      expect(computeContainerOomScoreAdj({ qos: 'burstable', memoryRequestBytes: m.maxBytes - 1n, memoryCapacityBytes: cap })).toBe(adj);
      expect(computeContainerOomScoreAdj({ qos: 'burstable', memoryRequestBytes: m.maxBytes, memoryCapacityBytes: cap })).not.toBe(adj);
    }
  });
  it('≈ (1000 − adj)·capacity/1000', () => {
    const m = explainContainerAdj(900, cap);
    expect(m).toMatchObject({ kind: 'burstable' });
    if (m.kind === 'burstable') expect(Number(m.minBytes) / Number(cap)).toBeCloseTo(0.1, 3);
  });
  it('classes and impossible values', () => {
    expect(explainContainerAdj(-997, cap).kind).toBe('guaranteed');
    expect(explainContainerAdj(1000, cap).kind).toBe('besteffort');
    expect(explainContainerAdj(-999, cap).kind).toBe('kubelet-or-kube-proxy');
    expect(explainContainerAdj(3, cap)).toMatchObject({ kind: 'burstable', maxBytes: null });
    expect(explainContainerAdj(999, cap)).toMatchObject({ kind: 'burstable', minBytes: 0n });
    for (const bad of [0, -998, 2, -500, 1]) expect(explainContainerAdj(bad, cap).kind).toBe('impossible');
    expect(explainContainerAdj(-998, cap, '<1.15').kind).toBe('guaranteed');
    expect(adjMatchesQos(1000, 'burstable')).toBe(false);
    expect(adjMatchesQos(-997, 'besteffort')).toBe(true); // node-critical
    expect(adjMatchesQos(500, 'burstable')).toBe(true);
  });
});

describe('eviction', () => {
  it('defaults when evictionHard is absent; only what is listed when present; merge flag', () => {
    expect(evictionThresholds(undefined).thresholds).toEqual([{ signal: 'memory.available', value: { bytes: 100 * 2 ** 20 }, hard: true, gracePeriod: null, source: 'default' }]);
    expect(evictionThresholds(parseKubeletConfig('evictionHard:\n  nodefs.available: "5%"\n')).thresholds).toEqual([]);
    expect(evictionThresholds(parseKubeletConfig('evictionHard: {}\n')).thresholds).toEqual([]);
    const merged = evictionThresholds(parseKubeletConfig('mergeDefaultEvictionSettings: true\nevictionHard:\n  nodefs.available: "5%"\n'));
    expect(merged.thresholds.map((t) => t.source)).toEqual(['default']);
    const pct = evictionThresholds(parseKubeletConfig('evictionHard:\n  memory.available: "5%"\nevictionSoft:\n  memory.available: "0%"\n'));
    expect(pct.thresholds).toEqual([{ signal: 'memory.available', value: { fraction: 0.05 }, hard: true, gracePeriod: null, source: 'config' }]);
    expect(evictionThresholds(parseKubeletConfig('evictionHard:\n  memory.available: "lots"\n')).problems).toHaveLength(1);
  });
  it('parses quantities as apimachinery does', () => {
    expect(parseQuantity('100Mi')).toBe(104857600);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('12 Mi')).toBeUndefined();
  });
  it('memory.available = capacity − (usage − inactive_file), on the v1 and v2 fixtures', () => {
    const v1 = readNodeMemory(new SystemRoot(path.join(FIX, 'owners-k8s-cgroupfs-v1')));
    expect(v1).toEqual({ capacityBytes: 12234472 * 1024, usageBytes: 7_600_000_000, inactiveFileBytes: 1_500_000_000 });
    expect(computeMemoryAvailable(v1!)).toEqual({ workingSetBytes: 6_100_000_000, availableBytes: 12234472 * 1024 - 6_100_000_000 });
    const v2 = readNodeMemory(new SystemRoot(path.join(FIX, 'owners-k8s-systemd-v2')));
    expect(v2).toEqual({ capacityBytes: 16303984 * 1024, usageBytes: 15_300_000_000, inactiveFileBytes: 800_000_000 });
    const cfg = readKubeletConfig(new SystemRoot(path.join(FIX, 'owners-k8s-systemd-v2')));
    const d = evictionDistances(evictionThresholds(cfg.config).thresholds, v2!);
    // 16303984 KiB − 14.5 GB = 2,195,279,616 B available: 2,090,422,016 B above 100Mi.
    expect(d[0]).toMatchObject({ thresholdBytes: 104857600, headroomBytes: 16303984 * 1024 - 14_500_000_000 - 104857600, met: false });
    const c1 = readKubeletConfig(new SystemRoot(path.join(FIX, 'owners-k8s-cgroupfs-v1')));
    const d1 = evictionDistances(evictionThresholds(c1.config).thresholds, v1!);
    expect(d1.map((x) => [x.threshold.hard, x.thresholdBytes])).toEqual([[false, 2 ** 30], [true, 500 * 2 ** 20]]);
    expect(d1[0]?.threshold.gracePeriod).toBe('1m30s');
  });
  it('a broken kubelet config is a warning naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-owners-kubelet-'));
    try {
      cpSync(path.join(FIX, 'owners-k8s-systemd-v2/var'), path.join(dir, 'var'), { recursive: true, verbatimSymlinks: true });
      writeFileSync(path.join(dir, 'var/lib/kubelet/config.yaml'), 'evictionHard: [memory.available\n  : : :');
      const r = readKubeletConfig(new SystemRoot(dir));
      expect(r.config).toBeUndefined();
      expect(r.warning).toMatchObject({ code: 'unreadable-kubelet-config', file: '/var/lib/kubelet/config.yaml' });
      writeFileSync(path.join(dir, 'var/lib/kubelet/config.yaml'), 'evictionHard: "100Mi"\n');
      expect(readKubeletConfig(new SystemRoot(dir)).warning?.detail).toMatch(/evictionHard is not a map/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('rankEvictionFromDisk: requests implied by QoS, exceeds known first, unknown Burstable between', () => {
    const r = rankEvictionFromDisk([
      { id: 'g', qos: 'guaranteed', workingSetBytes: 90, limitBytes: 100 },
      { id: 'b', qos: 'burstable', workingSetBytes: 500, limitBytes: null },
      { id: 'e1', qos: 'besteffort', workingSetBytes: 10, limitBytes: null },
      { id: 'e2', qos: 'besteffort', workingSetBytes: 20, limitBytes: null },
      { id: 'g2', qos: 'guaranteed', workingSetBytes: 50, limitBytes: null },
      { id: 'e0', qos: 'besteffort', workingSetBytes: 0, limitBytes: null },
    ]);
    expect(r.map((x) => x.pod.id)).toEqual(['e2', 'e1', 'b', 'g2', 'e0', 'g']);
    expect(r.map((x) => x.exceedsRequest)).toEqual([true, true, null, null, false, false]);
    expect(r.find((x) => x.pod.id === 'g')!.usageOverRequestBytes).toBe(-10);
    expect(r.find((x) => x.pod.id === 'g2')!.requestBytes).toBeNull();
    expect(r[0]!.unknown).toEqual(['priority']);
  });

  it('rankMemoryPressure: exceeds requests, then priority, then usage above request', () => {
    const Mi = 2 ** 20;
    const r = rankMemoryPressure([
      { id: 'guaranteed-big', usageBytes: 900 * Mi, requestBytes: 1024 * Mi, priority: 0 },
      { id: 'besteffort-small', usageBytes: 50 * Mi, requestBytes: 0, priority: 0 },
      { id: 'burstable-over', usageBytes: 600 * Mi, requestBytes: 100 * Mi, priority: 0 },
      { id: 'critical-over', usageBytes: 2000 * Mi, requestBytes: 100 * Mi, priority: 2000001000 },
      { id: 'low-prio-under', usageBytes: 10 * Mi, requestBytes: 100 * Mi, priority: -10 },
    ]);
    expect(r.order.map((p) => p.id)).toEqual(['burstable-over', 'besteffort-small', 'critical-over', 'low-prio-under', 'guaranteed-big']);
    expect(r.complete).toBe(true);
    expect(rankMemoryPressure([{ id: 'x', usageBytes: 1, requestBytes: undefined, priority: 0 }]).complete).toBe(false);
  });
});

describe('systemd settings', () => {
  it('INI: last assignment wins, an empty one resets, continuation lines', () => {
    const a = parseIniSections('[Service]\nA=1\nA=2\nB=x\nB=\nC=one \\\n two\n[Install]\nD=1\n', ['Service']);
    expect([...a]).toEqual([['A', '2'], ['C', 'one   two']]);
  });
  it('permyriad and time spans', () => {
    expect(parsePermyriad('60%')).toBe(6000);
    expect(parsePermyriad('50.5%')).toBe(5050);
    expect(parsePermyriad('80‰')).toBe(800);
    expect(parsePermyriad('101%')).toBeUndefined();
    expect(parseTimespanUsec('20s')).toBe(20e6);
    expect(parseTimespanUsec('1min 30s')).toBe(90e6);
    expect(parseTimespanUsec('20')).toBe(20e6);
    expect(parseTimespanUsec('soon')).toBeUndefined();
  });
  it('drop-in folders as systemd orders them', () => {
    expect(dropinDirNames('user@1000.service')).toEqual(['service.d', 'user@.service.d', 'user@1000.service.d']);
    expect(dropinDirNames('user-1000.slice')).toEqual(['slice.d', 'user-.slice.d', 'user-1000.slice.d']);
  });
  it('a unit resolves through its template drop-ins (user@1000.service -> user@.service.d)', () => {
    const s = readUnitSettings(new SystemRoot(path.join(FIX, 'owners-oomd-host')), 'user@1000.service');
    expect(s.assignments.get('ManagedOOMMemoryPressure')).toBe('kill');
    expect(s.assignments.get('ManagedOOMMemoryPressureLimit')).toBe('50%');
    expect(s.files).toEqual(['/usr/lib/systemd/system/user@.service.d/10-oomd-user-service-defaults.conf']);
  });
});

describe('systemd-oomd prediction on owners-oomd-host', () => {
  it('config: defaults, drop-in duration, invalid values kept at default', () => {
    expect(computeOomdConfig(new Map())).toMatchObject({ swapUsedLimitPermyriad: 9000, defaultMemPressureLimitPermyriad: 6000, defaultMemPressureDurationUsec: 30e6 });
    expect(computeOomdConfig(new Map([['SwapUsedLimit', 'lots']])).invalid).toEqual([{ key: 'SwapUsedLimit', value: 'lots' }]);
  });

  it('reads the tree, the monitored units and predicts both rules', async () => {
    const st = await readOomdState(new SystemRoot(path.join(FIX, 'owners-oomd-host')));
    expect(st).toBeDefined();
    if (!st) return;
    expect(st.config.defaultMemPressureDurationUsec).toBe(20e6);
    expect(st.monitored.map((m) => [m.unit, m.swapKill, m.pressureKill, m.pressureLimitPermyriad])).toEqual([
      ['-.slice', true, false, null],
      ['user@1000.service', false, true, 5000],
    ]);
    // The #25853 kill line: both above 90 %.
    const swap = predictOomdSwap(st.config, st.system, st.monitored, st.byPath, st.childrenOf);
    expect(swap).toMatchObject({ memBelow: true, swapBelow: true, triggered: true });
    // Candidates under "/": leaves, and the oom.group Chromium scope (not its child). Sorted by swap, avoid last.
    const order = swap.ranked.map((r) => [r.cgroup.path.split('/').at(-1), r.skipped]);
    expect(order[0]).toEqual(['app-org.chromium.Chromium-4410.scope', null]);
    expect(order.map((o) => o[0])).not.toContain('renderer');
    expect(swap.victim?.path).toMatch(/Chromium-4410\.scope$/);
    if (st.preferenceSource === 'unit-file') {
      // No xattr reader here: ManagedOOMPreference=avoid from the drop-in puts backup.service last.
      expect(order.at(-1)).toEqual(['backup.service', null]);
    }
    const skipped = swap.ranked.filter((r) => r.skipped === 'swap-below-threshold').map((r) => r.cgroup.path.split('/').at(-1));
    // 5 % of 8388604 KiB = 429,496,524 B: postgresql (300 MB) and the empty/init scopes are skipped.
    expect(skipped).toEqual(expect.arrayContaining(['postgresql.service', 'app-empty-1.scope', 'init.scope']));

    const [pressure] = predictOomdPressure(st.config, st.monitored, st.byPath, st.childrenOf);
    expect(pressure).toMatchObject({ limitPermyriad: 5000, durationUsec: 20e6, above: true, reclaimActive: undefined });
    // First round of a trigger: last_pgscan 0, so the cumulative pgscan ranks (Chromium 4.9M before Slack 3.0M).
    expect(pressure?.ranked.map((r) => r.cgroup.path.split('/').at(-1))).toEqual([
      'app-org.chromium.Chromium-4410.scope', 'app-gnome-slack-96235.scope', 'init.scope', 'app-empty-1.scope',
    ]);
    expect(pressure?.ranked.at(-1)?.skipped).toBe('no-reclaim-and-no-memory');
    // A later round: the rate since the previous sample decides.
    const later = predictOomdPressure(st.config, st.monitored, st.byPath, st.childrenOf, { lastPgscan: new Map([
      ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.chromium.Chromium-4410.scope', 4_899_000],
      ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-slack-96235.scope', 2_934_276],
    ]) });
    expect(later[0]?.victim?.path).toMatch(/slack-96235\.scope$/);
  });
});

describe('earlyoom', () => {
  it('parses its command line as getopt_long does', () => {
    const a = parseEarlyoomArgs(['-m', '15,3', '-s20', '--prefer=(^|/)chrome$', '--avoi', '^sshd$', '--ignore-root-user', '-r', '60', '-n'], 16_000_000, 8_000_000);
    expect(a).toMatchObject({ m: { term: 15, kill: 3 }, s: { term: 20, kill: 10 }, prefer: '(^|/)chrome$', avoid: '^sshd$', ignoreRootUser: true, errors: [] });
    expect(parseEarlyoomArgs(['-m', '100'], 1, 1).errors).toEqual(['-m: value 100 exceeds limit 99']);
    expect(parseEarlyoomArgs(['--bogus'], 1, 1).errors).toHaveLength(1);
    expect(parseTermKillTuple('4,8', 99)).toEqual({ term: 8, kill: 8 });
    expect(parseTermKillTuple('0', 99)).toBe('both SIGTERM and SIGKILL values are zero');
  });
  it('reads /etc/default/earlyoom as systemd passes $EARLYOOM_ARGS', () => {
    expect(parseEarlyoomDefault('# x\nEARLYOOM_ARGS="-r 3600"\n')).toEqual(['-r', '3600']);
    expect(parseEarlyoomDefault(`EARLYOOM_ARGS="-m 5 --avoid '(^|/)(init|X|sshd|firefox)$'"\n`)).toEqual(['-m', '5', '--avoid', '(^|/)(init|X|sshd|firefox)$']);
    expect(parseEarlyoomDefault('OTHER=1\n')).toBeUndefined();
  });
  it('thresholds: -M merges with -m (the lower wins), percent of MemTotal', () => {
    const a = parseEarlyoomArgs(['-m', '10', '-M', '409600'], 8_192_000, 0);
    expect(computeEarlyoomThresholds(a, 8_192_000, 0)).toMatchObject({ memTermPercent: 5, memKillPercent: 2.5 });
  });
  it('1.8+ measures against UserMemTotal = MemAvailable + AnonPages', () => {
    const t = computeEarlyoomThresholds(parseEarlyoomArgs([], 0, 0), 0, 0);
    const m = { memTotalKib: 16_000_000, memAvailableKib: 1_000_000, anonPagesKib: 11_000_000, swapTotalKib: 0, swapFreeKib: 0 };
    // 1e6/12e6 = 8.33 % <= 10 % and no swap (0 % <= 10 %): SIGTERM. Before 1.8: 6.25 % of MemTotal, also SIGTERM.
    expect(computeEarlyoomMemState(m, t)).toMatchObject({ userMemTotalKib: 12_000_000, signal: 'SIGTERM', memToTermKib: 0 });
    const calm = computeEarlyoomMemState({ ...m, memAvailableKib: 3_000_000 }, t);
    expect(calm.signal).toBeNull();
    // 3e6 of 14e6 = 21.43 %: 11.43 % of 14e6 KiB above the 10 % line.
    expect(calm.memToTermKib).toBe(1_600_000);
    expect(computeEarlyoomMemState({ ...m, memAvailableKib: 3_000_000 }, t, '<1.8').memAvailablePercent).toBeCloseTo(18.75, 5);
  });
  it('victim: largest oom_score, prefer/avoid ±300, ignore, root, kernel threads, −1000', () => {
    const p = (pid: number, comm: string, oomScore: number, rssKib: number, extra: Partial<EarlyoomProcess> = {}): EarlyoomProcess => ({ pid, ppid: 1, uid: 1000, comm, oomScore, oomScoreAdj: 0, rssKib, ...extra });
    const procs = [p(1, 'systemd', 0, 9000), p(50, 'kworker', 900, 0, { ppid: 2 }), p(100, 'firefox', 600, 4_000_000), p(200, 'sshd', 700, 10_000), p(300, 'tail', 400, 3_000_000), p(400, 'prot', 990, 5_000_000, { oomScoreAdj: -1000 }), p(500, 'rootd', 800, 100, { uid: 0 })];
    expect(chooseEarlyoomVictim(procs, parseEarlyoomArgs([], 1, 1)).victim?.pid).toBe(500);
    expect(chooseEarlyoomVictim(procs, parseEarlyoomArgs(['--ignore-root-user'], 1, 1)).victim?.pid).toBe(200);
    expect(chooseEarlyoomVictim(procs, parseEarlyoomArgs(['--ignore-root-user', '--avoid', '^sshd$'], 1, 1)).victim?.pid).toBe(100);
    expect(chooseEarlyoomVictim(procs, parseEarlyoomArgs(['--ignore-root-user', '--prefer', '^tail$'], 1, 1)).victim).toEqual({ pid: 300, score: 700, rssKib: 3_000_000 });
    expect(chooseEarlyoomVictim(procs, parseEarlyoomArgs(['--ignore', '^(rootd|sshd)$'], 1, 1)).victim?.pid).toBe(100);
    // Tie on oom_score: the larger VmRSS.
    expect(chooseEarlyoomVictim([p(10, 'a', 500, 100), p(11, 'b', 500, 200)], parseEarlyoomArgs([], 1, 1)).victim?.pid).toBe(11);
    expect(chooseEarlyoomVictim([p(10, 'a', 1, 1)], parseEarlyoomArgs(['--prefer', '(['], 1, 1)).badRegex).toEqual(['([']);
  });
});

describe('systemd-oomd preference xattrs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-owners-xattr-'));
  cpSync(path.join(FIX, 'owners-oomd-host'), dir, { recursive: true });
  const target = path.join(dir, 'sys/fs/cgroup/system.slice/postgresql.service');
  const set = spawnSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.oomd_avoid", b"1")', target]);
  const why = set.error ? 'python3 is not installed' : set.status !== 0 ? `cannot set user xattrs in ${tmpdir()}: ${set.stderr.toString().trim()}` : undefined;
  if (why) console.log(`skipping xattr test: ${why}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(why !== undefined)('user.oomd_avoid sorts a cgroup after all others; the unit file no longer counts once xattrs are read', async () => {
    const st = await readOomdState(new SystemRoot(dir));
    expect(st?.preferenceSource).not.toBe('unit-file');
    const ranked = predictOomdSwap(st!.config, st!.system, st!.monitored, st!.byPath, st!.childrenOf).ranked;
    expect(ranked.at(-1)?.cgroup.path).toBe('/system.slice/postgresql.service');
    expect(ranked.at(-1)?.cgroup.preference).toBe('avoid');
    expect(st!.byPath.get('/system.slice/backup.service')?.preference).toBe('none');
  });
});

describe('readKillerReport: the killers before the kernel, in one call', () => {
  it('kubelet on the k8s v2 node: defaults, distance to eviction', async () => {
    const { readKillerReport } = await import('../../src/system/killers.js');
    const r = await readKillerReport(new SystemRoot(path.join(FIX, 'owners-k8s-systemd-v2')), []);
    expect(r.kubelet?.config.present).toBe(true);
    expect(r.kubelet?.distances.map((d) => [d.threshold.source, d.thresholdBytes, d.met])).toEqual([['default', 104857600, false]]);
    expect(r.kubelet?.memoryAvailableBytes).toBe(16303984 * 1024 - 14_500_000_000);
    expect(r.earlyoom).toBeUndefined();
  });

  it('oomd and a running earlyoom on the oomd host', async () => {
    const { readKillerReport } = await import('../../src/system/killers.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-owners-killers-'));
    try {
      cpSync(path.join(FIX, 'owners-oomd-host'), dir, { recursive: true });
      const put = (rel: string, text: string): void => {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      };
      put('proc/900/comm', 'earlyoom\n');
      put('proc/900/cmdline', '/usr/bin/earlyoom\0-r\x003600\0-m\x005\0--avoid\0^(sshd|Xorg)$\0');
      put('etc/default/earlyoom', 'EARLYOOM_ARGS="-m 20"\n');
      const rec = (pid: number, comm: string, oomScore: number, rssKb: number): ProcessRecord => ({
        pid, comm, state: 'S', ppid: 1, starttime: 1, uid: 1000, rssAnonKb: rssKb, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pgtablesKb: 0,
        kernelThread: false, hasMm: true, capSysAdmin: false, oomScore, oomScoreAdj: 0, cgroups: undefined, cmdline: undefined,
      });
      const r = await readKillerReport(new SystemRoot(dir), [rec(300, 'Xorg', 700, 500_000), rec(400, 'chrome', 500, 9_000_000)]);
      expect(r.kubelet).toBeUndefined();
      expect(r.oomd?.swap.triggered).toBe(true);
      expect(r.oomd?.pressure[0]?.above).toBe(true);
      // The running one's command line wins over /etc/default/earlyoom.
      expect(r.earlyoom?.found).toMatchObject({ pid: 900, source: 'cmdline' });
      expect(r.earlyoom?.thresholds.memTermPercent).toBe(5);
      // MemAvailable 228412 of UserMemTotal 15428412 KiB = 1.48 % <= 5 %, SwapFree 826328/8388604 = 9.85 % <= 10 %:
      // SIGTERM; not SIGKILL, which needs swap <= 5 %.
      expect(r.earlyoom?.memory.signal).toBe('SIGTERM');
      expect(r.earlyoom?.choice.victim?.pid).toBe(400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('oomd owner check (oomd_fetch_cgroup_oom_preference, PR #23764)', () => {
  it('a user-owned cgroup keeps its xattr for a prefix of the same owner only', async () => {
    const { effectivePreference } = await import('../../src/kernel/oomd.js');
    const c = { path: '/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope', hasChildren: false, oomGroup: false, memoryCurrent: 1, swapCurrent: 1, pgscan: 1, fullAvg10: 0, preference: 'avoid' as const, ownerUid: 1000 };
    expect(effectivePreference(c, 1000)).toBe('avoid'); // pressure rule under user@1000.service (owned by 1000)
    expect(effectivePreference(c, 0)).toBe('none'); // swap rule: prefix "/"
    expect(effectivePreference({ ...c, ownerUid: 0 }, 1000)).toBe('avoid'); // root's cgroups always count
    expect(effectivePreference({ ...c, ownerUid: undefined }, 1000)).toBe('none'); // cg_get_owner failed
  });
});
