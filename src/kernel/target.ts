// Which processes a TARGET names. Pure: the facts about each process are read
// elsewhere (src/system/process-identity.ts). Whoever starts a process
// chooses its name, so a name alone never reaches processes that run
// different executables or belong to different users (the impostor rule).

import { NotFoundError, RefusedError, UsageError } from '../errors.js';

/** The kernel keeps 15 bytes of a task's name: include/linux/sched.h TASK_COMM_LEN (16, with the NUL). */
export const COMM_BYTES = 15;

export interface TargetProcess {
  pid: number;
  /** Raw comm (untrusted). */
  comm: string;
  uid: number | undefined;
  user: string | undefined;
  /** readlink /proc/PID/exe without " (deleted)"; undefined when unreadable. */
  exe: string | undefined;
  /** argv joined with spaces; undefined when unreadable or empty (kernel threads). */
  cmdline: string | undefined;
  /** The systemd unit the process runs in (e.g. "mysql.service"), if any. */
  unit: string | undefined;
  /** Every cgroup path of /proc/PID/cgroup. */
  cgroupPaths: readonly string[];
  kernelThread: boolean;
}

export interface TargetQuery {
  /** A pid or a name. */
  target: string;
  exact: boolean;
  regex: RegExp | undefined;
  /** A user name or uid. */
  user: string | undefined;
  exe: string | undefined;
  unit: string | undefined;
  cgroup: string | undefined;
  allMatches: boolean;
  /** oomctl's own pid: never a target of its own name matching. */
  selfPid: number | undefined;
  /** Only showing: pid 1 and kernel threads may be named by pid. */
  readOnly?: boolean;
}

export interface TargetSelection<P extends TargetProcess> {
  matches: P[];
  byPid: boolean;
  /** Kernel threads and pid 1 that matched the name and were left out. */
  skipped: P[];
}

/** The first 15 bytes of a name, as the kernel would keep it. */
export function cutComm(name: string): string {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length <= COMM_BYTES) return name;
  return new TextDecoder().decode(bytes.slice(0, COMM_BYTES)).replace(/\ufffd$/, '');
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** Normalises a cgroup path as /proc/PID/cgroup shows it. */
function normaliseCgroup(p: string): string | undefined {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) return undefined;
  return '/' + parts.join('/');
}

/** systemctl's rule: a unit name without a type suffix is a service. */
export function normaliseUnitName(unit: string): string {
  return /\.(service|scope|slice|socket|mount|timer|target|path|swap|device|automount)$/.test(unit) ? unit : `${unit}.service`;
}

export function compileRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`invalid --regex "${source}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * THE name matcher (explain, adj, protect, unprotect, policy rules, events
 * --victim): the executable's file name, the comm, or (without --exact) a comm
 * that is the kernel's 15-byte cut of the name (bytes, not UTF-16 units). The
 * cut is not taken when /proc/PID/exe is readable and contradicts it: when the
 * comm is the cut of the executable's own name, the process is that program,
 * not the longer name asked for (systemd-journald's comm "systemd-journal" is
 * not "systemd-journal-upload").
 */
export function matchesName(p: Pick<TargetProcess, 'comm' | 'exe'>, name: string, exact: boolean): boolean {
  const exeName = p.exe === undefined ? undefined : basename(p.exe);
  if (exeName === name) return true;
  if (p.comm === name) return true;
  if (!commMatchesName(p.comm, name, exact)) return false;
  return exeName === undefined || cutComm(exeName) !== p.comm;
}

/** A comm (as /proc or a kernel log prints it) names `name`: equal, or (without exact) its 15-byte cut. */
export function commMatchesName(comm: string, name: string, exact: boolean): boolean {
  if (comm === name) return true;
  return !exact && comm === cutComm(name) && name !== cutComm(name);
}

function matchesUser(p: TargetProcess, user: string): boolean {
  return /^\d+$/.test(user) ? p.uid === Number(user) : p.user === user;
}

function filterReasons(p: TargetProcess, q: TargetQuery): string | undefined {
  if (q.regex && !q.regex.test(p.cmdline ?? p.comm)) return `--regex ${q.regex.source}`;
  if (q.user !== undefined && !matchesUser(p, q.user)) return `--user ${q.user}`;
  if (q.exe !== undefined && p.exe !== q.exe) return `--exe ${q.exe}`;
  if (q.unit !== undefined && p.unit !== normaliseUnitName(q.unit)) return `--unit ${normaliseUnitName(q.unit)}`;
  if (q.cgroup !== undefined) {
    const want = normaliseCgroup(q.cgroup) as string;
    if (!p.cgroupPaths.some((c) => want === '/' || c === want || c.startsWith(want + '/'))) return `--cgroup ${want}`;
  }
  return undefined;
}

function who(p: TargetProcess): string {
  return p.user ?? (p.uid === undefined ? '?' : String(p.uid));
}

/** Names close to `name` that did not match it: a different case, or a 15-byte cut. */
export function nearMisses(all: readonly TargetProcess[], name: string, exact: boolean): string[] {
  const lower = name.toLowerCase();
  const cut = cutComm(name);
  const out = new Set<string>();
  for (const p of all) {
    if (p.kernelThread) continue;
    const exeName = p.exe === undefined ? undefined : basename(p.exe);
    for (const n of [p.comm, exeName]) {
      if (n === undefined || n === name) continue;
      if (n.toLowerCase() === lower) out.add(n);
      // "drop --exact" only where it would then match: a comm that is also the cut of the
      // process's own executable name is that program (matchesName() refuses the cut without
      // --exact too), so the hint names the executable instead of a promise that fails.
      else if (exact && n === cut && matchesName(p, name, false)) out.add(`${n} (the kernel's 15-byte cut of "${name}"; drop --exact)`);
      else if (exact && n === cut && n === p.comm && exeName !== undefined) out.add(`${n} (the 15-byte cut of "${name}", but also of its executable's name ${exeName}: it runs that program)`);
      else if (n.length === COMM_BYTES && lower.startsWith(n.toLowerCase())) out.add(`${n} (names are cut at 15 bytes)`);
      else if (name.length < COMM_BYTES && n.toLowerCase().startsWith(lower) && n.length <= name.length + 3) out.add(n);
    }
  }
  return [...out].slice(0, 5);
}

