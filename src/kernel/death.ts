// One verdict per death. Records from different sources that describe the
// same death (the kernel's report, earlyoom's or nohang's kill line,
// systemd-oomd and PID 1, the kubelet, Docker/containerd, a cgroup's OOM
// counter) are joined: within JOIN_WINDOW_MS of each other, and naming the
// same pid, or the same cgroup (a unit name or container id counts as its
// cgroup's last component). Streaming: a death waits at most JOIN_WINDOW_MS
// of log time or MAX_WAITING later records, so memory is bounded. Pure.

import type { OomEvent } from '../parse/kernel-log/parser.js';
import type { EventAnalysis } from './oom-event.js';

/** A few seconds: earlyoom waits up to 10 s for its victim, but its kill line and the kernel's come within ~3 s (earlyoom #121/#128). */
export const JOIN_WINDOW_MS = 5000;
/** Records without a time join only a death among the last this many records. */
export const MAX_WAITING = 16;

export type VerdictKiller =
  | 'kernel-global' | 'kernel-memcg' | 'kernel-group-kill' | 'kernel-cpuset' | 'kernel-mempolicy' | 'kernel-allocating-task' | 'kernel'
  | 'earlyoom' | 'nohang' | 'systemd-oomd-swap' | 'systemd-oomd-pressure' | 'systemd-oomd' | 'oomd' | 'kubelet-eviction' | 'unknown';

export interface Death {
  /** Stable: the primary record's id (see eventId). */
  id: string;
  /** The record the verdict rests on: the kernel's kill if any, else the userspace killer's, else a witness. */
  primary: OomEvent;
  /** Every record joined, in the order read (primary included). */
  records: OomEvent[];
}

/** Boot id (first 8 hex digits of /proc/sys/kernel/random/boot_id) when the log is this boot's kernel ring buffer, else null. */
export function eventId(ev: OomEvent, boot: string | null): string {
  const pid = ev.victim?.pid ?? ev.selected?.pid ?? null;
  const who = pid === null ? (ev.witness?.witness ?? ev.killer) : String(pid);
  // the kernel's own stamp (µs since boot) is fixed once printed; with the boot id it names the record for good
  if (ev.uptime_sec !== null) return `${boot ?? 'b'}-${Math.round(ev.uptime_sec * 1e6)}-${who}`;
  if (ev.time_ms !== null) return `t${ev.time_ms}-${who}`;
  return `l${ev.line}-${who}`;
}

function cgroupsOf(ev: OomEvent): string[] {
  const out: string[] = [];
  for (const c of [ev.task_memcg, ev.oom_memcg, ev.userspace?.cgroup ?? null, ev.oom_group?.cgroup ?? null, ev.memcg?.stats_for ?? null]) {
    if (c && c !== '/' && !out.includes(c)) out.push(c);
  }
  return out;
}

