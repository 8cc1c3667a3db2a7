// The shared read -> model step: everything `top`, `explain` and the tuning
// commands need to say where each process stands with the OOM killer.

import { UnsupportedError, NotFoundError, UsageError } from '../errors.js';
import { parseKernelRelease, scoreEraOf, tieRuleOf, type KernelModel } from '../kernel/era.js';
import { rankVictims, tieOrder, type Candidate, type RankedTask } from '../kernel/rank.js';
import { computeGlobalTotalpages, computeMemcgTotalpages } from '../kernel/scope.js';
import { preorderIndex } from '../kernel/memcg-walk.js';
import type { Meminfo } from '../parse/meminfo.js';
import type { Pressure } from '../parse/pressure.js';
import {
  findMemoryHierarchy, isUnderCgroup, limitedAncestors, memcgPathOf, normaliseCgroupPath, readMemcg,
  type MemcgState, type MemoryHierarchy,
} from '../system/memcg.js';
import { readProcCgroups, readProcesses, readStartTime, type ProcessRecord, type ReadProcessesOptions } from '../system/procfs.js';
import { readOwners, type OwnerIndex } from '../system/owners.js';
import { readOwnProcesses } from '../system/process-identity.js';
import { deniedPids, readProcView } from '../system/proc-view.js';
import type { Hidepid } from '../parse/proc-mount.js';
import type { SystemRoot } from '../system/root.js';
import {
  readMeminfo, readMemoryPressure, readOsRelease, readPageSize, readSysctls, readUserNames, SNAPSHOT_SYSCTLS,
} from '../system/system-info.js';

export interface ProcessCandidate extends Candidate {
  record: ProcessRecord;
  user: string | undefined;
  memcgPath: string | undefined;
}

export interface Scope {
  kind: 'global' | 'memcg';
  totalpages: bigint;
  memcg: MemcgState | undefined;
}

export interface Prediction {
  kernel: KernelModel;
  pageSize: number;
  pageSizeFromAuxv: boolean;
  meminfo: Meminfo;
  pressure: Pressure | undefined;
  sysctl: Record<string, number | null>;
  globalTotalpages: bigint;
  scope: Scope;
  hierarchy: MemoryHierarchy | undefined;
  /** Ranked within the scope: killable first in kill order, then the rest. */
  ranked: RankedTask<ProcessCandidate>[];
  /**
   * Set when oomctl does not see every process: the ranks are among the
   * visible ones only, and the kernel's next victim is unknown.
   */
  partial: PartialView | undefined;
}

export interface PartialView {
  /** The hidepid of /proc when it hides processes from oomctl; null when it is not the cause. */
  hidepid: Hidepid | null;
  /** Processes listed in /proc whose files could not be read (hidepid=noaccess, or a hardened kernel). */
  unreadable: number;
}

/**
 * A partial view, by two sound rules: /proc is mounted with hidepid and
 * oomctl is not exempt (fs/proc/base.c has_pid_permissions(): other users'
 * processes are invisible or unreadable), or some listed process could not
 * be read for lack of permission (it is missing from the ranking). Counting
 * pids against /proc/loadavg's threads would be racy and approximate.
 */
function partialView(root: SystemRoot, records: readonly { pid: number }[]): PartialView | undefined {
  const view = readProcView(root);
  const seen = new Set(records.map((r) => r.pid));
  let unreadable = 0;
  for (const pid of deniedPids(root)) if (!seen.has(pid)) unreadable++;
  if (!view.hidden && unreadable === 0) return undefined;
  return { hidepid: view.hidden && view.mount ? view.mount.hidepid : null, unreadable };
}

/** The kernel's next victim, when oomctl can know it: undefined in a partial view. */
export function knownNextVictim(p: Prediction): RankedTask<ProcessCandidate> | undefined {
  return p.partial ? undefined : p.ranked.find((r) => r.rank === 1);
}

export function readKernelModel(root: SystemRoot): KernelModel {
  const release = readOsRelease(root);
  const version = parseKernelRelease(release);
  if (!version) throw new UnsupportedError(`cannot parse the kernel release "${release}"`);
  const era = scoreEraOf(version);
  if (!era) throw new UnsupportedError(`kernel ${release} predates the 2.6.36 OOM heuristic; oomctl does not model it`);
  return { release, version, era, tieRule: tieRuleOf(version) };
}

export function toCandidate(r: ProcessRecord, users: Map<number, string>, h: MemoryHierarchy | undefined): ProcessCandidate {
  const memcgPath = h ? memcgPathOf(r.cgroups, h) : undefined;
  return {
    pid: r.pid,
    rssAnonKb: r.rssAnonKb,
    rssFileKb: r.rssFileKb,
    rssShmemKb: r.rssShmemKb,
    swapKb: r.swapKb,
    pgtablesKb: r.pgtablesKb,
    oomScoreAdj: r.oomScoreAdj,
    kernelThread: r.kernelThread,
    hasMm: r.hasMm,
    isInit: r.pid === 1,
    capSysAdmin: r.capSysAdmin,
    // Start time not read (stat: false): pid order until resolveTies() reads it.
    scanKey: [Number.isNaN(r.starttime) ? 0 : r.starttime, r.pid],
    record: r,
    user: r.uid === undefined ? undefined : users.get(r.uid),
    memcgPath,
  };
}

