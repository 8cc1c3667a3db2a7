// The forecast's model: what each killer watches, the projected ranking, and
// the parsers of its inputs (zoneinfo captured on this VM, earlyoom's
// command line, oomd.conf, the kubelet's config.yaml).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  earlyoomVictim, kubeletAvailableBytes, machineLevelBytes, memcgCapacityBytes,
  memcgLevelBytes, projectTask, rankNow, rankProjected, secondsToBothBelow, taskGrowths, type ForecastSample, type MeminfoSample,
} from '../../src/kernel/forecast.js';
import { classifyGrowth } from '../../src/kernel/forecast-fit.js';
import type { Candidate } from '../../src/kernel/rank.js';
import type { KernelModel } from '../../src/kernel/era.js';
import { parseEarlyoomArgs as parseArgs, parseEarlyoomVersion } from '../../src/parse/earlyoom-args.js';
import { computeEarlyoomMemState, computeEarlyoomThresholds as earlyoomThresholds, earlyoomEraOf } from '../../src/kernel/earlyoom.js';
import { computeOomdConfig } from '../../src/kernel/oomd.js';
import { evictionThresholds } from '../../src/kernel/kubelet.js';
import { parseIniSections } from '../../src/parse/systemd-settings.js';
import { KubeletConfigError, parseEvictionHardFlag, parseKubeletConfig, parseQuantity } from '../../src/parse/kubelet-config.js';
import { parseZoneinfo, sumMinWatermarks } from '../../src/parse/zoneinfo.js';
import { fileLruBytes, parseMemoryStat } from '../../src/parse/memory-stat.js';
import { FIXTURES } from '../helpers/run-cli.js';

const MiB = 1024 * 1024;
const MODEL: KernelModel = { release: '6.18.44', version: { major: 6, minor: 18, patch: 44 }, era: 'v5.9+', tieRule: 'last-scanned' };

const MEM: MeminfoSample = {
  memTotalKb: 24684092, memFreeKb: 22000000, memAvailableKb: 23500000, activeFileKb: 700000, inactiveFileKb: 750000,
  anonPagesKb: 130000, cachedKb: 1500000, buffersKb: 5000, swapTotalKb: 0, swapFreeKb: 0,
};

