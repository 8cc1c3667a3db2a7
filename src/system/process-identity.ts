// Facts that identify a process beyond its name: its executable, its start
// time (pid + start time survive pid reuse) and the credentials of oomctl
// itself, which decide what the kernel lets it write.

import { readFileSync, readlinkSync } from 'node:fs';
import { errnoOf } from '../errors.js';
import { parseStat } from '../parse/stat.js';
import { parseStatus } from '../parse/status.js';
import type { SystemRoot } from './root.js';

/** include/uapi/linux/capability.h: CAP_SYS_RESOURCE, needed to lower oom_score_adj below its floor. */
export const CAP_SYS_RESOURCE = 24n;

/** readlink /proc/PID/exe, without the " (deleted)" the kernel appends for a replaced file. */
export function readExe(root: SystemRoot, pid: number): string | undefined {
  try {
    return readlinkSync(root.path(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'ESRCH' || code === 'EINVAL') return undefined;
    throw error;
  }
}


export interface SelfCredentials {
  uid: number | undefined;
  /** Effective CAP_SYS_RESOURCE, from CapEff of /proc/self/status; undefined when unreadable. */
  capSysResource: boolean | undefined;
}

/** oomctl's own uid and capabilities: always the real /proc/self, whatever --root says. */
export function readSelfCredentials(): SelfCredentials {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  let capEff: bigint | undefined;
  try {
    capEff = parseStatus(readFileSync('/proc/self/status', 'utf8')).capEff;
  } catch {
    capEff = undefined;
  }
  return { uid, capSysResource: capEff === undefined ? undefined : ((capEff >> CAP_SYS_RESOURCE) & 1n) === 1n };
}

/** Why the kernel refused an oom_score_adj write, in words. */
export function explainAdjDenial(self: SelfCredentials, ownerUid: number | undefined, from: number, to: number): { reason: string; hint: string } {
  if (self.uid !== 0) {
    const lowering = to < from;
    return {
      reason: ownerUid !== undefined && ownerUid !== self.uid
        ? `not root (uid ${self.uid ?? '?'}): the process belongs to uid ${ownerUid}`
        : `not root (uid ${self.uid ?? '?'})${lowering ? ': lowering oom_score_adj below the floor the process inherited needs CAP_SYS_RESOURCE' : ''}`,
      hint: 'run oomctl as root (sudo oomctl ...)',
    };
  }
  if (self.capSysResource === false) {
    return {
      reason: 'root without CAP_SYS_RESOURCE (as in a default container): the kernel lets only that capability lower oom_score_adj below the floor the process inherited (oom_score_adj_min)',
      hint: 'values at or above the floor (usually 0) work without it; give the container CAP_SYS_RESOURCE, or set OOMScoreAdjust= in the systemd unit (systemd applies it with all capabilities)',
    };
  }
  return { reason: 'the kernel refused the write (a security module, or a read-only /proc)', hint: 'check the audit log' };
}

/** A process by pid and start time (clock ticks since boot): the pair pid reuse cannot fake. */
export interface ProcessKey {
  pid: number;
  starttime: number;
}

function realStat(pid: number | 'self'): ProcessKey & { ppid: number } | undefined {
  try {
    const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return st ? { pid: st.pid, starttime: st.starttime, ppid: st.ppid } : undefined;
  } catch { return undefined; }
}

function realArgv(pid: number | 'self'): string[] | undefined {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1); } catch { return undefined; }
}

/**
 * oomctl's own process and the Node 20 `run` wrappers above it (`oomctl run
 * -- oomctl top`): each such wrapper runs the same node and script as this
 * one with the verb `run`, and ends when its child does. Always the real
 * /proc, whatever --root says; a process of another pid namespace never
 * matches (its start time is not ours).
 */
export function readOwnProcesses(): ProcessKey[] {
  const self = realStat('self');
  if (!self) return [];
  const own: ProcessKey[] = [{ pid: self.pid, starttime: self.starttime }];
  const argv = realArgv('self');
  let exe: string | undefined;
  try { exe = readlinkSync('/proc/self/exe'); } catch { exe = undefined; }
  let ppid = self.ppid;
  for (let depth = 0; depth < 8 && ppid > 1 && argv && exe; depth++) {
    const parent = realStat(ppid);
    const pargv = realArgv(ppid);
    let pexe: string | undefined;
    try { pexe = readlinkSync(`/proc/${ppid}/exe`); } catch { pexe = undefined; }
    if (!parent || !pargv || pexe !== exe || pargv[1] !== argv[1] || !pargv.slice(2).includes('run')) break;
    own.push({ pid: parent.pid, starttime: parent.starttime });
    ppid = parent.ppid;
  }
  return own;
}

/** include/uapi/linux/capability.h: CAP_SYS_PTRACE, which sees every process under hidepid. */
export const CAP_SYS_PTRACE = 19n;

/**
 * Whether oomctl sees every process under a proc mounted with `hidepid` and
 * `gid`: fs/proc/base.c has_pid_permissions() lets a task through when the
 * caller is in the gid group (not for ptraceable) or may ptrace it
 * (ptrace_may_access(): same uid, or CAP_SYS_PTRACE). Only CAP_SYS_PTRACE or
 * the group is known to reach every process, so anything else is partial.
 */
export function seesEveryProcess(hidepid: 'off' | 'noaccess' | 'invisible' | 'ptraceable', gid: number | undefined): boolean {
  if (hidepid === 'off') return true;
  let capEff: bigint | undefined;
  try { capEff = parseStatus(readFileSync('/proc/self/status', 'utf8')).capEff; } catch { capEff = undefined; }
  if (capEff !== undefined && ((capEff >> CAP_SYS_PTRACE) & 1n) === 1n) return true;
  if (hidepid !== 'ptraceable' && gid !== undefined) {
    const groups = [typeof process.getegid === 'function' ? process.getegid() : -1, ...(typeof process.getgroups === 'function' ? process.getgroups() : [])];
    if (groups.includes(gid)) return true;
  }
  return false;
}
