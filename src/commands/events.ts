// `oomctl events`: every OOM kill in the kernel's logs (and the userspace
// killers'), oldest first; `--details [N]` one of them in full with the
// kernel's ranking recomputed from its task table.

import type { Readable } from 'node:stream';
import { NotFoundError, UsageError } from '../errors.js';
import { computeVerdict, DeathJoiner, ownerBasisOf, type Death } from '../kernel/death.js';
import { analyzeOomEvent } from '../kernel/oom-event.js';
import { counterEvent, KernelLogParser, REAPER_LOOKBEHIND, type OomEvent } from '../parse/kernel-log/parser.js';
import { parseTimePhrase } from '../parse/time-phrase.js';
import { commMatchesName, ownerMatchesFilter, parseVictimFilter } from '../kernel/target.js';
import { emptyOwner, parseCgroupOwner } from '../parse/owner.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { readOwners, readPodUidByName } from '../system/owners.js';
import type { SystemRoot } from '../system/root.js';
import { readBootTimeMs, readKernelLogs, type SourceName } from '../system/kernel-log-sources.js';
import { addOomdXattrs, oomdPresent, readBootId, readMemcgOomCounters, readVmstatOomKill, type MemcgOomCounter } from '../system/oom-counters.js';
import { readProcesses } from '../system/procfs.js';
import { readUserNames } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { parseInteger, type CommandModule } from '../core/command.js';
import type { RunningNow, EventView, EventsResult, LostKills, EventOwner, OwnerGroup, OwnerGroupBy } from '../core/events-result.js';
export type { RunningNow, EventView, EventsResult, LostKills };

export interface EventsOptions {
  source?: string;
  files?: string[];
  since?: string;
  until?: string;
  victim?: string;
  /** Group the deaths per owner. */
  by?: OwnerGroupBy;
  /** Show the last N events (0 or undefined: all). */
  limit?: number;
  /** true: the latest event; a number: event #N as listed; a string: the event with that id. */
  details?: number | true | string;
  follow?: boolean;
  json?: boolean;
  stdin?: Readable;
  nowMs: number;
}

/** Kills the kernel counted (/proc/vmstat oom_kill, every process killed: mm/oom_kill.c __oom_kill_process(), v4.13+) and the log does not hold. */
export function computeLostKills(vmstat: number | null, inLog: number): LostKills | null {
  if (vmstat === null) return null;
  return { vmstat_oom_kill: vmstat, in_log: inLog, not_in_log: Math.max(0, vmstat - inLog) };
}

/** How many processes a kernel kill record stands for: the victim and the other members of a memory.oom.group kill. */
function kernelKillsIn(e: OomEvent): number {
  if (e.killer !== 'kernel' || e.witness !== null || e.victim === null) return 0;
  const v = e.victim.pid;
  return 1 + (e.oom_group?.victims.filter((g) => g.pid !== v).length ?? 0);
}

const SOURCES: readonly SourceName[] = ['journal', 'kmsg', 'dmesg', 'file'];

export function parseSource(s: string | undefined): SourceName | undefined {
  if (s === undefined) return undefined;
  if ((SOURCES as readonly string[]).includes(s)) return s as SourceName;
  throw new UsageError(`--source must be one of ${SOURCES.join(', ')}, not "${s}"`);
}

function parseWhen(flag: string, value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimePhrase(value, nowMs);
  if (t === undefined) throw new UsageError(`${flag} "${value}" is not a date or time`, 'use e.g. "2026-11-25 14:00", "2 hours ago", "yesterday" or "@EPOCH"');
  return t;
}

/** comm as the kernel keeps it: 15 bytes, not UTF-16 units (kernel/target.ts, the one name matcher). */
function sameComm(a: string, b: string): boolean {
  return commMatchesName(a, b, false) || commMatchesName(b, a, false);
}

/**
 * Can the events be handed out one by one as they are read (`onStreamed` of runEvents)? Yes for
 * --json of every matched event; not with -n (the last N: known only at the end), --details or --follow.
 */
export function canStream(opts: Pick<EventsOptions, 'json' | 'limit' | 'details' | 'follow' | 'by'>): boolean {
  return opts.json === true && !opts.limit && opts.details === undefined && !opts.follow && opts.by === undefined;
}