export interface PredictOptions {
  /** Predict inside this memory cgroup (path as /proc/PID/cgroup shows it). */
  cgroup?: string;
  /** Read cgroup membership even in the global scope. */
  withCgroups?: boolean;
  cmdline?: boolean;
  /** Read /proc/PID/oom_score for every process (default true); see readOomScore. */
  oomScore?: boolean;
  /**
   * Read /proc/PID/stat for every process (default true). With false, start
   * times are NaN and processes of equal badness are ordered by pid until
   * resolveTies() reads the start times that decide shown ranks.
   */
  stat?: boolean;
}

export function predict(root: SystemRoot, opts: PredictOptions = {}): Prediction {
  const kernel = readKernelModel(root);
  const { pageSize, fromAuxv } = readPageSize(root);
  const meminfo = readMeminfo(root);
  const pressure = readMemoryPressure(root);
  const sysctl = readSysctls(root, SNAPSHOT_SYSCTLS);
  const globalTotalpages = computeGlobalTotalpages(meminfo.memTotalKb, meminfo.swapTotalKb, pageSize);
  const needCgroups = opts.cgroup !== undefined || opts.withCgroups === true;
  const hierarchy = needCgroups ? findMemoryHierarchy(root) : undefined;

  let scope: Scope = { kind: 'global', totalpages: globalTotalpages, memcg: undefined };
  let memcgRoot: string | undefined;
  if (opts.cgroup !== undefined) {
    if (!hierarchy) throw new UnsupportedError('no memory cgroup hierarchy is mounted (neither cgroup v1 "memory" nor cgroup v2 with the memory controller)');
    memcgRoot = normaliseCgroupPath(opts.cgroup);
    if (memcgRoot === undefined) throw new UsageError(`invalid cgroup path "${opts.cgroup}"`);
    const memcg = readMemcg(root, hierarchy, memcgRoot, pageSize);
    if (!memcg) throw new NotFoundError(`no memory cgroup ${memcgRoot}`, `paths are as /proc/PID/cgroup shows them, e.g. /system.slice/mysql.service`);
    scope = { kind: 'memcg', totalpages: computeMemcgTotalpages(memcg.limits, meminfo.swapTotalKb, pageSize), memcg };
  }

  const readOpts: ReadProcessesOptions = { cgroup: needCgroups, cmdline: opts.cmdline === true, oomScore: opts.oomScore !== false, stat: opts.stat !== false };
  const users = readUserNames(root);
  const records = readProcesses(root, readOpts);
  const partial = partialView(root, records);
  let candidates = records.map((r) => toCandidate(r, users, hierarchy));
  markOwnProcesses(root, candidates);
  if (memcgRoot !== undefined) {
    const scopePath = memcgRoot;
    candidates = withWalkOrder(candidates.filter((c) => c.memcgPath !== undefined && isUnderCgroup(c.memcgPath, scopePath)));
  }
  const ranked = rankVictims(candidates, scope.totalpages, globalTotalpages, pageSize, kernel);
  return { kernel, pageSize, pageSizeFromAuxv: fromAuxv, meminfo, pressure, sysctl, globalTotalpages, scope, hierarchy, ranked, partial };
}

/**
 * oomctl itself (and a `run` wrapper waiting for it) is transient: it takes no
 * rank, so it is never the next victim nor a what-if's rival (issue 17). Matched
 * by pid and start time, so a fixture tree under --root never matches.
 */
function markOwnProcesses(root: SystemRoot, candidates: ProcessCandidate[]): void {
  const own = readOwnProcesses();
  if (own.length === 0) return;
  for (const c of candidates) {
    const key = own.find((k) => k.pid === c.pid);
    if (!key) continue;
    if (Number.isNaN(c.record.starttime) && !readStartTime(root, c.record)) continue;
    if (c.record.starttime === key.starttime) c.transient = true;
  }
}

/** A memory cgroup that sets a limit, and the totalpages an OOM inside it scales oom_score_adj by. */
export interface LimitedMemcg {
  memcg: MemcgState;
  totalpages: bigint;
}

/**
 * The memory cgroups with a limit on the path of a process in `memcgPath`
 * (itself and its ancestors), nearest first: where an OOM other than the
 * machine's can choose it. Needs a prediction made with cgroups.
 */
