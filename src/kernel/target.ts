// Which processes a TARGET names. Pure: the facts about each process are read
// elsewhere (src/system/process-identity.ts). Whoever starts a process
// chooses its name, so a name alone never reaches processes that run
// different executables or belong to different users (the impostor rule).

import { NotFoundError, RefusedError, UsageError } from '../errors.js';
import type { Owner } from '../parse/owner.js';

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
  /** Unit, container, pod (src/system/owners.ts); undefined when not read or not known. */
  owner?: Owner | undefined;
}

export interface TargetQuery {
  /** A pid or a name; undefined: every process of the owner that --unit, --container or --pod names. */
  target: string | undefined;
  exact: boolean;
  regex: RegExp | undefined;
  /** A user name or uid. */
  user: string | undefined;
  exe: string | undefined;
  unit: string | undefined;
  cgroup: string | undefined;
  /** A container name, a full id, or an id prefix of at least 12 hex digits. */
  container?: string | undefined;
  /** NAMESPACE/NAME, or a pod uid. */
  pod?: string | undefined;
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

/**
 * A container id prefix is taken from 12 hex digits (the short id `docker ps` prints). Docker takes
 * any unique prefix (moby daemon/container.go GetContainer(), checked in several versions): oomctl
 * wants 12, so that a short word typed as a name never reaches a container by chance.
 */
export const CONTAINER_ID_PREFIX_MIN = 12;

export type PodSpec = { namespace: string; name: string; uid?: undefined } | { uid: string; namespace?: undefined; name?: undefined };

/** --pod NAMESPACE/NAME, or a pod uid (36 characters, as the kubelet's cgroup paths hold it). */
export function parsePodSpec(v: string, escape: (s: string) => string): PodSpec {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v)) return { uid: v };
  const i = v.indexOf('/');
  if (i <= 0 || i === v.length - 1 || v.indexOf('/', i + 1) >= 0) {
    throw new UsageError(`--pod "${escape(v)}" is not NAMESPACE/NAME or a pod uid`, 'e.g. --pod shop/api-6c9b7d5f4-x2kqp');
  }
  return { namespace: v.slice(0, i), name: v.slice(i + 1) };
}

export function podMatches(o: Owner | undefined, spec: PodSpec): boolean {
  if (!o || o.pod_uid === null) return false;
  if (spec.uid !== undefined) return o.pod_uid === spec.uid;
  return o.pod_namespace === spec.namespace && o.pod_name === spec.name;
}

/**
 * How a container TARGET names a container, in docker's order (daemon GetContainer(): the full id,
 * then the name, then a unique id prefix): 'id', 'name', 'prefix', or undefined.
 */
export function containerMatch(o: Owner | undefined, want: string): 'id' | 'name' | 'prefix' | undefined {
  if (!o || o.container_id === null && o.container_name === null) return undefined;
  if (o.container_id !== null && o.container_id === want) return 'id';
  if (o.container_name !== null && o.container_name === want) return 'name';
  const w = want.toLowerCase();
  if (o.container_id !== null && w.length >= CONTAINER_ID_PREFIX_MIN && /^[0-9a-f]+$/.test(w) && o.container_id.startsWith(w)) return 'prefix';
  return undefined;
}

/** The unit a process runs in: the owner core's (cg_unescape, every unit type) when known, else the cgroup path's. */
function unitOf(p: TargetProcess): string | undefined {
  return p.owner?.unit ?? p.unit;
}

/** An owner's short name in messages: container NAME (id12), pod NS/NAME (uid). */
export function ownerWords(o: Owner, escape: (s: string) => string, as: 'pod' | 'container' = 'pod'): string {
  const pod = o.pod_uid === null ? '' : `pod ${o.pod_name === null ? '?' : `${escape(o.pod_namespace ?? '?')}/${escape(o.pod_name)}`} (uid ${escape(o.pod_uid)})`;
  if (pod !== '' && (as === 'pod' || o.container_id === null)) return pod;
  if (o.container_id !== null) return `container ${o.container_name === null ? '?' : escape(o.container_name)} (${escape(o.container_id.slice(0, 12))})${pod !== '' ? ` of ${pod}` : ''}`;
  return `unit ${escape(o.unit ?? o.slice ?? '?')}`;
}