function lastComponent(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

function pidsOf(ev: OomEvent): number[] {
  const out: number[] = [];
  if (ev.victim) out.push(ev.victim.pid);
  for (const g of ev.oom_group?.victims ?? []) out.push(g.pid);
  return out;
}

/** Is this record a kill (a killer acting) rather than a witness or a counter? */
function isKill(ev: OomEvent): boolean {
  return ev.witness === null && (ev.victim !== null || ev.userspace !== null || ev.no_killable_process);
}

function sameCgroup(a: string, b: string): boolean {
  if (a === b) return true;
  // systemd-oomd may shorten a path with "/.../" (seen in omarchy #9799); the unit at the end is the same
  return lastComponent(a) === lastComponent(b) && (a.includes('/.../') || b.includes('/.../'));
}

function related(d: Death, ev: OomEvent): boolean {
  const dp = d.records.flatMap(pidsOf);
  const ep = pidsOf(ev);
  const dc = d.records.flatMap(cgroupsOf);
  const ec = cgroupsOf(ev);
  const kernelIn = d.records.some((r) => r.killer === 'kernel' && isKill(r));
  // two kills of the kernel are two deaths, however close; two kills by one userspace killer are one only for the same pid
  if (isKill(ev) && ev.killer === 'kernel' && kernelIn) return false;
  if (ep.length > 0 && dp.length > 0) {
    if (ep.some((p) => dp.includes(p))) return true;
    if (isKill(ev) && d.records.some(isKill)) return false;
  }
  if (ec.some((c) => dc.some((x) => sameCgroup(c, x)))) return true;
  const w = ev.witness;
  const dw = d.records.map((r) => r.witness).filter((x) => x !== null);
  // a unit name (PID 1) is the last component of its cgroup; so is a container id (cri-containerd-<id>.scope, docker-<id>.scope, /docker/<id>)
  const unitOf = (x: NonNullable<OomEvent['witness']>): string | null => x.unit;
  if (w && w.unit !== null && (dc.some((c) => lastComponent(c) === w.unit) || dw.some((x) => unitOf(x) === w.unit))) return true;
  if (w && w.container_id !== null && dc.some((c) => c.includes(w.container_id as string))) return true;
  for (const x of dw) {
    if (x.unit !== null && ec.some((c) => lastComponent(c) === x.unit)) return true;
    if (x.container_id !== null && ec.some((c) => c.includes(x.container_id as string))) return true;
  }
  // the kubelet's SystemOOM without a pid (before PR #78174) names no one: it goes with a whole-machine kill near it
  if (w && w.witness === 'kubelet' && w.pid === null && d.primary.killer === 'kernel' && d.primary.scope === 'global') return true;
  return false;
}

function rank(ev: OomEvent): number {
  // the kernel's report proves the kernel killed (earlyoom #121: its SIGTERM was still pending); then the userspace killer; witnesses last
  if (ev.witness !== null) return ev.witness.witness === 'memory.events' || ev.witness.witness === 'memory.oom_control' ? 1 : 2;
  if (ev.killer === 'kernel') return ev.victim !== null ? 5 : 4;
  return 3;
}

interface Waiting {
  death: Death;
  /** Wall time it was opened (for --follow). */
  seenMs: number;
  /** Log time of its first record (ms), or null. */
  timeMs: number | null;
  /** Record count when it was opened. */
  at: number;
}

/** Joins records as they are read; hands out each death once no later record can join it. */
export class DeathJoiner {
  private waiting: Waiting[] = [];
  private count = 0;

  /** `boot(ev)`: the boot id the record's kernel stamp belongs to, or null (see eventId); `now`: a clock, for --follow. */
  constructor(private readonly boot: (ev: OomEvent) => string | null = () => null, private readonly windowMs = JOIN_WINDOW_MS, private readonly now: () => number = () => 0) {}

  push(ev: OomEvent): Death[] {
    this.count++;
    const out: Death[] = [];
    const t = ev.time_ms;
    // what can no longer be joined leaves first, in order
    while (this.waiting.length > 0) {
      const w = this.waiting[0] as Waiting;
      const old = t !== null && w.timeMs !== null ? t - w.timeMs > this.windowMs : this.count - w.at > MAX_WAITING;
      if (!old && this.waiting.length < MAX_WAITING * 4) break;
      out.push((this.waiting.shift() as Waiting).death);
    }
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i] as Waiting;
      const near = t !== null && w.timeMs !== null ? Math.abs(t - w.timeMs) <= this.windowMs : this.count - w.at <= MAX_WAITING;
      if (near && related(w.death, ev)) {
        this.add(w, ev);
        return out;
      }
    }
    this.waiting.push({ death: { id: eventId(ev, this.boot(ev)), primary: ev, records: [ev] }, timeMs: t, at: this.count, seenMs: this.now() });
    return out;
  }

  private add(w: Waiting, ev: OomEvent): void {
    const d = w.death;
    d.records.push(ev);
    if (rank(ev) > rank(d.primary)) {
      d.primary = ev;
      d.id = eventId(ev, this.boot(ev));
    }
    if (w.timeMs === null) w.timeMs = ev.time_ms;
  }

  /** For --follow: the deaths first seen at least `ms` ago by the clock (what could join them has arrived by then). */
  flushSeenBefore(ms: number): Death[] {
    const out: Death[] = [];
    const now = this.now();
    while (this.waiting.length > 0) {
      const w = this.waiting[0] as Waiting;
      if (now - w.seenMs < ms) break;
      out.push((this.waiting.shift() as Waiting).death);
    }
    return out;
  }

  end(): Death[] {
    const out = this.waiting.map((w) => w.death);
    this.waiting = [];
    return out;
  }
}

export interface Verdict {
  killer: VerdictKiller;
  trigger: { kind: string; detail: string };
  /** Why this victim: the ranking at that moment. */
  why: string;
  /** What would have changed the outcome, each a change one could make. */
  would_have_changed: string[];
  /** Notes on the join: e.g. earlyoom's SIGTERM was overtaken by the kernel. */
  notes: string[];
}