export function limitedMemcgsOf(root: SystemRoot, p: Prediction, memcgPath: string | undefined): LimitedMemcg[] {
  if (!p.hierarchy || memcgPath === undefined) return [];
  return limitedAncestors(root, p.hierarchy, memcgPath, p.pageSize).map((memcg) => ({
    memcg,
    totalpages: computeMemcgTotalpages(memcg.limits, p.meminfo.swapTotalKb, p.pageSize),
  }));
}

/** The ranking an OOM inside `scope` makes of `tasks`: only its subtree, oom_score_adj scaled by its totalpages. */
export function rankInMemcg(p: Prediction, scope: LimitedMemcg, tasks: readonly ProcessCandidate[]): RankedTask<ProcessCandidate>[] {
  const inScope = withWalkOrder(tasks.filter((t) => t.memcgPath !== undefined && isUnderCgroup(t.memcgPath, scope.memcg.path)));
  return rankVictims(inScope, scope.totalpages, p.globalTotalpages, p.pageSize, p.kernel);
}

/**
 * Tasks of a memcg scope with their cgroup's place in the kernel's pre-order
 * walk put first in their scan key (kernel/memcg-walk.ts).
 */
export function withWalkOrder<T extends ProcessCandidate>(tasks: readonly T[]): T[] {
  const order = preorderIndex(tasks.map((t) => t.memcgPath as string));
  return tasks.map((t) => ({ ...t, scanKey: [order.get(t.memcgPath as string) as number, ...t.scanKey] }));
}

/**
 * For a prediction made with `stat: false`: the kernel breaks ties of equal
 * badness by scan (fork) order, i.e. by start time. Reads the start time of
 * every killable process whose badness equals that of a row in `shown` (or of
 * the next victim), where more than one process has it, and ranks again. The
 * ranks of other processes do not depend on the order inside their tie group.
 * Returns the same prediction when no shown rank depends on a tie.
 */
export function resolveTies(root: SystemRoot, p: Prediction, shown: readonly RankedTask<ProcessCandidate>[]): Prediction {
  const wanted = new Set<bigint>();
  for (const r of shown) if (r.badness.points !== null) wanted.add(r.badness.points);
  const first = p.ranked[0];
  if (first && first.badness.points !== null) wanted.add(first.badness.points);
  if (wanted.size === 0) return p;
  const groups = new Map<bigint, RankedTask<ProcessCandidate>[]>();
  for (const r of p.ranked) {
    const points = r.badness.points;
    if (points === null || !wanted.has(points)) continue;
    const g = groups.get(points);
    if (g) g.push(r); else groups.set(points, [r]);
  }
  let changed = false;
  const ranked = [...p.ranked];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    let read = false;
    for (const r of group) {
      const rec = r.task.record;
      if (!Number.isNaN(rec.starttime)) continue;
      // A process gone since (or its pid reused) keeps its pid order.
      if (!readStartTime(root, rec)) continue;
      const key = [...r.task.scanKey];
      key[key.length - 2] = rec.starttime;
      r.task.scanKey = key;
      read = true;
    }
    if (!read) continue;
    // A tie group is contiguous in kill order: sort it again in place.
    changed = true;
    const from = ranked.indexOf(group[0] as RankedTask<ProcessCandidate>);
    const sorted = [...group].sort((a, b) => tieOrder(a.task.scanKey, b.task.scanKey, p.kernel));
    sorted.forEach((r, i) => { ranked[from + i] = { ...r, rank: from + i + 1 }; });
  }
  return changed ? { ...p, ranked } : p;
}

export function matchesUser(c: ProcessCandidate, user: string): boolean {
  if (/^\d+$/.test(user)) return c.record.uid === Number(user);
  return c.user === user;
}

/**
 * The owners (unit, container, pod) of `tasks`, read only for them: /proc/PID/cgroup
 * where the prediction did not read it, then the runtimes' files (system/owners.ts).
 * `top` calls it for the rows it shows, so a one-shot top reads a cgroup file per
 * shown row, not per process.
 */
export function readOwnersOf(root: SystemRoot, tasks: Iterable<ProcessCandidate>): OwnerIndex {
  const list: { pid: number; cgroups: ProcessRecord['cgroups'] }[] = [];
  for (const t of tasks) list.push({ pid: t.pid, cgroups: readProcCgroups(root, t.record) });
  return readOwners(root, list);
}

/** By worst pid: how many processes share its owner cgroup (what a memory.oom.group=1 kill takes). */
export function groupSizes(owners: OwnerIndex, worstPids: Iterable<number>): Map<number, number> {
  const perCgroup = new Map<string, number>();
  for (const o of owners.byPid.values()) if (o.cgroup !== null) perCgroup.set(o.cgroup, (perCgroup.get(o.cgroup) ?? 0) + 1);
  const out = new Map<number, number>();
  for (const pid of worstPids) {
    const cg = owners.byPid.get(pid)?.cgroup;
    if (cg !== null && cg !== undefined) out.set(pid, perCgroup.get(cg) ?? 1);
  }
  return out;
}
