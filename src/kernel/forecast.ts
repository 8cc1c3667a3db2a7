// The forecast: from a series of samples, when each OOM killer acts and whom
// it takes then. Pure. The growth fits are in forecast-fit.ts; the ranking
// at the projected moment is the same kernel model as `top` (rank.ts).
// docs/forecast.md states the model and what it leaves out.

import type { EarlyoomArgs } from '../parse/earlyoom-args.js';
import type { Meminfo } from '../parse/meminfo.js';
import type { TaskMemory } from './badness.js';
import { chooseEarlyoomVictim, type EarlyoomProcess } from './earlyoom.js';
import type { KernelModel } from './era.js';
import { classifyGrowth, isTrend, secondsToReach, type Growth, type Point } from './forecast-fit.js';
import { rankVictims, type Candidate, type RankedTask } from './rank.js';
import type { MemcgLimits } from './scope.js';

/** The /proc/meminfo fields the killers watch, in kB. */
export interface MeminfoSample {
  memTotalKb: number;
  memFreeKb: number;
  memAvailableKb: number;
  activeFileKb: number;
  inactiveFileKb: number;
  anonPagesKb: number;
  cachedKb: number;
  buffersKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
}

/** The sample's fields from a parsed /proc/meminfo. */
export function meminfoSampleOf(m: Meminfo): MeminfoSample {
  const k = (key: string): number => m.all.get(key) ?? 0;
  return {
    memTotalKb: m.memTotalKb, memFreeKb: m.memFreeKb ?? 0,
    // Before 3.14 there is no MemAvailable: free + file LRU is the closest the kernel offers.
    memAvailableKb: m.memAvailableKb ?? (m.memFreeKb ?? 0) + k('Active(file)') + k('Inactive(file)'),
    activeFileKb: k('Active(file)'), inactiveFileKb: k('Inactive(file)'), anonPagesKb: k('AnonPages'),
    cachedKb: k('Cached'), buffersKb: k('Buffers'), swapTotalKb: m.swapTotalKb, swapFreeKb: m.swapFreeKb,
  };
}

/** One memory cgroup's counters, in bytes. */
export interface MemcgSample {
  usageBytes: number;
  /** File pages on the LRU (memory.stat total_active_file + total_inactive_file, v2 active_file + inactive_file). */
  fileBytes: number;
  /** Swap charged to the cgroup: v1 memsw.usage - usage, v2 memory.swap.current; 0 when unknown. */
  swapBytes: number;
}

export interface ForecastSample {
  /** Seconds since sampling began. */
  t: number;
  meminfo: MeminfoSample;
  /** By cgroup path. */
  memcgs: ReadonlyMap<string, MemcgSample>;
  /** Each process's rss + swap + page tables in kB, by identity key (pid and start time). */
  tasks: ReadonlyMap<string, number>;
}

export interface MemcgLimit {
  path: string;
  limits: MemcgLimits;
}

export interface SeriesForecast {
  growth: Growth;
  /** Where the series stands and where the killer acts, in the series' unit (bytes). */
  level: number;
  target: number;
  direction: 'up' | 'down';
  /** null when the series does not move toward the target. */
  seconds: number | null;
}

export function seriesOf(samples: readonly ForecastSample[], value: (s: ForecastSample) => number | undefined): Point[] {
  const out: Point[] = [];
  for (const s of samples) {
    const y = value(s);
    if (y !== undefined && Number.isFinite(y)) out.push({ t: s.t, y });
  }
  return out;
}

export function forecastSeries(points: readonly Point[], target: number, direction: 'up' | 'down', quantum: number): SeriesForecast {
  const growth = classifyGrowth(points, { minChange: quantum });
  const level = growth.level;
  const moving = isTrend(growth) && (direction === 'up' ? growth.rate > 0 : growth.rate < 0);
  // Already past the target counts as now, whatever the trend.
  const past = direction === 'up' ? level >= target : level <= target;
  const seconds = past ? 0 : moving ? secondsToReach(level, growth.rate, target, direction) : null;
  return { growth, level, target, direction, seconds };
}

const KB = 1024;

/**
 * What a memory cgroup may still charge before it OOMs, as the kernel charges
 * it: mm/memcontrol.c try_charge_memcg() -> page_counter_try_charge() adds to
 * every ancestor's counter and fails at the first one over its max; reclaim
 * first frees file pages (try_to_free_mem_cgroup_pages), and anon can go to
 * swap while memsw (v1) / swap.max (v2) and the machine's swap allow.
 * level = usage - file + swap; capacity = limit + the swap it may use.
 */
export function memcgLevelBytes(s: MemcgSample): number {
  return s.usageBytes - s.fileBytes + s.swapBytes;
}

export function memcgCapacityBytes(limits: MemcgLimits, swapNowBytes: number, machineSwapFreeKb: number, machineSwapTotalKb: number): number {
  const limit = limits.memoryMaxBytes === 'max' ? Number.POSITIVE_INFINITY : Number(limits.memoryMaxBytes);
  if (machineSwapTotalKb === 0 || limits.swappiness === 0 || limits.swapOrMemswMaxBytes === undefined) return limit;
  const other = limits.swapOrMemswMaxBytes === 'max' ? Number.POSITIVE_INFINITY : Number(limits.swapOrMemswMaxBytes);
  // v1: the swap excess of memsw over memory; v2: swap.max itself (as mem_cgroup_get_max())
  const swapLimit = limits.version === 1 ? Math.max(0, other - limit) : other;
  return limit + Math.min(swapLimit, swapNowBytes + machineSwapFreeKb * KB);
}

