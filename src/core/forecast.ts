// The forecast use case, shared by `oomctl forecast`, `metrics --forecast-window`
// and `apply --watch`'s on_forecast: sample the scope for a window, fit each
// process's growth and the scope's, and say when each OOM killer acts and whom it takes then.

import { NotFoundError, UnsupportedError, UsageError } from '../errors.js';
import {
  earlyoomVictim, forecastSeries, kubeletAvailableBytes, machineLevelBytes,
  memcgCapacityBytes, memcgLevelBytes, rankNow, rankProjected, secondsToBothBelow, seriesOf, taskGrowths,
  type ForecastSample, type RankInput, type SeriesForecast,
} from '../kernel/forecast.js';
import { classifyGrowth, isTrend, type Growth } from '../kernel/forecast-fit.js';
import type { RankedTask } from '../kernel/rank.js';
import { computeGlobalTotalpages, computeMemcgTotalpages } from '../kernel/scope.js';
import { computeEarlyoomMemState, computeEarlyoomThresholds } from '../kernel/earlyoom.js';
import { thresholdBytes as kubeletThresholdBytes } from '../kernel/kubelet.js';
import { sumMinWatermarks } from '../parse/zoneinfo.js';
import { findMemoryHierarchy, isUnderCgroup, limitedAncestors, normaliseCgroupPath, readMemcg, type MemcgState, type MemoryHierarchy } from '../system/memcg.js';
import { readRunningKillers, type RunningKillers } from '../system/forecast-killers.js';
import { readZoneWatermarks, sampleWindow, taskKey } from '../system/forecast-sampler.js';
import { readPageSize, readUserNames } from '../system/system-info.js';
import { readOwners } from '../system/owners.js';
import { parseProcCgroup } from '../parse/cgroup.js';
import type { OwnerWarning } from '../parse/owner.js';
import type { CommandContext } from './context.js';
import type { ForecastResult, Grower, KillerForecast, KillerName, VictimForecast } from './forecast-result.js';
export type { ForecastResult, Grower, KillerForecast, KillerName, VictimForecast };
import { readKernelModel, toCandidate, withWalkOrder, type ProcessCandidate } from './prediction.js';


/** Seconds between samples, and the default window. */
export const FORECAST_INTERVAL = 0.5;
export const FORECAST_WINDOW_DEFAULT = 10;

/** Windows longer than 10 min are sampled less often than every 0.5 s. */
export const FORECAST_MAX_SAMPLES = 1200;

export interface ForecastOptions {
  cgroup: string | undefined;
  windowSec: number;
  intervalSec?: number;
  selfPid: number;
  /** Called after each sample (the progress line on a terminal). */
  onSample?: (done: number, planned: number) => void;
  /** Waits between samples; apply --watch passes one that its stop signal aborts (it then rejects). */
  sleep?: (ms: number) => Promise<void>;
}

interface ResolvedScope {
  kind: 'memcg' | 'machine';
  requested: string | undefined;
  hierarchy: MemoryHierarchy | undefined;
  /** The limited cgroups that can OOM it, nearest first. */
  limited: MemcgState[];
  notes: string[];
}

function resolveScope(ctx: CommandContext, cgroup: string | undefined, pageSize: number): ResolvedScope {
  if (cgroup === undefined) return { kind: 'machine', requested: undefined, hierarchy: undefined, limited: [], notes: [] };
  const hierarchy = findMemoryHierarchy(ctx.root);
  if (!hierarchy) throw new UnsupportedError('no memory cgroup hierarchy is mounted (neither cgroup v1 "memory" nor cgroup v2 with the memory controller)');
  const path = normaliseCgroupPath(cgroup);
  if (path === undefined) throw new UsageError(`invalid cgroup path "${cgroup}"`);
  if (!readMemcg(ctx.root, hierarchy, path, pageSize)) throw new NotFoundError(`no memory cgroup ${path}`, 'paths are as /proc/PID/cgroup shows them, e.g. /system.slice/mysql.service');
  const limited = limitedAncestors(ctx.root, hierarchy, path, pageSize);
  if (limited.length === 0) {
    return { kind: 'machine', requested: path, hierarchy, limited, notes: [`memory cgroup ${path} sets no memory limit, nor do its ancestors: the scope is the whole machine`] };
  }
  return { kind: 'memcg', requested: path, hierarchy, limited, notes: [] };
}