function kb(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  if (n >= 9007199254740988) return 'none';
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} GiB` : n >= 1024 ? `${Math.round(n / 1024)} MiB` : `${n} kB`;
}

function kernelKiller(ev: OomEvent): VerdictKiller {
  if (ev.oom_group !== null) return 'kernel-group-kill';
  if (ev.kill_path === 'allocating-task') return 'kernel-allocating-task';
  if (ev.scope === 'memcg') return 'kernel-memcg';
  if (ev.scope === 'global') return 'kernel-global';
  if (ev.scope === 'cpuset') return 'kernel-cpuset';
  if (ev.scope === 'mempolicy') return 'kernel-mempolicy';
  return 'kernel';
}

/** The verdict for a death the kernel's OOM killer reported: its scope, what asked, its ranking. */
function kernelVerdict(p: OomEvent, analysis: EventAnalysis | undefined, name: string, notes: string[]): Verdict {
  const killer = kernelKiller(p);
  const t = p.trigger;
  const asked = t ? `${t.comm ?? '?'}${t.pid !== null ? ` (pid ${t.pid})` : ''} asked for order-${t.order ?? '?'} memory` : 'the allocation that failed is not in the log';
  let trigger: Verdict['trigger'];
  const changed: string[] = [];
  if (killer === 'kernel-memcg' || (killer === 'kernel-group-kill' && p.scope === 'memcg')) {
    const cg = p.oom_memcg ?? p.memcg?.stats_for ?? p.task_memcg ?? '?';
    trigger = { kind: 'memcg-limit', detail: `memory cgroup ${cg} reached its limit ${kb(p.memcg?.limit_kb)} (usage ${kb(p.memcg?.usage_kb)}, failcnt ${p.memcg?.failcnt ?? '?'}); ${asked}` };
    changed.push(`a memory limit on ${cg} above its peak use (it was ${kb(p.memcg?.limit_kb)})`);
  } else if (killer === 'kernel-global' || killer === 'kernel-group-kill') {
    trigger = { kind: 'machine-memory', detail: `the machine ran out of RAM and swap; ${asked}` };
    changed.push('more RAM or swap, or a memory limit on the cgroup that grew (the OOM would then stay inside it)');
  } else if (killer === 'kernel-allocating-task') {
    trigger = { kind: 'machine-memory', detail: `vm.oom_kill_allocating_task=1: the task that asked was killed; ${asked}` };
    changed.push('vm.oom_kill_allocating_task=0 (the kernel would then rank by badness)');
  } else {
    trigger = { kind: p.scope ?? 'unknown', detail: asked };
  }
  if (killer === 'kernel-group-kill') changed.push(`memory.oom.group=0 on ${p.oom_group?.cgroup ?? '?'} (only the victim would have died, not the ${p.oom_group?.victims.length ?? 0} others)`);
  let why: string;
  // mm/oom_kill.c select_bad_process()/oom_badness(): the largest rss + swap + page tables, plus oom_score_adj x totalpages/1000
  if (analysis && analysis.victimRank !== null) {
    const next = analysis.ranked.find((r) => r.rank === (analysis.victimRank as number) + 1);
    why = `ranked ${analysis.victimRank} of ${analysis.ranked.filter((r) => r.rank !== null).length} by the kernel's badness (rss + swap + page tables + oom_score_adj x totalpages/1000, from the task table)` +
      (next && analysis.marginPages !== null ? `; runner-up pid ${next.task.pid} (${next.task.row.name}) ${analysis.marginPages} pages behind` : '');
    if (analysis.mismatch) why += `; ${analysis.mismatch.detail}`;
    if (analysis.adjToSpare !== null && next) changed.unshift(`oom_score_adj ${analysis.adjToSpare} or lower on ${name} (pid ${next.task.pid} (${next.task.row.name}) would have died instead)`);
    else if (next) changed.unshift(`oom_score_adj -1000 on ${name} (nothing above it would have spared it)`);
  } else {
    why = p.table === null ? 'the task table was not printed (vm.oom_dump_tasks=0, or the log lost it): the ranking is unknown' : 'the victim is not in the printed task table';
  }
  return { killer, trigger, why, would_have_changed: changed, notes };
}