/**
 * Selects the processes a TARGET names. Throws NotFoundError (nothing
 * matches), RefusedError (pid 1, a kernel thread, or an ambiguous name).
 * Untrusted names in messages are escaped by `escape`.
 */
export function selectTargets<P extends TargetProcess>(all: readonly P[], q: TargetQuery, escape: (s: string) => string): TargetSelection<P> {
  if (q.cgroup !== undefined && normaliseCgroup(q.cgroup) === undefined) throw new UsageError(`invalid --cgroup path "${q.cgroup}"`);
  if (/^\d+$/.test(q.target)) {
    const pid = Number(q.target);
    const p = all.find((x) => x.pid === pid);
    if (!p) throw new NotFoundError(`no process with pid ${pid}`, 'it may have exited');
    if (q.readOnly !== true && pid === 1) throw new RefusedError('pid 1 (init) is never touched: the kernel never chooses it, and its value is inherited by everything it starts');
    if (q.readOnly !== true && p.kernelThread) throw new RefusedError(`pid ${pid} (${escape(p.comm)}) is a kernel thread: the OOM killer never chooses it, oomctl never touches it`);
    const reason = filterReasons(p, q);
    if (reason !== undefined) throw new NotFoundError(`pid ${pid} (${escape(p.comm)}) does not match ${reason}`);
    return { matches: [p], byPid: true, skipped: [] };
  }
  if (q.target === '' || q.target.includes('/')) {
    throw new UsageError(`"${escape(q.target)}" is neither a pid nor a process name`, q.target.includes('/') ? 'to match an executable by path, give its name and --exe PATH' : undefined);
  }
  const named = all.filter((p) => p.pid !== q.selfPid && matchesName(p, q.target, q.exact));
  const skipped = named.filter((p) => p.pid === 1 || p.kernelThread);
  const candidates = named.filter((p) => p.pid !== 1 && !p.kernelThread);
  const matches = candidates.filter((p) => filterReasons(p, q) === undefined);
  if (matches.length === 0) {
    const name = escape(q.target);
    if (candidates.length > 0) {
      const reasons = [...new Set(candidates.map((p) => filterReasons(p, q)))].join(', ');
      throw new NotFoundError(`${candidates.length} process${candidates.length === 1 ? '' : 'es'} named "${name}", but none matches ${reasons}`);
    }
    if (skipped.length > 0) throw new RefusedError(`only pid 1 or kernel threads are named "${name}": oomctl never touches them`);
    const near = nearMisses(all, q.target, q.exact).map(escape);
    throw new NotFoundError(`no process named "${name}"`, near.length > 0 ? `near misses: ${near.join(', ')}` : undefined);
  }
  if (!q.allMatches && matches.length > 1) {
    const users = new Set(matches.map((p) => p.uid ?? -1));
    const exes = new Set(matches.map((p) => p.exe ?? '?'));
    const mixedUsers = q.user === undefined && users.size > 1;
    const mixedExes = q.exe === undefined && q.user === undefined && (exes.size > 1 || exes.has('?'));
    if (mixedUsers || mixedExes) {
      const what = [mixedUsers ? 'different users' : '', mixedExes ? (exes.has('?') ? 'executables oomctl cannot read' : 'different executables') : ''].filter(Boolean).join(' and ');
      const list = matches.slice(0, 20).map((p) => `pid ${p.pid} user ${escape(who(p))} exe ${escape(p.exe ?? '(unreadable)')}`).join('; ');
      const more = matches.length > 20 ? `; and ${matches.length - 20} more` : '';
      throw new RefusedError(
        `"${escape(q.target)}" matches ${matches.length} processes with ${what}, and anyone can name a process so: ${list}${more}`,
        'narrow it with --exe PATH, --user USER or a pid, or add --all-matches to take them all',
      );
    }
  }
  return { matches, byPid: false, skipped };
}