function victimOf(ranked: RankedTask<ProcessCandidate>[], now: RankedTask<ProcessCandidate>[], pick?: (r: RankedTask<ProcessCandidate>[]) => RankedTask<ProcessCandidate> | undefined): VictimForecast | undefined {
  const v = pick ? pick(ranked) : ranked.find((r) => r.rank === 1);
  if (!v) return undefined;
  const before = now.find((r) => r.task.pid === v.task.pid);
  return { ranked: v, rankNow: before?.rank ?? null, owner: null };
}

// Long (~90 lines): one pass from the samples to every killer's forecast; the killers themselves are memcgKernelKillers() and userspaceKillers()
export async function runForecast(ctx: CommandContext, o: ForecastOptions): Promise<ForecastResult> {
  const kernel = readKernelModel(ctx.root);
  const { pageSize } = readPageSize(ctx.root);
  const scope = resolveScope(ctx, o.cgroup, pageSize);
  // At least 8 intervals in a short window (a fit needs 5 samples, forecast-fit.ts), at most
  // FORECAST_MAX_SAMPLES in a long one (each sample keeps every process's size in memory).
  const intervalSec = o.intervalSec ?? Math.max(Math.min(FORECAST_INTERVAL, o.windowSec / 8), o.windowSec / FORECAST_MAX_SAMPLES);
  const { samples, last } = await sampleWindow(ctx.root, { memcgs: scope.limited, withCgroups: scope.hierarchy !== undefined, selfPid: o.selfPid }, {
    windowSec: o.windowSec, intervalSec, onSample: o.onSample, sleep: o.sleep,
  });
  const forecastAt = new Date();
  const mi = last.sample.meminfo;
  const globalTotalpages = computeGlobalTotalpages(mi.memTotalKb, mi.swapTotalKb, pageSize);
  const users = readUserNames(ctx.root);
  // No memcg root here: the machine ranks in task-list order; each memcg ranking adds the hierarchy order itself.
  const candidates = last.records.map((r) => toCandidate(r, users, scope.hierarchy));
  const pageKb = pageSize / 1024;
  const growths = taskGrowths(samples, pageKb);
  const keyOf = (c: ProcessCandidate): string => taskKey(c.record);
  const notes = [...scope.notes];

  const rankInput = (tasks: ProcessCandidate[], totalpages: bigint): RankInput<ProcessCandidate> => ({
    tasks, keyOf, growths, totalpages, globalTotalpages, pageSize, model: kernel, selfPid: o.selfPid,
  });
  const machineInput = rankInput(candidates, globalTotalpages);
  const machineNow = rankNow(machineInput);

  const killers: KillerForecast[] = [];
  const omitted: { killer: KillerName; reason: string }[] = [];

  // --- the kernel: each limited memory cgroup, and the machine ---
  const nearest = memcgKernelKillers(scope.limited, { samples, last: last.sample, mi, pageSize, candidates, rankInput }, killers);
  let scopeSeries = nearest?.series;
  const scopeMemcg = nearest?.memcg;
  const scopeTotalpages = nearest?.totalpages ?? globalTotalpages;
  const scopeNow = nearest?.now ?? machineNow;

  const zones = readZoneWatermarks(ctx.root);
  const floorBytes = zones ? sumMinWatermarks(zones) * pageSize : 0;
  if (!zones) notes.push('/proc/zoneinfo is not readable: the machine forecast uses a floor of 0 instead of the zones\' min watermarks');
  const machineSeries = forecastSeries(seriesOf(samples, (s) => machineLevelBytes(s.meminfo)), floorBytes, 'down', pageSize);
  killers.push({
    killer: 'kernel', watches: 'machine',
    rule: 'MemFree + file LRU + SwapFree falls to the sum of the zones\' min watermarks',
    seconds: machineSeries.seconds, forecastable: true, series: machineSeries,
    victim: machineSeries.seconds === null ? undefined : victimOf(rankProjected(machineInput, machineSeries.seconds), machineNow),
    victimNote: undefined, note: undefined, counts: true,
  });
  if (scope.kind === 'machine') scopeSeries = machineSeries;

  // --- the killers in user space ---
  const running: RunningKillers = readRunningKillers(ctx.root, last.records);
  const memAvail = seriesOf(samples, (s) => s.meminfo.memAvailableKb);
  const swapFree = seriesOf(samples, (s) => s.meminfo.swapFreeKb);
  const pool = classifyGrowth(seriesOf(samples, (s) => s.meminfo.memAvailableKb + s.meminfo.swapFreeKb), { minChange: pageKb });
  const poolRate = isTrend(pool) ? pool.rate : 0;
  const lastMem = memAvail[memAvail.length - 1]?.y ?? mi.memAvailableKb;
  const lastSwap = swapFree[swapFree.length - 1]?.y ?? mi.swapFreeKb;
  const projectedMachine = (seconds: number | null): RankedTask<ProcessCandidate>[] | undefined => (seconds === null ? undefined : rankProjected(machineInput, seconds));

  userspaceKillers(running, { mi, samples, pageSize, machineNow, poolRate, lastMem, lastSwap, projectedMachine }, killers, omitted);

  if (scope.kind === 'memcg') {
    const path = scope.requested as string;
    for (const k of killers) {
      if (k.watches.startsWith('memory cgroup ')) continue;
      const vp = k.victim?.ranked.task.memcgPath;
      k.counts = vp !== undefined && isUnderCgroup(vp, path);
      if (!k.counts && k.seconds !== null) k.note = [k.note, `acts on the whole machine; ${k.victim ? 'its victim then is outside' : 'its victim is not known to be in'} ${path}`].filter(Boolean).join('; ');
    }
  }
  let first: KillerForecast | undefined;
  for (const k of killers) if (k.counts && k.seconds !== null && (!first || (first.seconds as number) > k.seconds)) first = k;

  const scopeTasks = scopeMemcg ? candidates.filter((c) => c.memcgPath !== undefined && isUnderCgroup(c.memcgPath, (scopeMemcg as MemcgState).path)) : candidates;
  const growers = scopeTasks
    .filter((c) => c.pid !== o.selfPid)
    .map((c) => ({ candidate: c, growth: growths.get(keyOf(c)) as Growth }))
    .filter((g) => g.growth && g.growth.rate > 0)
    .sort((a, b) => b.growth.rate - a.growth.rate)
    .slice(0, 5);

  const ownerWarnings = fillOwners(ctx, killers.map((k) => k.victim).filter((v): v is VictimForecast => v !== undefined));

  return {
    kernel, pageSize, windowSec: o.windowSec, intervalSec, samples, ownerWarnings,
    scope: { kind: scope.kind, requested: scope.requested, memcg: scopeMemcg, series: scopeSeries ?? machineSeries, totalpages: scopeTotalpages },
    killers, omitted, first, nextVictimNow: scopeNow.find((r) => r.rank === 1), growers, notes, forecastAt,
  };
}

