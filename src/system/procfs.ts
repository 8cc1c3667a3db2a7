// Reading processes from /proc/PID. Only the files a command asks for are
// read: each one costs an open/read/close per process.

import { parseProcCgroup, type CgroupMembership } from '../parse/cgroup.js';
import { parseStat, PF_KTHREAD, type ProcessStat } from '../parse/stat.js';
import { parseStatusLatin1 } from '../parse/status.js';
import type { SystemRoot } from './root.js';

/** include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21n;

export interface ProcessRecord {
  pid: number;
  /** Raw comm from stat: untrusted text. */
  comm: string;
  state: string;
  ppid: number;
  /**
   * Clock ticks since boot: with pid, the identity that survives pid reuse.
   * NaN when read with `stat: false` until readStartTime() fills it in.
   */
  starttime: number;
  uid: number | undefined;
  rssAnonKb: number;
  rssFileKb: number;
  rssShmemKb: number;
  swapKb: number;
  pgtablesKb: number;
  kernelThread: boolean;
  hasMm: boolean;
  capSysAdmin: boolean;
  /** /proc/PID/oom_score as the kernel printed it; undefined if unreadable. */
  oomScore: number | undefined;
  oomScoreAdj: number;
  cgroups: CgroupMembership[] | undefined;
  /** NUL-separated argv joined with spaces; undefined when not asked or unreadable. */
  cmdline: string | undefined;
}

export interface ReadProcessesOptions {
  cgroup?: boolean;
  cmdline?: boolean;
  /** Skip oom_score (when only the model's prediction is wanted). */
  oomScore?: boolean;
  /**
   * Read /proc/PID/stat (default true). With false, comm, state, ppid and the
   * kernel-thread flag come from status (stat is still read when status
   * cannot give them exactly: an escaped Name, no Kthread: line before 6.0),
   * and `starttime` is NaN: see readStartTime(). One of three files per
   * process on the `top --once` path.
   */
  stat?: boolean;
}

export function listPids(root: SystemRoot): number[] {
  const entries = root.listDir('/proc') ?? [];
  const pids: number[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 49 || c > 57) continue;
    let digits = true;
    for (let i = 1; i < e.length && digits; i++) { const d = e.charCodeAt(i); digits = d >= 48 && d <= 57; }
    if (digits) pids.push(Number(e));
  }
  return pids;
}

/** A decimal integer with optional sign and surrounding blanks (an oom_score_adj file); else undefined. */
function toInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let i = 0;
  let end = text.length;
  while (i < end && text.charCodeAt(i) <= 32) i++;
  while (end > i && text.charCodeAt(end - 1) <= 32) end--;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  if (i >= end) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  return negative ? -n : n;
}

/**
 * The kernel's own /proc/PID/oom_score; undefined if unreadable or gone.
 * Callers that show only some rows read it for those rows alone: at 3,000
 * processes it is a quarter of the /proc work.
 */
export function readOomScore(root: SystemRoot, pid: number): number | undefined {
  return toInt(root.readSmallText(`/proc/${pid}/oom_score`));
}

/** fs/proc/array.c proc_task_name(): status escapes only "\n" and "\\" in Name (string_escape_str, ESCAPE_SPACE | ESCAPE_SPECIAL, only "\n\\"). */
function exactName(name: string | undefined): string | undefined {
  return name === undefined || name.includes('\\') ? undefined : name;
}