/** Facebook oomd's verdict: its journal and kmsg records of one cgroup kill. */
function fbOomdVerdict(d: Death, notes: string[]): Verdict {
  // Facebook oomd: a ruleset's detector group fired, its kill plugin picked a cgroup and SIGKILLed every process in it
  // (src/oomd/plugins/BaseKillPlugin.cpp tryToKillCgroup()/tryToKillPids(), 88c28fd); the plugin's rule is in its name
  const kmsg = d.records.find((r) => r.killer === 'oomd' && r.userspace?.reason)?.userspace?.reason ?? null;
  const cg = d.records.find((r) => r.killer === 'oomd' && r.userspace?.cgroup)?.userspace?.cgroup ?? '?';
  const plugin = kmsg !== null ? /killer:(?:\(dry\))?([A-Za-z0-9_]{1,60})/.exec(kmsg)?.[1] ?? null : null;
  const outcome = d.records.find((r) => r.killer === 'oomd' && r.userspace?.outcome)?.userspace?.outcome ?? null;
  return {
    killer: 'oomd',
    trigger: { kind: 'oomd-ruleset', detail: `${kmsg ?? 'a ruleset fired (the kmsg "oomd kill:" line was not read)'}${outcome ? `; ${outcome} in ${cg}` : ''}` },
    why: `cgroup ${cg} was chosen by ${plugin ? `oomd's ${plugin} plugin` : "an oomd kill plugin"} (its rule: kill_by_memory_size_or_growth, kill_by_swap_usage, kill_by_pressure, kill_by_pg_scan, kill_by_io_cost)`,
    would_have_changed: ['a trusted.oomd_avoid / user.oomd_avoid xattr on its cgroup (BaseKillPlugin.cpp), or the ruleset\'s cgroup list in oomd.json', 'a higher detector threshold (pressure_above, swap_free, memory_above) in the ruleset that fired'],
    notes,
  };
}

/** The verdict for one death; `analysis` is the kernel's ranking recomputed from its task table (oom-event.ts), when printed. */
export function computeVerdict(d: Death, analysis: EventAnalysis | undefined): Verdict {
  const p = d.primary;
  const notes: string[] = [];
  const name = p.victim ? `pid ${p.victim.pid} (${p.victim.comm})` : 'the victim';
  for (const r of d.records) {
    if (r !== p && r.killer === 'earlyoom' && p.killer === 'kernel' && p.witness === null) {
      notes.push(`earlyoom had sent ${r.userspace?.signal ?? 'a signal'} to it; the kernel's OOM killer killed it first`);
    }
  }
  if (p.witness !== null && (p.killer === 'kernel' || p.witness.says_killer === null)) {
    const w = p.witness;
    const killer: VerdictKiller = w.says_killer === 'kernel' ? 'kernel' : 'unknown';
    return {
      killer,
      trigger: { kind: 'unknown', detail: `only ${w.witness} recorded it (${w.text.slice(0, 120)}); the kernel's report is not in the log` },
      why: 'unknown: no record of the ranking',
      would_have_changed: [],
      notes,
    };
  }
  if (p.killer === 'kernel') return kernelVerdict(p, analysis, name, notes);
  const u = p.userspace;
  if (p.killer === 'earlyoom') {
    const esc = u?.escalated_after_sec != null ? `, escalated to SIGKILL after ${u.escalated_after_sec} s` : '';
    const out = u?.outcome ? `; ${u.outcome}${u.outcome_after_sec != null ? ` after ${u.outcome_after_sec} s` : ''}` : '';
    return {
      killer: 'earlyoom',
      trigger: { kind: 'earlyoom-threshold', detail: `${u?.reason ?? 'MemAvailable and SwapFree at or below earlyoom\'s -m/-s limits'}; sent ${u?.signal ?? '?'}${esc}${out}` },
      // earlyoom kill.c is_larger(): the highest oom_score (v1.8 name; "badness" before, with --prefer/--avoid +-300 in it), ties by VmRSS
      why: `the highest ${u?.oom_score != null ? `oom_score (${u.oom_score})` : `badness (${u?.badness ?? '?'}: its oom_score with --prefer/--avoid)`} earlyoom could kill, VmRSS ${kb(u?.vm_rss_kb)}`,
      would_have_changed: [`--avoid '^${p.victim?.comm ?? 'NAME'}$' (-300 on its score) or --ignore (earlyoom 1.8+)`, `a lower oom_score_adj on ${name} (earlyoom ranks by the kernel's oom_score)`, 'lower -m/-s limits (earlyoom acts when both MemAvailable and SwapFree are at or below them)'],
      notes,
    };
  }
  if (p.killer === 'nohang') {
    return {
      killer: 'nohang',
      trigger: { kind: 'nohang-threshold', detail: `${u?.reason ?? 'a nohang threshold'}; sent ${u?.signal ?? '?'}${u?.outcome ? `; ${u.outcome}${u.outcome_after_sec != null ? ` after ${u.outcome_after_sec} s` : ''}` : ''}` },
      // src/nohang find_victim(): badness = oom_score + badness_adj rules, acting if >= min_badness
      why: `the highest badness (${u?.badness ?? '?'} = oom_score ${u?.oom_score ?? '?'} + nohang's badness_adj rules)`,
      would_have_changed: [`a negative @BADNESS_ADJ_RE_NAME rule for '${p.victim?.comm ?? 'NAME'}' in nohang.conf`, `a lower oom_score_adj on ${name}`],
      notes,
    };
  }
  if (p.killer === 'systemd-oomd') {
    const k = u?.trigger_kind;
    const killer: VerdictKiller = k === 'swap' ? 'systemd-oomd-swap' : k === 'pressure' ? 'systemd-oomd-pressure' : 'systemd-oomd';
    const cg = u?.cgroup ?? d.records.find((r) => r.witness?.unit)?.witness?.unit ?? '?';
    const n = d.records.find((r) => r.witness?.processes_killed != null)?.witness?.processes_killed;
    return {
      killer,
      trigger: { kind: k === 'swap' ? 'swap-used-limit' : k === 'pressure' ? 'memory-pressure-limit' : 'unknown', detail: `${u?.reason ?? 'not printed'}${n != null ? `; ${n} process(es) killed in ${cg}` : ''}` },
      // src/oom/oomd-util.c: swap path sorts by memory.swap.current, pressure path by pgscan rate then memory.current
      why: k === 'swap' ? `the candidate cgroup with the most swap (memory.swap.current) under a ManagedOOMSwap=kill unit: ${cg}`
        : k === 'pressure' ? `the candidate cgroup with the highest reclaim (pgscan) rate under the unit whose memory pressure stayed above its limit: ${cg}`
          : `cgroup ${cg}`,
      would_have_changed: ['ManagedOOMPreference=avoid or omit on its unit (honoured only for cgroups owned by root or the monitored user)', k === 'pressure' ? 'a higher ManagedOOMMemoryPressureLimit= or longer ManagedOOMMemoryPressureDurationSec= on the monitored unit' : 'a higher SwapUsedLimit= in oomd.conf, or more swap'],
      notes,
    };
  }
  if (p.killer === 'oomd') return fbOomdVerdict(d, notes);
  // the kubelet evicts a pod, it does not OOM-kill a process
  return {
    killer: 'kubelet-eviction',
    trigger: { kind: 'eviction-threshold', detail: u?.reason ?? 'memory.available below the eviction threshold' },
    // pkg/kubelet/eviction/helpers.go rankMemoryPressure: exceedMemoryRequests, then priority, then usage above request
    why: 'the kubelet ranks pods using more memory than they request first, then lower priority, then by usage above request',
    would_have_changed: ['a memory request at or above its real use (it would not exceed its request)', 'a higher PriorityClass'],
    notes,
  };
}