/** The kernel's forecast in each limited memory cgroup; returns the one that runs out first (else the nearest). */
function memcgKernelKillers(
  limited: readonly MemcgState[],
  x: { samples: ForecastSample[]; last: ForecastSample; mi: ForecastSample['meminfo']; pageSize: number; candidates: ProcessCandidate[]; rankInput: (tasks: ProcessCandidate[], totalpages: bigint) => RankInput<ProcessCandidate> },
  killers: KillerForecast[],
): { k: KillerForecast; series: SeriesForecast; memcg: MemcgState; totalpages: bigint; now: RankedTask<ProcessCandidate>[] } | undefined {
  const { samples, last, mi, pageSize, candidates, rankInput } = x;
  let first: { k: KillerForecast; series: SeriesForecast; memcg: MemcgState; totalpages: bigint; now: RankedTask<ProcessCandidate>[] } | undefined;
  for (const m of limited) {
    const cur = last.memcgs.get(m.path);
    if (!cur) continue;
    const capacity = memcgCapacityBytes(m.limits, cur.swapBytes, mi.swapFreeKb, mi.swapTotalKb);
    const series = forecastSeries(seriesOf(samples, (s) => { const x = s.memcgs.get(m.path); return x ? memcgLevelBytes(x) : undefined; }), capacity, 'up', pageSize);
    const totalpages = computeMemcgTotalpages(m.limits, mi.swapTotalKb, pageSize);
    // mm/memcontrol.c mem_cgroup_scan_tasks(): the hierarchy first (pre-order), then each cgroup's tasks
    const tasks = withWalkOrder(candidates.filter((c) => c.memcgPath !== undefined && isUnderCgroup(c.memcgPath, m.path)));
    const input = rankInput(tasks, totalpages);
    const now = rankNow(input);
    const k: KillerForecast = {
      killer: 'kernel', watches: `memory cgroup ${m.path}`,
      rule: `memory charged (usage - file cache + swap) reaches the limit ${m.limits.memoryMaxBytes === 'max' ? 'max' : m.limits.memoryMaxBytes} B${capacity !== Number(m.limits.memoryMaxBytes) ? ' + usable swap' : ''}`,
      seconds: series.seconds, forecastable: true, series,
      victim: series.seconds === null ? undefined : victimOf(rankProjected(input, series.seconds), now),
      victimNote: undefined, note: undefined, counts: true,
    };
    if (series.seconds !== null && !k.victim) k.victimNote = 'no killable process in the cgroup';
    killers.push(k);
    // The nearest cgroup is the scope shown, unless an ancestor runs out first.
    if (!first || (k.seconds !== null && (first.k.seconds === null || k.seconds < (first.k.seconds as number)))) {
      first = { k, series, memcg: m, totalpages, now };
    }
  }
  return first;
}