function matchesUser(p: TargetProcess, user: string): boolean {
  return /^\d+$/.test(user) ? p.uid === Number(user) : p.user === user;
}

function filterReasons(p: TargetProcess, q: TargetQuery): string | undefined {
  if (q.regex && !q.regex.test(p.cmdline ?? p.comm)) return `--regex ${q.regex.source}`;
  if (q.user !== undefined && !matchesUser(p, q.user)) return `--user ${q.user}`;
  if (q.exe !== undefined && p.exe !== q.exe) return `--exe ${q.exe}`;
  if (q.unit !== undefined && unitOf(p) !== normaliseUnitName(q.unit)) return `--unit ${normaliseUnitName(q.unit)}`;
  if (q.pod !== undefined && !podMatches(p.owner, parsePodSpec(q.pod, (s) => s))) return `--pod ${q.pod}`;
  if (q.container !== undefined && containerMatch(p.owner, q.container) === undefined) return `--container ${q.container}`;
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
  if (q.cgroup !== undefined && normaliseCgroup(q.cgroup) === undefined) throw new UsageError(`invalid --cgroup path "${escape(q.cgroup)}"`);
  if (q.pod !== undefined) parsePodSpec(q.pod, escape);
  if (q.target === undefined) return selectOwnerTargets(all, q, escape);
  const narrowed = narrowContainer(all, q);
  if (narrowed.length === 0 && q.container !== undefined) return selectOwnerTargets(all, { ...q, target: undefined }, escape);
  if (narrowed !== all) return selectTargets(narrowed, { ...q, container: undefined }, escape);
  if (/^\d+$/.test(q.target)) {
    const pid = Number(q.target);
    const p = all.find((x) => x.pid === pid);
    if (!p) throw new NotFoundError(`no process with pid ${pid}`, 'it may have exited');
    if (q.readOnly !== true && pid === 1) throw new RefusedError('pid 1 (init) is never touched: the kernel never chooses it, and its value is inherited by everything it starts');
    if (q.readOnly !== true && p.kernelThread) throw new RefusedError(`pid ${pid} (${escape(p.comm)}) is a kernel thread: the OOM killer never chooses it, oomctl never touches it`);
    const reason = filterReasons(p, q);
    if (reason !== undefined) throw new NotFoundError(`pid ${pid} (${escape(p.comm)}) does not match ${escape(reason)}`);
    return { matches: [p], byPid: true, skipped: [] };
  }
  if (q.target === '' || q.target.includes('/')) {
    throw new UsageError(`"${escape(q.target)}" is neither a pid nor a process name`, q.target.includes('/') ? 'to match an executable by path, give its name and --exe PATH' : undefined);
  }
  const target = q.target;
  const named = all.filter((p) => p.pid !== q.selfPid && matchesName(p, target, q.exact));
  const skipped = named.filter((p) => p.pid === 1 || p.kernelThread);
  const candidates = named.filter((p) => p.pid !== 1 && !p.kernelThread);
  const matches = candidates.filter((p) => filterReasons(p, q) === undefined);
  if (matches.length === 0) {
    const name = escape(q.target);
    if (candidates.length > 0) {
      const reasons = [...new Set(candidates.map((p) => filterReasons(p, q)))].map((r) => escape(r ?? '')).join(', ');
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

/**
 * --container: keeps only the processes of the container(s) it names, in docker's order of
 * precedence (moby daemon/container.go GetContainer(): a full id, else an exact name, else a
 * unique id prefix): a name that is also another container's id prefix takes the named one, as docker does.
 * Returns `all` itself when there is no --container.
 */
function narrowContainer<P extends TargetProcess>(all: readonly P[], q: TargetQuery): readonly P[] {
  const want = q.container;
  if (want === undefined) return all;
  for (const how of ['id', 'name', 'prefix'] as const) {
    const hit = all.filter((p) => containerMatch(p.owner, want) === how);
    if (hit.length > 0) return hit;
  }
  return [];
}

/**
 * No TARGET: every process of the owner --unit, --container or --pod names. Owners are set by root
 * (systemd, the runtime, the kubelet), so the processes in them are theirs whatever their names;
 * the impostor rule applies to the owner's NAME: one that names several containers or pods (the
 * same container name in two pods, a pod recreated under its name) is refused unless --all-matches.
 */
function selectOwnerTargets<P extends TargetProcess>(all: readonly P[], q: TargetQuery, escape: (s: string) => string): TargetSelection<P> {
  if (q.unit === undefined && q.container === undefined && q.pod === undefined) {
    throw new UsageError("missing required argument 'target': give a pid or a process name, or --unit, --container or --pod");
  }
  const inScope = narrowContainer(all, q).filter((p) => p.pid !== q.selfPid && filterReasons(p, { ...q, container: undefined }) === undefined);
  const skipped = inScope.filter((p) => p.pid === 1 || p.kernelThread);
  const matches = inScope.filter((p) => p.pid !== 1 && !p.kernelThread);
  if (matches.length === 0) {
    const what = q.pod !== undefined ? `pod ${escape(q.pod)}` : q.container !== undefined ? `container ${escape(q.container)}` : `unit ${escape(normaliseUnitName(q.unit as string))}`;
    // one line (no hint line): what was looked for, and why a short id is not one
    const why = q.container !== undefined && /^[0-9a-f]+$/i.test(q.container) && q.container.length < CONTAINER_ID_PREFIX_MIN
      ? ` (an id prefix needs at least ${CONTAINER_ID_PREFIX_MIN} hex digits)`
      : q.pod !== undefined && !/^[0-9a-f-]{36}$/.test(q.pod) ? ' (pod names are read from /var/log/pods under the root)' : '';
    if (skipped.length > 0) throw new RefusedError(`only pid 1 or kernel threads are in ${what}: oomctl never touches them`);
    throw new NotFoundError(`no process in ${what}${why}`);
  }
  if (!q.allMatches && (q.container !== undefined || q.pod !== undefined)) {
    const key = (p: P): string => (q.container !== undefined ? `c:${p.owner?.container_id ?? '?'}` : `p:${p.owner?.pod_uid ?? '?'}`);
    const owners = new Map<string, P>();
    for (const p of matches) if (!owners.has(key(p))) owners.set(key(p), p);
    if (owners.size > 1) {
      const list = [...owners.values()].slice(0, 20).map((p) => ownerWords(p.owner as Owner, escape, q.container !== undefined ? 'container' : 'pod')).join('; ');
      throw new RefusedError(
        `${q.container !== undefined ? `--container ${escape(q.container)}` : `--pod ${escape(q.pod as string)}`} names ${owners.size} ${q.container !== undefined ? 'containers' : 'pods'}: ${list}`,
        q.container !== undefined ? 'give the container id (or --pod NAMESPACE/NAME with it), or add --all-matches to take them all' : 'give the pod uid, or add --all-matches to take them all',
      );
    }
  }
  return { matches, byPid: false, skipped };
}

/** `events --victim`: a process name (`comm:NAME` forces one), or an owner: `unit:NAME`, `container:NAME|ID`, `pod:NAMESPACE/NAME|UID`. */
export type VictimFilter =
  | { kind: 'comm'; name: string }
  | { kind: 'unit'; unit: string }
  | { kind: 'container'; container: string }
  | { kind: 'pod'; pod: PodSpec };

export function parseVictimFilter(v: string, escape: (s: string) => string): VictimFilter {
  const c = v.indexOf(':');
  const kind = c > 0 ? v.slice(0, c) : '';
  const rest = v.slice(c + 1);
  if (kind === 'comm') return { kind: 'comm', name: rest };
  if (kind === 'unit' || kind === 'container' || kind === 'pod') {
    if (rest === '') throw new UsageError(`--victim ${escape(kind)}: needs a name after the colon`);
    if (kind === 'unit') return { kind, unit: normaliseUnitName(rest) };
    if (kind === 'container') return { kind, container: rest };
    return { kind, pod: parsePodSpec(rest, escape) };
  }
  return { kind: 'comm', name: v };
}

/** Does an owner fit an owner filter (the same rules as --unit, --container and --pod of protect)? */
export function ownerMatchesFilter(o: Owner | null | undefined, f: Exclude<VictimFilter, { kind: 'comm' }>): boolean {
  if (!o) return false;
  if (f.kind === 'unit') return o.unit === f.unit;
  if (f.kind === 'container') return containerMatch(o, f.container) !== undefined;
  return podMatches(o, f.pod);
}