/** What a death's records say about whose it was: the victim's cgroup path, else a runtime's container id or PID 1's unit. */
export interface DeathOwnerBasis {
  /** The victim's cgroup (the kernel's task_memcg, "Task in X"; systemd-oomd's cgroup; a counter's cgroup last). */
  cgroup: string | null;
  containerId: string | null;
  unit: string | null;
  /** The kernel's own record: was it a memory.oom.group kill (true), or a single victim (false)? null without one. */
  groupKill: boolean | null;
  /** The kubelet's eviction record: the pod it names (`pod="NS/NAME"`, `podUID`), null when it names none. */
  pod: { namespace: string; name: string; uid: string | null } | null;
}

function podOf(d: Death): DeathOwnerBasis['pod'] {
  const u = d.records.find((r) => r.killer === 'kubelet' && r.userspace?.pod_name)?.userspace;
  if (!u || !u.pod_name || !u.pod_namespace) return null;
  return { namespace: u.pod_namespace, name: u.pod_name, uid: u.pod_uid ?? null };
}

export function ownerBasisOf(d: Death): DeathOwnerBasis {
  const kills = d.records.filter(isKill);
  // the victim's own cgroup comes first: oom_memcg is the cgroup whose limit was hit (the pod, or kubepods)
  const cgroup = d.primary.task_memcg ?? kills.find((r) => r.task_memcg !== null)?.task_memcg ?? d.primary.oom_group?.cgroup
    ?? d.records.find((r) => r.task_memcg !== null)?.task_memcg ?? null;
  const w = d.records.map((r) => r.witness).filter((x) => x !== null);
  const kernel = kills.find((r) => r.killer === 'kernel' && r.victim !== null);
  return {
    cgroup,
    containerId: w.find((x) => x.container_id !== null)?.container_id ?? null,
    unit: w.find((x) => x.unit !== null)?.unit ?? null,
    groupKill: kernel ? kernel.oom_group !== null : null,
    pod: podOf(d),
  };
}