/**
 * The owner of each death, from the victim's cgroup path (src/parse/owner.ts, pure) and, when the
 * log is this machine's, the names on its disk (src/system/owners.ts). A --file log may come from
 * another machine: only what its path says (pod uid, QoS class, container id, unit). Cached per
 * path, so a long log reads each container's files once.
 */
export class EventOwnerResolver {
  private readonly cache = new Map<string, EventOwner>();
  constructor(private readonly root: SystemRoot, private readonly thisMachine: boolean) {}

  ownerOf(d: Death): EventOwner | null {
    const b = ownerBasisOf(d);
    let owner: EventOwner | null = null;
    if (b.cgroup !== null) owner = { ...this.fromPath(b.cgroup) };
    else if (b.containerId !== null) owner = { ...emptyOwner(), kind: 'container', container_id: b.containerId, cgroup: null, names_from: 'path' };
    else if (b.unit !== null) owner = { ...emptyOwner(), kind: 'unit', unit: b.unit, cgroup: null, names_from: 'path' };
    else if (b.pod !== null) owner = this.fromPod(b.pod);
    // memory.oom.group as it was then: the kernel's record says (the file on disk says what it is now)
    if (owner) owner.oom_group = b.groupKill;
    return owner;
  }

  /**
   * The kubelet's eviction names the pod, not a cgroup: kind pod with its namespace and name; the uid from the line,
   * else from /var/log/pods when the log is this machine's. The QoS class is not in either: null.
   */
  private fromPod(pod: { namespace: string; name: string; uid: string | null }): EventOwner {
    const uid = pod.uid ?? (this.thisMachine ? readPodUidByName(this.root, pod.namespace, pod.name) : null);
    return { ...emptyOwner(), kind: 'pod', pod_namespace: pod.namespace, pod_name: pod.name, pod_uid: uid, cgroup: null, names_from: pod.uid === null && uid !== null ? 'disk' : 'path' };
  }

  private fromPath(cgroup: string): EventOwner {
    const hit = this.cache.get(cgroup);
    if (hit) return hit;
    let owner = parseCgroupOwner(cgroup).owner;
    if (this.thisMachine) {
      owner = readOwners(this.root, [{ pid: 0, cgroups: [{ hierarchyId: 0, controllers: [], path: cgroup }] }]).byPid.get(0)?.owner ?? owner;
    }
    const out: EventOwner = { ...owner, cgroup, names_from: this.thisMachine ? 'disk' : 'path' };
    if (this.cache.size >= 4096) this.cache.clear();
    this.cache.set(cgroup, out);
    return out;
  }
}

function groupKey(o: EventOwner | null, by: OwnerGroupBy): string | null {
  if (!o) return null;
  return by === 'unit' ? o.unit : by === 'container' ? o.container_id : o.pod_uid;
}

/**
 * `onFollow`: --follow, each event as soon as the parser hands it out.
 * `onStreamed` (only when canStream(opts)): each matched event once no later log line can change it
 * (an oom_reaper line comes at most REAPER_LOOKBEHIND events later), with its analysis, in log
 * order; it is not kept, and the result's `events` is then empty. Memory stays bounded whatever the
 * size of the log.
 */
/**
 * A copy of a string that does not share memory with the log text it was cut from (V8 keeps a
 * whole 1 MiB chunk alive for one short slice of it).
 */