/**
 * What the page allocator can still hand out on the whole machine: free
 * pages, file LRU pages reclaim can drop, and swap free for anon pages.
 * mm/page_alloc.c should_reclaim_retry(): it retries while some zone has
 * zone_reclaimable_pages() + NR_FREE_PAGES above its min watermark, then OOMs.
 */
export function machineLevelBytes(m: MeminfoSample): number {
  return (m.memFreeKb + m.activeFileKb + m.inactiveFileKb + m.swapFreeKb) * KB;
}

// ---- the other killers' own measures ----

/**
 * Seconds until two pools that drain one after the other (RAM as MemAvailable,
 * then swap) are both at or below their thresholds, given the rate at which
 * their sum falls. The kernel swaps before RAM is quite full, so this is the
 * earliest such moment (docs/forecast.md).
 */
export function secondsToBothBelow(memKb: number, memThresholdKb: number, swapKb: number, swapThresholdKb: number, sumRateKbPerSec: number): number | null {
  const need = Math.max(0, memKb - memThresholdKb) + Math.max(0, swapKb - swapThresholdKb);
  if (need === 0) return 0;
  return sumRateKbPerSec < 0 ? need / -sumRateKbPerSec : null;
}

/**
 * kubelet memory.available = capacity - working set (pkg/kubelet/eviction/helpers.go
 * makeSignalObservations), the working set being cAdvisor's root usage minus
 * inactive file. From /proc/meminfo: MemTotal - (AnonPages + Cached + Buffers - Inactive(file)).
 */
export function kubeletAvailableBytes(m: MeminfoSample): number {
  return (m.memTotalKb - (m.anonPagesKb + m.cachedKb + m.buffersKb - m.inactiveFileKb)) * KB;
}

// ---- projecting each process and ranking at the moment ----

export interface TaskGrowth {
  key: string;
  growth: Growth;
}

export function taskGrowths(samples: readonly ForecastSample[], pageKb: number): Map<string, Growth> {
  const keys = new Set<string>();
  const last = samples[samples.length - 1];
  if (last) for (const k of last.tasks.keys()) keys.add(k);
  const out = new Map<string, Growth>();
  for (const key of keys) out.set(key, classifyGrowth(seriesOf(samples, (s) => s.tasks.get(key)), { minChange: pageKb }));
  return out;
}

/** The memory a task is projected to hold `seconds` from now: its trend, or its last value when it has none. */
export function projectedMemoryKb(g: Growth, seconds: number): number {
  return Math.max(0, g.level + g.rate * seconds);
}

/** The task as it would be then: the change in its memory goes to (or comes from) anonymous RSS. */
export function projectTask<T extends TaskMemory>(t: T, g: Growth | undefined, seconds: number): T {
  if (!g) return t;
  const now = t.rssAnonKb + t.rssFileKb + t.rssShmemKb + t.swapKb + t.pgtablesKb;
  const delta = Math.round(projectedMemoryKb(g, seconds) - now);
  return { ...t, rssAnonKb: Math.max(0, t.rssAnonKb + delta) };
}

export interface RankInput<C extends Candidate> {
  tasks: readonly C[];
  keyOf: (c: C) => string;
  growths: ReadonlyMap<string, Growth>;
  totalpages: bigint;
  globalTotalpages: bigint;
  pageSize: number;
  model: KernelModel;
  /** Never a victim: oomctl itself. */
  selfPid: number;
}

/** The kernel's ranking `seconds` from now, every task at its projected memory, adj as now. */
export function rankProjected<C extends Candidate>(r: RankInput<C>, seconds: number): RankedTask<C>[] {
  const tasks = r.tasks.filter((t) => t.pid !== r.selfPid).map((t) => projectTask(t, r.growths.get(r.keyOf(t)), seconds));
  return rankVictims(tasks, r.totalpages, r.globalTotalpages, r.pageSize, r.model);
}

/** The kernel's ranking now, without oomctl. */
export function rankNow<C extends Candidate>(r: RankInput<C>): RankedTask<C>[] {
  return rankVictims(r.tasks.filter((t) => t.pid !== r.selfPid), r.totalpages, r.globalTotalpages, r.pageSize, r.model);
}

/** What earlyoom reads of a process besides its score (kill.c is_larger(): ppid, uid, comm). */
export interface EarlyoomView {
  ppid: number;
  uid: number;
  comm: string;
}

/**
 * earlyoom's victim at the projected moment: its own choice (kernel/earlyoom.ts
 * chooseEarlyoomVictim(), kill.c is_larger(), with --prefer/--avoid/--ignore) over
 * the projected oom_score and RSS. A process whose view is unknown is left out.
 */
export function earlyoomVictim<C extends Candidate>(
  ranked: readonly RankedTask<C>[], args: EarlyoomArgs, earlyoomPid: number, view: (c: C) => EarlyoomView | undefined,
): { victim: RankedTask<C> | undefined; badRegex: string[] } {
  const procs: EarlyoomProcess[] = [];
  for (const r of ranked) {
    const v = view(r.task);
    if (!v) continue;
    procs.push({ pid: r.task.pid, ppid: v.ppid, uid: v.uid, comm: v.comm, oomScore: r.predictedOomScore, oomScoreAdj: r.task.oomScoreAdj, rssKib: r.task.rssAnonKb + r.task.rssFileKb + r.task.rssShmemKb });
  }
  const choice = chooseEarlyoomVictim(procs, args, earlyoomPid);
  return { victim: choice.victim ? ranked.find((r) => r.task.pid === choice.victim?.pid) : undefined, badRegex: choice.badRegex };
}