/** What every user-space killer's forecast is computed from: the last sample, the machine's ranking now and projected. */
interface UserspaceInputs {
  mi: ForecastSample['meminfo'];
  samples: ForecastSample[];
  pageSize: number;
  machineNow: RankedTask<ProcessCandidate>[];
  /** Rate of MemAvailable + SwapFree, KiB/s (negative: falling). */
  poolRate: number;
  lastMem: number;
  lastSwap: number;
  projectedMachine: (seconds: number | null) => RankedTask<ProcessCandidate>[] | undefined;
}

/** earlyoom, systemd-oomd and the kubelet where they run; each one not running is omitted with the reason. */
function userspaceKillers(running: RunningKillers, x: UserspaceInputs, killers: KillerForecast[], omitted: { killer: KillerName; reason: string }[]): void {
  const { mi, machineNow, poolRate, lastMem, lastSwap, projectedMachine } = x;
  if (running.earlyoom) {
    const e = running.earlyoom;
    const args = e.found.args;
    const t = computeEarlyoomThresholds(args, mi.memTotalKb, mi.swapTotalKb);
    const userMemTotal = e.era === '1.8+';
    const state = computeEarlyoomMemState({ memTotalKib: mi.memTotalKb, memAvailableKib: mi.memAvailableKb, anonPagesKib: mi.anonPagesKb, swapTotalKib: mi.swapTotalKb, swapFreeKib: mi.swapFreeKb }, t, e.era);
    // main.c lowmem_sig(): MemAvailablePercent <= mem_term_percent && SwapFreePercent <= swap_term_percent -> SIGTERM
    const swapThresholdKb = mi.swapTotalKb > 0 ? (t.swapTermPercent * mi.swapTotalKb) / 100 : 0;
    const rejected = args.errors.length > 0;
    const seconds = rejected ? null : state.signal !== null
      ? 0
      : secondsToBothBelow(lastMem, (t.memTermPercent * state.userMemTotalKib) / 100, mi.swapTotalKb > 0 ? lastSwap : 0, swapThresholdKb, poolRate);
    const ranked = projectedMachine(seconds);
    const view = (c: ProcessCandidate): { ppid: number; uid: number; comm: string } | undefined => (c.record.uid === undefined ? undefined : { ppid: c.record.ppid, uid: c.record.uid, comm: c.record.comm });
    const choice = ranked ? earlyoomVictim(ranked, args, e.pid, view) : undefined;
    const victim = choice?.victim && choice.badRegex.length === 0 ? victimOf(ranked as RankedTask<ProcessCandidate>[], machineNow, () => choice.victim) : undefined;
    killers.push({
      killer: 'earlyoom', watches: 'machine',
      rule: `MemAvailable <= ${t.memTermPercent.toFixed(2)} % of ${userMemTotal ? 'MemAvailable + AnonPages' : 'MemTotal'} and SwapFree <= ${t.swapTermPercent.toFixed(2)} % of SwapTotal (SIGTERM; SIGKILL at ${t.memKillPercent.toFixed(2)} % / ${t.swapKillPercent.toFixed(2)} %)`,
      seconds, forecastable: !rejected, series: undefined, victim,
      victimNote: choice && choice.badRegex.length > 0 ? `earlyoom's regular expression ${choice.badRegex.map((r) => JSON.stringify(r)).join(', ')} is not one JavaScript can compile: its choice is unknown`
        : choice && !choice.victim ? 'earlyoom would find no process to kill (or select itself, and then kill nothing: kill.c find_largest_process())' : undefined,
      counts: true, note: `pid ${e.pid}, ${e.version ? `v${e.version.join('.')}` : 'version unknown (v1.8+ assumed)'}${rejected ? `; earlyoom would refuse its arguments: ${args.errors.join('; ')}` : ''}`,
    });
  } else omitted.push({ killer: 'earlyoom', reason: 'not running (no process named earlyoom)' });

  if (running.oomd) {
    const c = running.oomd.config;
    const s = { swapUsedLimitPercent: c.swapUsedLimitPermyriad / 100, memoryPressureLimitPercent: c.defaultMemPressureLimitPermyriad / 100, memoryPressureDurationSec: c.defaultMemPressureDurationUsec / 1e6 };
    const free = (100 - s.swapUsedLimitPercent) / 100;
    let seconds: number | null;
    let note: string | undefined;
    if (mi.swapTotalKb === 0) {
      // oomd-util.c oomd_swap_free_below(): swap_total * threshold < ... is never true with no swap
      seconds = null;
      note = 'no swap: the swap rule never acts';
    } else {
      // oomd-manager.c monitor_swap_contexts_handler(): oomd_mem_available_below() && oomd_swap_free_below(), both at 100 - SwapUsedLimit
      seconds = secondsToBothBelow(lastMem, free * mi.memTotalKb, lastSwap, free * mi.swapTotalKb, poolRate);
    }
    killers.push({
      killer: 'systemd-oomd-swap', watches: 'machine (units with ManagedOOMSwap=kill)',
      rule: `MemAvailable < ${(free * 100).toFixed(2)} % of MemTotal and SwapFree < ${(free * 100).toFixed(2)} % of SwapTotal (SwapUsedLimit=${s.swapUsedLimitPercent} %)`,
      seconds, forecastable: true, series: undefined, victim: undefined,
      victimNote: 'it kills a whole cgroup, the one with the most swap among ManagedOOMSwap=kill units; not modelled here',
      counts: true, note: `pid ${running.oomd.pid}${note ? `; ${note}` : ''}`,
    });
    killers.push({
      killer: 'systemd-oomd-pressure', watches: 'units with ManagedOOMMemoryPressure=kill',
      rule: `PSI memory full avg10 above ${s.memoryPressureLimitPercent} % for ${s.memoryPressureDurationSec} s, with reclaim`,
      seconds: null, forecastable: false, series: undefined, victim: undefined,
      victimNote: 'it kills the cgroup with the highest reclaim rate; not modelled here',
      counts: true, note: 'not forecastable from a growth fit: pressure is time stalled on memory, which depends on reclaim and refaults, not on how much is used; it can stay at 0 until the last seconds before an OOM',
    });
  } else {
    omitted.push({ killer: 'systemd-oomd-swap', reason: 'not running (no process named systemd-oomd)' });
    omitted.push({ killer: 'systemd-oomd-pressure', reason: 'not running (no process named systemd-oomd)' });
  }

  kubeletKiller(running, x, killers, omitted);

}

