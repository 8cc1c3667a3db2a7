// Reading processes from /proc/PID. Only the files a command asks for are
// read: each one costs an open/read/close per process.

import { parseProcCgroup, type CgroupMembership } from '../parse/cgroup.js';
import { parseStat, PF_KTHREAD } from '../parse/stat.js';
import { parseStatus } from '../parse/status.js';
import type { SystemRoot } from './root.js';

/** include/uapi/linux/capability.h */
const CAP_SYS_ADMIN = 21n;

export interface ProcessRecord {
  pid: number;
  /** Raw comm from stat: untrusted text. */
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks since boot: with pid, the identity that survives pid reuse. */
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
}

export function listPids(root: SystemRoot): number[] {
  const entries = root.listDir('/proc') ?? [];
  const pids: number[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 49 && c <= 57 && /^\d+$/.test(e)) pids.push(Number(e));
  }
  return pids;
}

function toInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

/**
 * The kernel's own /proc/PID/oom_score; undefined if unreadable or gone.
 * Callers that show only some rows read it for those rows alone: at 3,000
 * processes it is a quarter of the /proc work.
 */
export function readOomScore(root: SystemRoot, pid: number): number | undefined {
  return toInt(root.readSmallText(`/proc/${pid}/oom_score`));
}

/** One process; undefined when it exited while being read. */
export function readProcess(root: SystemRoot, pid: number, opts: ReadProcessesOptions = {}): ProcessRecord | undefined {
  const base = `/proc/${pid}`;
  const statText = root.readSmallText(`${base}/stat`);
  if (statText === undefined) return undefined;
  const stat = parseStat(statText);
  if (!stat) return undefined;
  const statusText = root.readSmallText(`${base}/status`);
  if (statusText === undefined) return undefined;
  const status = parseStatus(statusText);
  const adj = toInt(root.readSmallText(`${base}/oom_score_adj`));
  if (adj === undefined) return undefined;
  const oomScore = opts.oomScore === false ? undefined : readOomScore(root, pid);

  const split = status.rssAnonKb !== undefined;
  const hasMm = split || status.vmRssKb !== undefined;
  const record: ProcessRecord = {
    pid,
    comm: stat.comm,
    state: stat.state,
    ppid: stat.ppid,
    starttime: stat.starttime,
    uid: status.uid,
    // Before v4.5 only VmRSS is printed; count it as anonymous.
    rssAnonKb: split ? status.rssAnonKb ?? 0 : status.vmRssKb ?? 0,
    rssFileKb: status.rssFileKb ?? 0,
    rssShmemKb: status.rssShmemKb ?? 0,
    swapKb: status.vmSwapKb ?? 0,
    pgtablesKb: (status.vmPteKb ?? 0) + (status.vmPmdKb ?? 0),
    kernelThread: status.kthread ?? (stat.flags & PF_KTHREAD) !== 0,
    hasMm: hasMm && stat.state !== 'Z',
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
