// The forecast's model: what each killer watches, the projected ranking, and
// the parsers of its inputs (zoneinfo captured on this VM, earlyoom's
// command line, oomd.conf, the kubelet's config.yaml).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  earlyoomMemPercent, earlyoomSwapPercent, earlyoomVictim, kubeletAvailableBytes, machineLevelBytes, memcgCapacityBytes,
  memcgLevelBytes, projectTask, rankNow, rankProjected, secondsToBothBelow, taskGrowths, type ForecastSample, type MeminfoSample,
} from '../../src/kernel/forecast.js';
import { classifyGrowth } from '../../src/kernel/forecast-fit.js';
import type { Candidate } from '../../src/kernel/rank.js';
import type { KernelModel } from '../../src/kernel/era.js';
import { earlyoomThresholds, parseEarlyoomArgs, parseEarlyoomVersion } from '../../src/parse/earlyoom-forecast-args.js';
import { parseOomdConf } from '../../src/parse/oomd-conf.js';
import { parseEvictionHardFlag, parseKubeletMemoryThreshold, parseMemoryThreshold } from '../../src/parse/kubelet-eviction.js';
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
    expect(earlyoomMemPercent(MEM, true)).toBeCloseTo((23500000 * 100) / (23500000 + 130000), 9);
    expect(earlyoomMemPercent(MEM, false)).toBeCloseTo((23500000 * 100) / 24684092, 9);
    expect(earlyoomSwapPercent(MEM)).toBe(0);
    expect(earlyoomSwapPercent({ ...MEM, swapTotalKb: 1000, swapFreeKb: 250 })).toBe(25);
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

  it('earlyoom picks the highest projected oom_score, not itself', () => {
    const ranked = rankProjected({ ...input, totalpages: input.globalTotalpages }, 16);
    expect(earlyoomVictim(ranked, 999)?.task.pid).toBe(11);
    expect(earlyoomVictim(ranked, 11)?.task.pid).toBe(10);
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
    const a = parseEarlyoomArgs(argv);
    expect(a.memPercent).toEqual(mem);
    expect(a.swapPercent).toEqual(swap);
  });

  it('notes victim options and merges -M with -m (the lower)', () => {
    const a = parseEarlyoomArgs(['earlyoom', '-m', '10', '-M', '1048576', '--prefer', 'chrome', '--sort-by-rss']);
    expect(a.victimOptions).toEqual(['--prefer', '--sort-by-rss']);
    const t = earlyoomThresholds(a, 4 * 1048576, 0);
    expect(t.memTermPercent).toBe(10);
    const b = earlyoomThresholds(parseEarlyoomArgs(['earlyoom', '-M', '209715']), 4 * 1048576, 0);
    expect(b.memTermPercent).toBeCloseTo(5, 3);
    expect(earlyoomThresholds(parseEarlyoomArgs(['earlyoom', '-S', '1000']), 1000, 0).swapTermPercent).toBe(10);
    expect(earlyoomThresholds(parseEarlyoomArgs(['earlyoom']), 1, 1)).toEqual({ memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 });
  });

  it('version from the binary', () => {
    expect(parseEarlyoomVersion('\0\0earlyoom v1.7\n\0')).toEqual([1, 7]);
    expect(parseEarlyoomVersion('nothing')).toBeUndefined();
  });
});

describe('oomd.conf', () => {
  it('defaults, then files in order, [OOM] only', () => {
    expect(parseOomdConf([])).toEqual({ swapUsedLimitPercent: 90, memoryPressureLimitPercent: 60, memoryPressureDurationSec: 30 });
    const s = parseOomdConf(['[OOM]\nSwapUsedLimit=80%\n', '[Other]\nSwapUsedLimit=10%\n[OOM]\n# c\nDefaultMemoryPressureLimit=50%\nDefaultMemoryPressureDurationSec=20s\n']);
    expect(s).toEqual({ swapUsedLimitPercent: 80, memoryPressureLimitPercent: 50, memoryPressureDurationSec: 20 });
    expect(parseOomdConf(['[OOM]\nSwapUsedLimit=955‰\nDefaultMemoryPressureDurationSec=1min 30s\n'])).toMatchObject({ swapUsedLimitPercent: 95.5, memoryPressureDurationSec: 90 });
  });
});

describe('kubelet memory.available threshold', () => {
  it('quantities and percentages', () => {
    expect(parseMemoryThreshold('100Mi')).toEqual({ kind: 'bytes', bytes: 100 * MiB });
    expect(parseMemoryThreshold('1G')).toEqual({ kind: 'bytes', bytes: 1e9 });
    expect(parseMemoryThreshold('5%')).toEqual({ kind: 'percent', percent: 5 });
    expect(parseMemoryThreshold('lots')).toBeUndefined();
  });

  it('from config.yaml, the default when evictionHard is unset, unknown when it leaves memory.available out', () => {
    expect(parseKubeletMemoryThreshold('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nevictionHard:\n  memory.available: "500Mi"\n')).toEqual({ threshold: { kind: 'bytes', bytes: 500 * MiB }, fromFile: true });
    expect(parseKubeletMemoryThreshold('kind: KubeletConfiguration\n')).toEqual({ threshold: { kind: 'bytes', bytes: 100 * MiB }, fromFile: false });
    expect(parseKubeletMemoryThreshold('evictionHard:\n  nodefs.available: "10%"\n')).toEqual({ threshold: undefined, fromFile: true });
    expect(parseKubeletMemoryThreshold(': : :\n\t- [')).toBeUndefined();
  });

  it('the --eviction-hard flag', () => {
    expect(parseEvictionHardFlag('memory.available<500Mi,nodefs.available<10%')).toEqual({ kind: 'bytes', bytes: 500 * MiB });
    expect(parseEvictionHardFlag('nodefs.available<10%')).toBeNull();
    expect(parseEvictionHardFlag('memory.available<much')).toBeUndefined();
  });
});