/** The kubelet's hard memory.available threshold, where a kubelet runs. */
function kubeletKiller(running: RunningKillers, x: UserspaceInputs, killers: KillerForecast[], omitted: { killer: KillerName; reason: string }[]): void {
  const { mi, samples, pageSize } = x;
  if (running.kubelet) {
    const kb = running.kubelet;
    const th = kb.threshold;
    if (th === undefined) {
      killers.push({ killer: 'kubelet-eviction', watches: 'machine', rule: 'memory.available below its hard threshold', seconds: null, forecastable: false, series: undefined, victim: undefined, victimNote: undefined, counts: true, note: `pid ${kb.pid}; threshold unknown: ${kb.source}` });
    } else {
      // eviction/helpers.go GetThresholdQuantity(): a percentage is of the node's capacity
      const thresholdBytes = kubeletThresholdBytes(th, mi.memTotalKb * 1024);
      const series = forecastSeries(seriesOf(samples, (s) => kubeletAvailableBytes(s.meminfo)), thresholdBytes, 'down', pageSize);
      killers.push({
        killer: 'kubelet-eviction', watches: 'machine',
        rule: `memory.available < ${'bytes' in th.value ? `${th.value.bytes} B` : `${th.value.fraction * 100} %`} (evictionHard, ${kb.source})`,
        seconds: series.seconds, forecastable: true, series, victim: undefined,
        victimNote: 'it evicts a pod (above its request, lowest priority, most usage over request), not a process; not modelled here',
        counts: true, note: `pid ${kb.pid}`,
      });
    }
  } else omitted.push({ killer: 'kubelet-eviction', reason: 'not running (no kubelet process)' });

}

/**
 * Each victim's owner through the owners' reader (system/owners.ts readOwners()). Only the victims:
 * a sample reads no /proc/PID/cgroup unless the scope needs it.
 */
function fillOwners(ctx: CommandContext, victims: VictimForecast[]): OwnerWarning[] {
  if (victims.length === 0) return [];
  const procs = victims.map((v) => {
    const r = v.ranked.task.record;
    const text = r.cgroups === undefined ? ctx.root.readText(`/proc/${r.pid}/cgroup`) : undefined;
    return { pid: r.pid, cgroups: r.cgroups ?? (text === undefined ? undefined : parseProcCgroup(text)) };
  });
  const index = readOwners(ctx.root, procs);
  for (const v of victims) v.owner = index.byPid.get(v.ranked.task.pid)?.owner ?? null;
  return index.warnings;
}

/** Exit 1 with --fail-below when an OOM kill is forecast within that many seconds. */
export function failsBelow(r: ForecastResult, seconds: number | undefined): boolean {
  return seconds !== undefined && r.first !== undefined && r.first.seconds !== null && r.first.seconds <= seconds;
}