describe('parseZoneinfo (captured on this VM, 6.18)', () => {
  const zones = parseZoneinfo(readFileSync(path.join(FIXTURES, 'forecast/zoneinfo-6.18'), 'utf8'));
  it('reads each zone\'s min watermark, not the pagesets\' high_min', () => {
    expect(zones.map((z) => z.zone)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
    expect(zones.map((z) => z.minPages)).toEqual([39, 8017, 8838, 32, 0]);
    expect(zones[1]?.managedPages).toBe(772798);
    expect(sumMinWatermarks(zones)).toBe(39 + 8017 + 8838 + 32);
  });
});

describe('what each killer watches', () => {
  it('machine: MemFree + file LRU + SwapFree, in bytes', () => {
    expect(machineLevelBytes({ ...MEM, swapFreeKb: 1000 })).toBe((22000000 + 700000 + 750000 + 1000) * 1024);
  });

  it('memcg: usage - file + swap against the limit plus the swap it may use', () => {
    expect(memcgLevelBytes({ usageBytes: 300 * MiB, fileBytes: 20 * MiB, swapBytes: 5 * MiB })).toBe(285 * MiB);
    const v1 = { version: 1 as const, memoryMaxBytes: 512n * BigInt(MiB), swapOrMemswMaxBytes: 768n * BigInt(MiB), swappiness: 60 };
    // no swap on the machine: the limit alone
    expect(memcgCapacityBytes(v1, 0, 0, 0)).toBe(512 * MiB);
    // memsw 768: 256 MiB of swap, capped by what the machine has free
    expect(memcgCapacityBytes(v1, 0, 1024 * 1024, 1024 * 1024)).toBe(768 * MiB);
    expect(memcgCapacityBytes(v1, 0, 100 * 1024, 1024 * 1024)).toBe(612 * MiB);
    expect(memcgCapacityBytes({ ...v1, swappiness: 0 }, 0, 1024 * 1024, 1024 * 1024)).toBe(512 * MiB);
    const v2 = { version: 2 as const, memoryMaxBytes: 512n * BigInt(MiB), swapOrMemswMaxBytes: 64n * BigInt(MiB), swappiness: 60 };
    expect(memcgCapacityBytes(v2, 0, 1024 * 1024, 1024 * 1024)).toBe(576 * MiB);
  });

  it('memory.stat file LRU: v1 total_*, v2 plain keys', () => {
    const v1 = parseMemoryStat('cache 100\nactive_file 1\ninactive_file 2\ntotal_active_file 4096\ntotal_inactive_file 8192\n');
    expect(fileLruBytes(v1, 1)).toBe(12288);
    expect(fileLruBytes(parseMemoryStat('anon 5\nactive_file 10\ninactive_file 20\n'), 2)).toBe(30);
  });

  it('earlyoom: MemAvailable % of UserMemTotal (v1.8+) or MemTotal; SwapFree % is 0 without swap', () => {
    const T = earlyoomThresholds(parseArgs([], 1, 1), 1, 1);
    const st = (m: MeminfoSample, era: '1.8+' | '<1.8' = '1.8+') => computeEarlyoomMemState({ memTotalKib: m.memTotalKb, memAvailableKib: m.memAvailableKb, anonPagesKib: m.anonPagesKb, swapTotalKib: m.swapTotalKb, swapFreeKib: m.swapFreeKb }, T, era);
    expect(st(MEM).memAvailablePercent).toBeCloseTo((23500000 * 100) / (23500000 + 130000), 9);
    expect(st(MEM, '<1.8').memAvailablePercent).toBeCloseTo((23500000 * 100) / 24684092, 9);
    expect(st(MEM).swapFreePercent).toBe(0);
    expect(st({ ...MEM, swapTotalKb: 1000, swapFreeKb: 250 }).swapFreePercent).toBe(25);
  });

  it('two pools draining one after the other', () => {
    // 1000 kB above the RAM threshold, swap already below its: 1000 / 100 kB/s
    expect(secondsToBothBelow(2000, 1000, 10, 50, -100)).toBe(10);
    expect(secondsToBothBelow(2000, 1000, 500, 100, -100)).toBe(14);
    expect(secondsToBothBelow(500, 1000, 10, 100, 0)).toBe(0);
    expect(secondsToBothBelow(2000, 1000, 10, 100, 50)).toBeNull();
  });

  it('kubelet memory.available from meminfo', () => {
    expect(kubeletAvailableBytes(MEM)).toBe((24684092 - (130000 + 1500000 + 5000 - 750000)) * 1024);
  });
});

function task(pid: number, anonMiB: number, adj = 0): Candidate {
  return { pid, rssAnonKb: anonMiB * 1024, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pgtablesKb: 0, oomScoreAdj: adj, kernelThread: false, hasMm: true, isInit: false, capSysAdmin: false, scanKey: [pid, pid] };
}

function samplesOf(series: Record<string, number[]>): ForecastSample[] {
  const n = Object.values(series)[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => ({
    t: i * 0.5, meminfo: MEM, memcgs: new Map(),
    tasks: new Map(Object.entries(series).map(([k, v]) => [k, v[i] as number])),
  }));
}

describe('the ranking at the projected moment', () => {
  // 320 MiB cgroup: a still 120 MiB process and a grower at 8 MiB/s now at 60 MiB.
  const grow = Array.from({ length: 11 }, (_, i) => (20 + i * 4) * 1024);
  const still = Array(11).fill(120 * 1024);
  const samples = samplesOf({ '10:1': still, '11:1': grow, '12:1': Array(11).fill(4 * 1024) });
  const growths = taskGrowths(samples, 4);
  const tasks = [task(10, 120), task(11, 60), task(12, 4)];
  const input = { tasks, keyOf: (c: Candidate) => `${c.pid}:1`, growths, totalpages: 81920n, globalTotalpages: 6171023n, pageSize: 4096, model: MODEL, selfPid: 12 };

  it('now: the still, bigger one is rank 1 and oomctl itself is not ranked', () => {
    const now = rankNow(input);
    expect(now.map((r) => r.task.pid)).toEqual([10, 11]);
  });

  it('then: the grower, at 60 + 8·t MiB, has overtaken it', () => {
    const at = rankProjected(input, 16);
    expect(at[0]?.task.pid).toBe(11);
    expect(Number(at[0]?.badness.memoryPages)).toBe(((60 + 8 * 16) * 1024 * 1024) / 4096);
    // Not yet after 5 s: 100 MiB < 120 MiB
    expect(rankProjected(input, 5)[0]?.task.pid).toBe(10);
  });

  it('adj is included: the still one at adj 500 stays first', () => {
    const withAdj = { ...input, tasks: [task(10, 120, 500), task(11, 60), task(12, 4)] };
    expect(rankProjected(withAdj, 16)[0]?.task.pid).toBe(10);
  });

  it('a process without a trend keeps its size', () => {
    expect(projectTask(task(10, 120), growths.get('10:1'), 100).rssAnonKb).toBe(120 * 1024);
    expect(projectTask(task(10, 120), classifyGrowth([{ t: 0, y: 120 * 1024 }]), 100).rssAnonKb).toBe(120 * 1024);
  });

  const view = (c: Candidate) => ({ ppid: 1, uid: 1000, comm: `p${c.pid}` });
  it('earlyoom picks the highest projected oom_score', () => {
    const ranked = rankProjected({ ...input, totalpages: input.globalTotalpages }, 16);
    expect(earlyoomVictim(ranked, parseArgs([], 1, 1), 999, view).victim?.task.pid).toBe(11);
  });

  // The forecast's own model skipped earlyoom and took the next (pid 10); the owners' model
  // follows kill.c find_largest_process(): "selected myself" zeroes the victim, nobody dies.
  it('earlyoom that selects itself kills nobody (kill.c find_largest_process())', () => {
    const ranked = rankProjected({ ...input, totalpages: input.globalTotalpages }, 16);
    expect(earlyoomVictim(ranked, parseArgs([], 1, 1), 11, view).victim).toBeUndefined();
  });

  it('earlyoom --avoid and --prefer are modelled on the projected scores (kill.c is_larger(), ±300)', () => {
    const ranked = rankProjected({ ...input, totalpages: input.globalTotalpages }, 16);
    expect(earlyoomVictim(ranked, parseArgs(['--avoid', '^p11$'], 1, 1), 999, view).victim?.task.pid).toBe(10);
    expect(earlyoomVictim(ranked, parseArgs(['--ignore', '^p11$'], 1, 1), 999, view).victim?.task.pid).toBe(10);
    expect(earlyoomVictim(ranked, parseArgs(['--prefer', '^p10$'], 1, 1), 999, view).victim?.task.pid).toBe(10);
    expect(earlyoomVictim(ranked, parseArgs(['--prefer', '('], 1, 1), 999, view).badRegex).toEqual(['(']);
  });
});

describe('earlyoom command line (main.c getopt "m:s:M:S:kingN:P:dvr:ph")', () => {
  it.each([
    [['earlyoom'], undefined, undefined],
    [['earlyoom', '-m', '15', '-s', '5'], { term: 15, kill: 7.5 }, { term: 5, kill: 2.5 }],
    [['/usr/bin/earlyoom', '-m15,3', '-r', '3600'], { term: 15, kill: 3 }, undefined],
    [['earlyoom', '-dm', '20'], { term: 20, kill: 10 }, undefined],
    [['earlyoom', '--avoid', '-m 50', '-s', '100'], undefined, { term: 100, kill: 50 }],
    [['earlyoom', '-m', '2,5'], { term: 5, kill: 5 }, undefined],
  ])('%j', (argv, mem, swap) => {
    // The owners' parser takes the arguments after the program name.
    const a = parseArgs(argv.slice(1), 4 * 1048576, 1048576);
    expect(a.m).toEqual(mem);
    expect(a.s).toEqual(swap);
    expect(a.errors).toEqual([]);
  });

  it('notes victim options and merges -M with -m (the lower)', () => {
    const a = parseArgs(['-m', '10', '-M', '1048576', '--prefer', 'chrome', '--sort-by-rss'], 4 * 1048576, 0);
    expect([a.prefer, a.sortByRss]).toEqual(['chrome', true]);
    const t = earlyoomThresholds(a, 4 * 1048576, 0);
    expect(t.memTermPercent).toBe(10);
    const b = earlyoomThresholds(parseArgs(['-M', '209715'], 4 * 1048576, 0), 4 * 1048576, 0);
    expect(b.memTermPercent).toBeCloseTo(5, 3);
    const noSwap = parseArgs(['-S', '1000'], 1000, 0);
    expect(earlyoomThresholds(noSwap, 1000, 0).swapTermPercent).toBe(10);
    expect(earlyoomThresholds(parseArgs([], 1, 1), 1, 1)).toEqual({ memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 });
  });

  // Where the two readers disagreed, earlyoom's source decides (main.c main(), v1.7..v1.9.0):
  it('arguments earlyoom refuses: -S without swap, -m 100, -M over MemTotal·100/99, "10%"', () => {
    // parse_term_kill_tuple(optarg, m.SwapTotalKiB * 100 / 99) = limit 0: "exceeds limit 0", fatal(16)
    // before the "total swap is zero" warning; the forecast's reader took the default 10 % instead.
    expect(parseArgs(['-S', '1000'], 1000, 0).errors).toEqual(['-S: value 1000 exceeds limit 0']);
    // "Use 99 as upper limit" for -m
    expect(parseArgs(['-m', '100'], 1000, 0).errors).toEqual(['-m: value 100 exceeds limit 99']);
    expect(parseArgs(['-M', '1011'], 1000, 0).errors).toEqual(['-M: value 1011 exceeds limit 1010']);
    // msg.c parse_part(): strtod() then "trailing garbage"; the forecast's reader dropped it silently
    expect(parseArgs(['-m', '10%'], 1000, 0).errors).toEqual(["-m: trailing garbage '10%'"]);
  });

  it('1.8+: MemAvailablePercent is of UserMemTotal, but -M is turned into percent of MemTotal', () => {
    // main.c: M_term_percent = 100 * mem_term_kib / (double)m.MemTotalKiB; meminfo.c: UserMemTotalKiB = MemAvailableKiB + AnonPagesKiB
    const t = earlyoomThresholds(parseArgs(['-M', '102400'], 1024000, 0), 1024000, 0);
    expect(t.memTermPercent).toBe(10);
    const s = computeEarlyoomMemState({ memTotalKib: 1024000, memAvailableKib: 60000, anonPagesKib: 440000, swapTotalKib: 0, swapFreeKib: 0 }, t, '1.8+');
    expect(s.memAvailablePercent).toBe(12);
    expect(s.signal).toBeNull();
    expect(computeEarlyoomMemState({ memTotalKib: 1024000, memAvailableKib: 60000, anonPagesKib: 440000, swapTotalKib: 0, swapFreeKib: 0 }, t, '<1.8').signal).toBe('SIGTERM');
    expect([earlyoomEraOf([1, 7]), earlyoomEraOf([1, 8]), earlyoomEraOf([2, 0]), earlyoomEraOf(undefined)]).toEqual(['<1.8', '1.8+', '1.8+', '1.8+']);
  });

  it('version from the binary', () => {
    expect(parseEarlyoomVersion('\0\0earlyoom v1.7\n\0')).toEqual([1, 7]);
    expect(parseEarlyoomVersion('nothing')).toBeUndefined();
  });
});

describe('oomd.conf', () => {
  it('defaults, then files in order, [OOM] only', () => {
    // One reader for oomd.conf: the owners' (systemd-settings.ts parseIniSections, kernel/oomd.ts computeOomdConfig), in permyriad and µs.
    const parseOomdConf = (texts: string[]) => {
      const a = new Map<string, string>();
      for (const t of texts) parseIniSections(t, ['OOM'], a);
      const c = computeOomdConfig(a);
      return { swapUsedLimitPercent: c.swapUsedLimitPermyriad / 100, memoryPressureLimitPercent: c.defaultMemPressureLimitPermyriad / 100, memoryPressureDurationSec: c.defaultMemPressureDurationUsec / 1e6 };
    };
    expect(parseOomdConf([])).toEqual({ swapUsedLimitPercent: 90, memoryPressureLimitPercent: 60, memoryPressureDurationSec: 30 });
    const s = parseOomdConf(['[OOM]\nSwapUsedLimit=80%\n', '[Other]\nSwapUsedLimit=10%\n[OOM]\n# c\nDefaultMemoryPressureLimit=50%\nDefaultMemoryPressureDurationSec=20s\n']);
    expect(s).toEqual({ swapUsedLimitPercent: 80, memoryPressureLimitPercent: 50, memoryPressureDurationSec: 20 });
    expect(parseOomdConf(['[OOM]\nSwapUsedLimit=955‰\nDefaultMemoryPressureDurationSec=1min 30s\n'])).toMatchObject({ swapUsedLimitPercent: 95.5, memoryPressureDurationSec: 90 });
    // The forecast's reader disagreed here: an empty assignment resets to the default (conf-parser.c),
    // it kept the earlier file's value; and parse_permyriad() takes at most 2 decimals with "%".
    expect(parseOomdConf(['[OOM]\nSwapUsedLimit=80%\n', '[OOM]\nSwapUsedLimit=\n']).swapUsedLimitPercent).toBe(90);
    expect(parseOomdConf(['[OOM]\nSwapUsedLimit=80.125%\n']).swapUsedLimitPercent).toBe(90);
  });
});

describe('kubelet memory.available threshold', () => {
  const memAvail = (cfg: ReturnType<typeof parseKubeletConfig>) => evictionThresholds(cfg).thresholds.find((t) => t.hard && t.signal === 'memory.available');
  it('quantities and percentages', () => {
    expect(parseQuantity('100Mi')).toBe(100 * MiB);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(memAvail(parseKubeletConfig('evictionHard:\n  memory.available: "5%"\n'))?.value).toEqual({ fraction: 0.05 });
    expect(parseQuantity('lots')).toBeUndefined();
  });

  it('from config.yaml, the default when evictionHard is unset, unknown when it leaves memory.available out', () => {
    expect(memAvail(parseKubeletConfig('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nevictionHard:\n  memory.available: "500Mi"\n'))).toMatchObject({ value: { bytes: 500 * MiB }, source: 'config' });
    expect(memAvail(parseKubeletConfig('kind: KubeletConfiguration\n'))).toMatchObject({ value: { bytes: 100 * MiB }, source: 'default' });
    expect(memAvail(parseKubeletConfig('evictionHard:\n  nodefs.available: "10%"\n'))).toBeUndefined();
    expect(() => parseKubeletConfig(': : :\n\t- [')).toThrow(KubeletConfigError);
  });

  // The forecast's reader disagreed: it ignored mergeDefaultEvictionSettings (v1beta1 defaults.go
  // fills the signals evictionHard leaves out, newer kubelets) and took "0%" as a threshold of 0
  // where eviction/helpers.go parseThresholdStatement() ignores it.
  it('mergeDefaultEvictionSettings and 0%', () => {
    expect(memAvail(parseKubeletConfig('mergeDefaultEvictionSettings: true\nevictionHard:\n  nodefs.available: "10%"\n'))).toMatchObject({ value: { bytes: 100 * MiB }, source: 'default' });
    expect(memAvail(parseKubeletConfig('evictionHard:\n  memory.available: "0%"\n'))).toBeUndefined();
  });

  it('the --eviction-hard flag', () => {
    const flag = (v: string) => { const m = parseEvictionHardFlag(v); return m === undefined ? undefined : evictionThresholds({ ...parseKubeletConfig(''), evictionHard: m }); };
    expect(flag('memory.available<500Mi,nodefs.available<10%')?.thresholds.find((t) => t.signal === 'memory.available')?.value).toEqual({ bytes: 500 * MiB });
    expect(flag('nodefs.available<10%')?.thresholds.find((t) => t.signal === 'memory.available')).toBeUndefined();
    expect(flag('memory.available<much')?.problems).toEqual([{ signal: 'memory.available', value: 'much', detail: 'not a quantity or percentage' }]);
    expect(parseEvictionHardFlag('memory.available=1Gi')).toBeUndefined();
  });
});
