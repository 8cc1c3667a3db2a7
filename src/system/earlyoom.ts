// Where earlyoom runs, its arguments: from its /proc/PID/cmdline (what it was
// started with), else /etc/default/earlyoom (what its unit would start it with).

import { parseCmdline, parseEarlyoomArgs, parseEarlyoomDefault, type EarlyoomArgs } from '../parse/earlyoom-args.js';
import type { EarlyoomProcess } from '../kernel/earlyoom.js';
import { listPids, type ProcessRecord } from './procfs.js';
import type { SystemRoot } from './root.js';
import { readMeminfo } from './system-info.js';

export interface EarlyoomFound {
  /** The running earlyoom's pid, or null when only its default file was found. */
  pid: number | null;
  argv: string[];
  args: EarlyoomArgs;
  source: 'cmdline' | '/etc/default/earlyoom';
}

/** A running earlyoom's arguments, from its /proc/PID/cmdline; undefined when it has exited. */
export function readEarlyoomProcess(root: SystemRoot, pid: number, mi: { memTotalKb: number; swapTotalKb: number } = readMeminfo(root)): EarlyoomFound | undefined {
  const raw = root.readText(`/proc/${pid}/cmdline`);
  if (raw === undefined) return undefined;
  const argv = parseCmdline(raw).slice(1);
  return { pid, argv, args: parseEarlyoomArgs(argv, mi.memTotalKb, mi.swapTotalKb), source: 'cmdline' };
}

/** The running earlyoom (comm "earlyoom"), else the configured one; undefined when neither. */
export function readEarlyoom(root: SystemRoot, records?: readonly ProcessRecord[]): EarlyoomFound | undefined {
  const mi = readMeminfo(root);
  // With the records already read (top), their comm says it: no second walk of /proc.
  const pids = records ? records.filter((r) => r.comm === 'earlyoom').map((r) => r.pid) : listPids(root);
  for (const pid of pids) {
    if (!records && root.readSmallText(`/proc/${pid}/comm`)?.trim() !== 'earlyoom') continue;
    const found = readEarlyoomProcess(root, pid, mi);
    if (found) return found;
  }
  const text = root.readText('/etc/default/earlyoom');
  const argv = text === undefined ? undefined : parseEarlyoomDefault(text);
  if (argv === undefined) return undefined;
  return { pid: null, argv, args: parseEarlyoomArgs(argv, mi.memTotalKb, mi.swapTotalKb), source: '/etc/default/earlyoom' };
}

/** The fields earlyoom's is_larger() reads, from oomctl's process records (oom_score must have been read). */
export function earlyoomProcesses(records: readonly ProcessRecord[]): EarlyoomProcess[] {
  const out: EarlyoomProcess[] = [];
  for (const r of records) {
    if (r.oomScore === undefined || r.uid === undefined) continue;
    // earlyoom matches /proc/PID/comm (get_comm), the same name stat shows; its VmRSS is stat's rss
    // (anon + file + shmem pages, the same counters status splits).
    out.push({ pid: r.pid, ppid: r.ppid, uid: r.uid, comm: r.comm, oomScore: r.oomScore, oomScoreAdj: r.oomScoreAdj, rssKib: r.rssAnonKb + r.rssFileKb + r.rssShmemKb });
  }
  return out;
}