/** One process; undefined when it exited while being read. */
export function readProcess(root: SystemRoot, pid: number, opts: ReadProcessesOptions = {}): ProcessRecord | undefined {
  const base = `/proc/${pid}`;
  let stat: ProcessStat | undefined;
  if (opts.stat !== false) {
    const statText = root.readSmallText(`${base}/stat`);
    if (statText === undefined) return undefined;
    stat = parseStat(statText);
    if (!stat) return undefined;
  }
  const statusText = root.readSmallLatin1(`${base}/status`);
  if (statusText === undefined) return undefined;
  const status = parseStatusLatin1(statusText);
  if (!stat) {
    const name = exactName(status.name);
    if (name === undefined || status.kthread === undefined || status.state === undefined || status.ppid === undefined) {
      // Status cannot say it exactly: take stat after all.
      const statText = root.readSmallText(`${base}/stat`);
      stat = statText === undefined ? undefined : parseStat(statText);
      if (!stat) return undefined;
    }
  }
  const adj = toInt(root.readSmallText(`${base}/oom_score_adj`));
  if (adj === undefined) return undefined;
  const oomScore = opts.oomScore === false ? undefined : readOomScore(root, pid);

  const split = status.rssAnonKb !== undefined;
  const hasMm = split || status.vmRssKb !== undefined;
  const state = stat ? stat.state : status.state as string;
  const record: ProcessRecord = {
    pid,
    comm: stat ? stat.comm : status.name as string,
    state,
    ppid: stat ? stat.ppid : status.ppid as number,
    starttime: stat ? stat.starttime : Number.NaN,
    uid: status.uid,
    // Before v4.5 only VmRSS is printed; count it as anonymous.
    rssAnonKb: split ? status.rssAnonKb ?? 0 : status.vmRssKb ?? 0,
    rssFileKb: status.rssFileKb ?? 0,
    rssShmemKb: status.rssShmemKb ?? 0,
    swapKb: status.vmSwapKb ?? 0,
    pgtablesKb: (status.vmPteKb ?? 0) + (status.vmPmdKb ?? 0),
    kernelThread: status.kthread ?? (stat !== undefined && (stat.flags & PF_KTHREAD) !== 0),
    hasMm: hasMm && state !== 'Z',
    capSysAdmin: status.capEff !== undefined && ((status.capEff >> CAP_SYS_ADMIN) & 1n) === 1n,
    oomScore,
    oomScoreAdj: adj,
    cgroups: undefined,
    cmdline: undefined,
  };
  if (opts.cgroup) {
    const text = root.readText(`${base}/cgroup`);
    record.cgroups = text === undefined ? undefined : parseProcCgroup(text);
  }
  if (opts.cmdline) {
    const text = root.readText(`${base}/cmdline`);
    record.cmdline = text === undefined ? undefined : text.replace(/\0+$/, '').split('\0').join(' ');
  }
  return record;
}

/**
 * Fills in `starttime` of a record read with `stat: false`. False when the
 * process is gone or its pid now belongs to another process (comm differs).
 */
export function readStartTime(root: SystemRoot, record: ProcessRecord): boolean {
  const stat = readPidStat(root, record.pid);
  if (!stat || stat.comm !== record.comm) return false;
  record.starttime = stat.starttime;
  return true;
}

/** THE reader of /proc/PID/stat by pid (start time and comm: pid + start time survive pid reuse); undefined when it has exited. */
export function readPidStat(root: SystemRoot, pid: number): ProcessStat | undefined {
  const text = root.readSmallText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text) ?? undefined;
}

/** The start time (clock ticks since boot) of /proc/PID/stat, or undefined when it has exited. */
export function readPidStartTime(root: SystemRoot, pid: number): number | undefined {
  return readPidStat(root, pid)?.starttime;
}

/** /proc/PID/cgroup of one process, for a record read without it; undefined when unreadable. */
export function readProcCgroups(root: SystemRoot, record: ProcessRecord): CgroupMembership[] | undefined {
  if (record.cgroups === undefined) {
    const text = root.readText(`/proc/${record.pid}/cgroup`);
    record.cgroups = text === undefined ? undefined : parseProcCgroup(text);
  }
  return record.cgroups;
}

export function readProcesses(root: SystemRoot, opts: ReadProcessesOptions = {}): ProcessRecord[] {
  const out: ProcessRecord[] = [];
  for (const pid of listPids(root)) {
    const rec = readProcess(root, pid, opts);
    if (rec) out.push(rec);
  }
  return out;
}

/** The least `apply --watch` reads about a new process: /proc/PID/stat only. */
export interface ProcessBrief {
  pid: number;
  comm: string;
  starttime: number;
  kernelThread: boolean;
}

export function readProcessBrief(root: SystemRoot, pid: number): ProcessBrief | undefined {
  const text = root.readText(`/proc/${pid}/stat`);
  const stat = text === undefined ? undefined : parseStat(text);
  if (!stat) return undefined;
  return { pid, comm: stat.comm, starttime: stat.starttime, kernelThread: (stat.flags & PF_KTHREAD) !== 0 };
}