function own(s: string): string;
function own(s: string | null): string | null;
function own(s: string | null): string | null {
  return s === null || s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** What the list prints of an event (render/events.ts listRow, runningLines); the rest is dropped. */
function listOnly(e: OomEvent): OomEvent {
  const v = e.victim;
  const t = e.trigger;
  const u = e.userspace;
  return {
    ...e,
    time: null,
    host: null,
    kernel_release: null,
    trigger: t === null ? null : { comm: own(t.comm), pid: t.pid, gfp_mask: null, order: t.order, oom_score_adj: null, oom_adj: null },
    constraint: null,
    oom_memcg: own(e.oom_memcg),
    task_memcg: own(e.task_memcg),
    cpuset: own(e.cpuset),
    mems_allowed: null,
    nodemask: null,
    memcg: e.memcg === null ? null : {
      usage_kb: null, limit_kb: null, failcnt: null, memsw_usage_kb: null, memsw_limit_kb: null, swap_usage_kb: null,
      swap_limit_kb: null, kmem_usage_kb: null, stats_for: own(e.memcg.stats_for), cgroup_version: null,
    },
    meminfo: null,
    selected: e.selected === null ? null : { pid: e.selected.pid, comm: own(e.selected.comm), score: null },
    victim: v === null ? null : {
      pid: v.pid, comm: own(v.comm), uid: v.uid, total_vm_kb: null, anon_rss_kb: null, file_rss_kb: null, shmem_rss_kb: null,
      pgtables_kb: null, oom_score_adj: v.oom_score_adj, rss_kb: v.rss_kb, reaped: null,
    },
    oom_group: null,
    table: null,
    userspace: u === null ? null : { ...u, cgroup: own(u.cgroup), reason: own(u.reason), cmdline: u.cmdline === undefined ? undefined : own(u.cmdline) },
  };
}

// Long (~130 lines): the events pipeline, being reworked on the events branch; left whole here.
/**
 * The memory cgroups with OOM counters that are not zero: the kernel's (memory.events,
 * memory.oom_control) and, where systemd-oomd runs, its xattrs user.oomd_ooms / user.oomd_kill.
 */
async function readCgroupCounters(root: SystemRoot): Promise<MemcgOomCounter[]> {
  const all = readMemcgOomCounters(root);
  if (oomdPresent(root)) await addOomdXattrs(root, all);
  return all.filter((c) => (c.oom_kill ?? 0) > 0 || (c.oom ?? 0) > 0 || (c.oom_group_kill ?? 0) > 0 || (c.oomd_kill ?? 0) > 0 || (c.oomd_ooms ?? 0) > 0);
}

export async function runEvents(ctx: CommandContext, opts: EventsOptions, onFollow?: (v: EventView) => void, onStreamed?: (v: EventView) => void): Promise<EventsResult> {
  const source = parseSource(opts.source);
  const sinceMs = parseWhen('--since', opts.since, opts.nowMs);
  const untilMs = parseWhen('--until', opts.until, opts.nowMs);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) throw new UsageError('--until is before --since');
  if (opts.follow && ((opts.files && opts.files.length > 0) || source === 'dmesg' || source === 'file')) {
    throw new UsageError('--follow reads /dev/kmsg or the journal, not files or dmesg', 'drop --file/--source, or use --source kmsg|journal');
  }
  const fromFiles = (opts.files?.length ?? 0) > 0;
  const timeFilter = sinceMs !== undefined || untilMs !== undefined;
  const wantNumber = typeof opts.details === 'number' ? opts.details : undefined;
  const wantId = typeof opts.details === 'string' ? opts.details : undefined;
  if (onStreamed && !canStream(opts)) throw new Error('runEvents: onStreamed needs canStream(opts)');
  // -n N: a ring of the last N (up to 2N before it is cut back); --details: the one event shown;
  // the human list: what it prints of each event
  const keepAllTables = opts.json === true;

  const parser = new KernelLogParser({ year: new Date(opts.nowMs).getFullYear(), witnesses: true });
  const bootMs = fromFiles ? null : readBootTimeMs(ctx.root);
  const bootId = fromFiles ? null : readBootId(ctx.root);
  // a kernel stamp names a record for good together with the boot it counts from: only this boot's records get the boot id
  const bootOf = (e: OomEvent): string | null => (bootId !== null && bootMs !== null && e.uptime_sec !== null && (e.time_ms === null || e.time_ms >= bootMs - 2000) ? bootId : null);
  const joiner = new DeathJoiner(bootOf, undefined, Date.now);
  let killsThisBoot = 0;
  const kept: EventView[] = [];
  let matched = 0;
  let withoutTimeDropped = 0;
  let latest: EventView | undefined;

  const victim = opts.victim === undefined ? undefined : parseVictimFilter(opts.victim, escapeUntrusted);
  const owners = new EventOwnerResolver(ctx.root, !fromFiles);
  const groups = opts.by === undefined ? undefined : { by: opts.by, map: new Map<string, OwnerGroup>() };
  if (groups && (opts.details !== undefined || opts.follow)) throw new UsageError('--by does not go with --details or --follow');
  const running = new Map<string, RunningNow[]>();
  let processes: { comm: string; pid: number; oom_score_adj: number }[] | undefined;
  const runningNow = (comm: string): RunningNow[] | null => {
    if (fromFiles) return null;
    if (processes === undefined) processes = readProcesses(ctx.root, { oomScore: false }).map((p) => ({ comm: p.comm, pid: p.pid, oom_score_adj: p.oomScoreAdj }));
    const hit = running.get(comm);
    if (hit) return hit;
    const list = processes.filter((p) => sameComm(p.comm, comm)).map((p) => ({ pid: p.pid, oom_score_adj: p.oom_score_adj }));
    running.set(comm, list);
    return list;
  };

  // --json streamed: matched events wait here until the parser can no longer change them
  const pending: { seq: number; view: EventView }[] = [];
  let seq = 0;
  const complete = (v: EventView): EventView => {
    v.analysis ??= analyzeOomEvent(v.event);
    v.verdict ??= computeVerdict(v.death, v.analysis);
    const comm = v.event.victim?.comm;
    v.runningNow = comm ? runningNow(comm) : null;
    return v;
  };
  const release = (upTo: number): void => {
    while (pending.length > 0 && (pending[0] as { seq: number }).seq <= upTo) {
      const p = pending.shift() as { seq: number; view: EventView };
      (onStreamed as (v: EventView) => void)(complete(p.view));
    }
  };
  let detailsView: EventView | undefined;

  const onRecord = (e: OomEvent): void => {
    seq++;
    if (bootMs !== null && e.time_ms !== null && e.time_ms >= bootMs - 1000) killsThisBoot += kernelKillsIn(e);
    if (onStreamed) release(seq - REAPER_LOOKBEHIND);
    for (const d of joiner.push(e)) onDeath(d);
  };

  const onDeath = (d: Death): void => {
    const e = d.primary;
    if (timeFilter) {
      if (e.time_ms === null) { withoutTimeDropped++; return; }
      if (sinceMs !== undefined && e.time_ms < sinceMs) return;
      if (untilMs !== undefined && e.time_ms > untilMs) return;
    }
    const owner = owners.ownerOf(d);
    if (victim !== undefined) {
      if (victim.kind === 'comm') {
        const names = d.records.flatMap((r) => [r.victim?.comm, r.selected?.comm, ...(r.oom_group?.victims.map((v) => v.comm) ?? [])]);
        if (!names.some((n) => n !== undefined && sameComm(n, victim.name))) return;
      } else if (!ownerMatchesFilter(owner, victim)) return;
    }
    matched++;
    const view: EventView = { number: matched, id: d.id, event: e, death: d, verdict: undefined, analysis: undefined, runningNow: null, owner };
    if (groups) {
      // --by: only the counts are kept; the verdict names the killer
      const verdict = computeVerdict(d, analyzeOomEvent(e));
      const k = groupKey(owner, groups.by);
      const gk = k ?? '\u0000none';
      let g = groups.map.get(gk);
      if (!g) {
        g = { key: k, owner: k === null ? null : owner, deaths: 0, last: { id: d.id, time: e.time, pid: null, comm: null, killer: verdict.killer }, killers: {} };
        groups.map.set(gk, g);
      }
      g.deaths++;
      const vic = e.victim ?? d.records.find((r) => r.victim !== null)?.victim ?? null;
      g.last = { id: d.id, time: e.time, pid: vic?.pid ?? null, comm: vic?.comm ?? null, killer: verdict.killer };
      g.killers[verdict.killer] = (g.killers[verdict.killer] ?? 0) + 1;
      return;
    }
    if (onFollow) {
      view.analysis = analyzeOomEvent(e);
      view.verdict = computeVerdict(d, view.analysis);
      const comm = e.victim?.comm;
      view.runningNow = comm ? runningNow(comm) : null;
      onFollow(view);
      return;
    }
    if (onStreamed) {
      pending.push({ seq, view });
      return;
    }
    if (opts.details !== undefined) {
      // only the event shown is kept (the latest, #N, or the one with that id)
      if (wantId !== undefined ? view.id === wantId : wantNumber === undefined || view.number === wantNumber) detailsView = view;
      return;
    }
    // Constant memory for the list: only the tables someone will look at are kept.
    // the list shows a few fields of each event; only the last one keeps its table (its ADJ may come from it)
    if (!keepAllTables && latest) {
      const slim = listOnly(latest.event);
      const d0 = latest.death;
      latest.death = { id: d0.id, primary: slim, records: d0.records.map((r) => (r === d0.primary ? slim : listOnly(r))) };
      latest.event = slim;
    }
    latest = view;
    kept.push(view);
    if (opts.limit && kept.length > opts.limit * 2) kept.splice(0, kept.length - opts.limit);
  };

  // --follow: the cgroups' OOM counters are polled beside the log, and a death is shown once whatever could join it has come
  let timer: NodeJS.Timeout | undefined;
  if (opts.follow) {
    let before = new Map<string, number>();
    const key = (c: MemcgOomCounter): string => `${c.file}:${c.cgroup}`;
    for (const c of readMemcgOomCounters(ctx.root)) before.set(key(c), c.oom_kill ?? 0);
    let ticks = 0;
    timer = setInterval(() => {
      // every 500 ms (every other tick): the counters; every tick: the deaths whose sources have all had time to arrive
      if (ticks++ % 2 === 0) {
        const now = new Map<string, number>();
        for (const c of readMemcgOomCounters(ctx.root)) {
          const k = key(c);
          const n = c.oom_kill ?? 0;
          now.set(k, n);
          // a cgroup made since --follow started counts from 0 (it may be made and OOM-killed between two polls)
          const was = before.get(k) ?? 0;
          if (n > was) onRecord(counterEvent(c.file, c.cgroup, n - was, Date.now()));
        }
        before = now;
      }
      for (const d of joiner.flushSeenBefore(FOLLOW_JOIN_MS)) onDeath(d);
    }, 250);
  }
  let shown: string;
  try {
    ({ source: shown } = await readKernelLogs(ctx.root, parser, {
      source,
      files: opts.files,
      stdin: opts.stdin,
      sinceMs,
      follow: opts.follow,
      onEvent: onRecord,
      note: (m) => ctx.warn(m),
    }));
  } finally {
    if (timer) clearInterval(timer);
  }
  for (const d of joiner.end()) onDeath(d);

  release(Infinity);
  let events = opts.limit ? kept.slice(-opts.limit) : kept;
  let details: EventView | undefined;
  if (opts.details !== undefined) {
    details = detailsView;
    if (!details) {
      throw new NotFoundError(matched === 0 ? 'no OOM kill found in the log' : wantId !== undefined ? `there is no event with id ${wantId} (${matched} matched)` : `there is no event #${wantNumber} (${matched} matched)`, matched === 0 ? undefined : `numbers run from 1 (oldest) to ${matched}; ids are in the ID column`);
    }
    details.analysis = analyzeOomEvent(details.event);
    details.verdict = computeVerdict(details.death, details.analysis);
    events = [details];
  }
  for (const v of events) {
    // the verdict needs the ranking: for the list too (its KILLER column), computed from the table before listOnly() drops it
    if (opts.json) v.analysis ??= analyzeOomEvent(v.event);
    v.verdict ??= computeVerdict(v.death, v.analysis);
    const comm = v.event.victim?.comm;
    v.runningNow = comm ? runningNow(comm) : null;
  }
  // (streamed: complete() did both, one event at a time)
  return {
    source: shown,
    events,
    matched,
    withoutTimeDropped,
    unparsedLines: parser.unparsedCount,
    unparsedSamples: parser.unparsedSamples,
    overlongLines: parser.overlongLines,
    details,
    sinceMs,
    untilMs,
    userNames: fromFiles ? null : readUserNames(ctx.root),
    lostKills: fromFiles ? null : computeLostKills(readVmstatOomKill(ctx.root), killsThisBoot),
    cgroupCounters: fromFiles ? null : await readCgroupCounters(ctx.root),
    // most deaths first; the unknown group last
    by: groups ? { by: groups.by, groups: [...groups.map.values()].sort((a, b) => (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || b.deaths - a.deaths) } : null,
  };
}

/** --follow: a death is shown this long after its first record came (a cgroup counter is polled every 500 ms, kmsg every 250 ms). */
const FOLLOW_JOIN_MS = 1000;

interface EventsCliOptions { source?: string; file?: string[]; since?: string; until?: string; victim?: string; by?: string; limit?: number; details?: string | boolean; follow: boolean }

const BY: readonly OwnerGroupBy[] = ['unit', 'container', 'pod'];

export const command: CommandModule = {
  name: 'events',
  summary: 'find and explain every OOM kill in the kernel\'s logs (and earlyoom / systemd-oomd kills), oldest first',
  configure(cmd) {
    cmd
      .option('--source <source>', 'read journal|kmsg|dmesg|file (default: the first that works, in that order)')
      .option('--file <path>', 'read a log copied from anywhere (repeatable; - for stdin)', (v: string, prev: string[] = []) => [...prev, v])
      .option('--since <when>', 'only kills at or after this time ("2026-11-25 14:00", "2 hours ago", "yesterday")')
      .option('--until <when>', 'only kills at or before this time')
      .option('--victim <name>', 'only kills of processes with this name (comm:NAME), or of an owner: unit:NAME, container:NAME|ID, pod:NAMESPACE/NAME|UID')
      .option('--by <owner>', 'one row per unit|container|pod: deaths, the last one, killers')
      .option('-n, --limit <n>', 'show the last N kills (0 = all)', parseInteger('--limit', 0, 10_000_000))
      .option('--details [n]', 'one kill in full: the verdict, the memory state and the ranking recomputed from its task table (default: the latest; N = the # in the list, or an ID)')
      .option('--follow', 'wait and print each new kill as it happens (kmsg or journal)', false)
      .addHelpText('after', `
Examples:
  oomctl events                       every OOM kill the logs still hold
  oomctl events --since "2 hours ago" --victim java
  oomctl events --by pod                which pods lost processes, how often, to whom
  oomctl events --victim pod:shop/api-6c9b7d5f4-x2kqp --details
  oomctl events --details             the latest kill in full, with who was next in line
  oomctl events --file kern.log.gz --json
  journalctl -k -o json | oomctl events --file -`);
  },
  async run(ctx, _args, o) {
    const opts = o as unknown as EventsCliOptions;
    const json = ctx.globals.json;
    let details: number | true | string | undefined;
    if (opts.details === true) details = true;
    // a number is the # of the list; anything else an event id (the ID column)
    else if (typeof opts.details === 'string') details = /^\d+$/.test(opts.details) ? parseInteger('--details', 1, 1_000_000_000)(opts.details) : opts.details;
    if (details !== undefined && opts.follow) throw new UsageError('--details and --follow do not go together');
    if (opts.by !== undefined && !(BY as readonly string[]).includes(opts.by)) throw new UsageError(`--by must be one of ${BY.join(', ')}, not "${escapeUntrusted(opts.by)}"`);
    const render = await import('../render/events.js');
    const chalk = ctx.chalk();
    const base = {
      source: opts.source, files: opts.file, since: opts.since, until: opts.until, victim: opts.victim, by: opts.by as OwnerGroupBy | undefined,
      limit: opts.limit, details, follow: opts.follow, json, stdin: ctx.stdin as EventsOptions['stdin'], nowMs: Date.now(),
    };
    if (opts.follow) {
      let names: Map<number, string> | null = null;
      if (!opts.file) names = readUserNames(ctx.root);
      if (!json) ctx.out(`waiting for OOM kills (Ctrl-C to stop)\n`);
      await runEvents(ctx, base, (v) => {
        if (json) ctx.out(render.eventJsonLine(v));
        else ctx.out(render.renderFollowLine(v, names));
      });
      return;
    }
    // --json of every event: each is written as soon as it is final, then dropped (constant memory);
    // they wait in a temporary file because "matched", which comes first, is known only at the end
    // (no writable temporary folder: all of them are kept in memory, as with -n)
    const spool = canStream(base) ? await import('../system/text-spool.js').then((m) => m.openTextSpool()) : undefined;
    if (spool) {
      try {
        let n = 0;
        const result = await runEvents(ctx, base, undefined, (v) => spool.write((n++ === 0 ? '\n' : ',\n') + render.eventJsonItem(v)));
        const { before, after } = render.eventsJsonFrame(result);
        ctx.out(before);
        spool.copyTo((chunk) => ctx.out(chunk));
        ctx.out(`${n > 0 ? '\n  ' : ''}]${after}\n`);
      } finally {
        spool.close();
      }
      ctx.reportDenied();
      return;
    }
    const result = await runEvents(ctx, base);
    if (result.by) {
      if (json) ctx.emitJson(render.eventsByJson(result));
      else ctx.out(render.renderEventsByHuman(result));
      for (const n of render.eventsFooter(result)) ctx.warn(n);
      ctx.reportDenied();
      return;
    }
    if (json) ctx.emitJson(render.eventsJson(result));
    else {
      const { out, notes } = render.renderEventsHuman(result, chalk);
      ctx.out(out);
      for (const n of notes) ctx.warn(n);
    }
    ctx.reportDenied();
  },
};
