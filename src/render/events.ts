// Human and JSON renderings of `oomctl events`. Every process name, cgroup
// path and log text goes through escapeUntrusted() before the terminal.

import type { ChalkInstance } from 'chalk';
import type { EventOwner, EventsResult, EventView } from '../core/events-result.js';
import { renderOwnerLabel } from './owner.js';
import type { EventAnalysis } from '../kernel/oom-event.js';
import type { OomEvent } from '../parse/kernel-log/parser.js';
import { formatBytes, formatKbCompact } from './format.js';
import { escapeUntrusted, terminalSafeJson } from './sanitize.js';
import { renderPlainTable } from './table.js';

const e = escapeUntrusted;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time "YYYY-MM-DD HH:MM:SS", or "+uptime s" when the log had only a boot offset. */
export function formatWhen(ev: OomEvent): string {
  if (ev.time_ms !== null) {
    const d = new Date(ev.time_ms);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }
  if (ev.uptime_sec !== null) return `boot+${ev.uptime_sec.toFixed(0)}s`;
  return '-';
}

function scopeText(ev: OomEvent): string {
  if (ev.killer === 'systemd-oomd') return `cgroup ${e(ev.task_memcg ?? '?')}`;
  if (ev.scope === 'memcg') return `memcg ${e(ev.oom_memcg ?? ev.memcg?.stats_for ?? ev.task_memcg ?? '?')}`;
  if (ev.scope === 'global') return 'machine';
  if (ev.scope === 'cpuset') return `cpuset ${e(ev.cpuset ?? '?')}`;
  if (ev.scope === 'mempolicy') return 'mempolicy';
  return '?';
}

function triggerText(ev: OomEvent): string {
  if (ev.killer === 'earlyoom') {
    const u = ev.userspace;
    return `earlyoom ${u?.signal ?? ''}${u?.badness !== null && u?.badness !== undefined ? ` badness ${u.badness}` : ''}${u?.oom_score !== null && u?.oom_score !== undefined ? ` oom_score ${u.oom_score}` : ''}`.trim();
  }
  if (ev.killer === 'systemd-oomd') return `systemd-oomd: ${e(ev.userspace?.reason ?? ev.witness?.text ?? '')}`;
  if (ev.killer === 'oomd') return `oomd: ${e(ev.userspace?.reason ?? ev.userspace?.cgroup ?? '')}`;
  if (ev.killer === 'nohang') return `nohang ${ev.userspace?.signal ?? ''} badness ${ev.userspace?.badness ?? '?'}`;
  if (ev.killer === 'kubelet') return `kubelet: ${e(ev.userspace?.reason ?? '')}`;
  if (ev.witness !== null) return e(ev.witness.text);
  const t = ev.trigger;
  const via = ev.kill_path === 'allocating-task' ? ' (oom_kill_allocating_task)' : '';
  if (!t) return ev.kill_path === 'memcg' ? `memcg limit${via}` : `kernel${via}`;
  return `${e(t.comm ?? '?')}${t.pid !== null ? ` pid ${t.pid}` : ''} order=${t.order ?? '?'}${via}`;
}

function userText(uid: number | null, names: Map<number, string> | null): string {
  if (uid === null) return '-';
  const n = names?.get(uid);
  return n === undefined ? String(uid) : e(n);
}

function adjOf(ev: OomEvent): number | null {
  const v = ev.victim;
  if (!v) return null;
  if (v.oom_score_adj !== null) return v.oom_score_adj;
  return ev.table?.rows.find((r) => r.pid === v.pid)?.oom_score_adj ?? null;
}

/** Keeps a list cell narrow: the end of a path is its most specific part. */
function clip(s: string, max: number, keepEnd: boolean): string {
  if (s.length <= max) return s;
  return keepEnd ? '…' + s.slice(s.length - max + 1) : s.slice(0, max - 1) + '…';
}

/** "memcg /a/very/long/path" -> "memcg …/long/path": the kind stays, the path keeps its end. */
function clipScope(scope: string): string {
  const sp = scope.indexOf(' ');
  if (scope.length <= 48 || sp < 0) return scope;
  return scope.slice(0, sp + 1) + clip(scope.slice(sp + 1), 47 - sp, true);
}

function listRow(v: EventView, names: Map<number, string> | null): string[] {
  const ev = v.event;
  const victim = ev.victim ?? v.death.records.find((r) => r.victim !== null)?.victim ?? null;
  const adj = adjOf(ev);
  return [
    e(v.id),
    formatWhen(ev),
    v.verdict?.killer ?? ev.killer,
    victim ? String(victim.pid) : '-',
    victim ? e(victim.comm) : ev.killer === 'systemd-oomd' ? '(cgroup)' : ev.killer === 'kubelet' ? '(pod)' : ev.no_killable_process ? '(nothing killable)' : ev.selected ? e(ev.selected.comm) : '(not in log)',
    userText(victim?.uid ?? null, names),
    victim?.rss_kb !== null && victim?.rss_kb !== undefined ? formatKbCompact(victim.rss_kb) : '-',
    adj === null ? '-' : String(adj),
    clipScope(scopeText(ev)),
    clip(triggerText(ev), 60, false),
  ];
}

function runningLines(r: EventsResult, chalk: ChalkInstance): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of r.events) {
    const comm = v.event.victim?.comm;
    if (!comm || seen.has(comm) || !v.runningNow || v.runningNow.length === 0) continue;
    seen.add(comm);
    const procs = v.runningNow.slice(0, 5).map((p) => `pid ${p.pid} (oom_score_adj ${p.oom_score_adj})`).join(', ');
    out.push(`${chalk.bold(e(comm))} is running now: ${procs}${v.runningNow.length > 5 ? ', ...' : ''}; to protect it: oomctl protect ${shellWord(comm)} --dry-run first (it says what the real run would change, or refuse and why)`);
  }
  return out;
}

/** Quotes a name for a shell command line when it needs it. */
function shellWord(s: string): string {
  const safe = e(s);
  return /^[A-Za-z0-9._+:@%/-]+$/.test(safe) ? safe : `'${safe.replaceAll("'", "'\\''")}'`;
}

/** The owner in words: "pod shop/api (burstable) api", with what is unknown said so. */
export function ownerText(o: EventOwner | null): string {
  if (o === null) return 'unknown (no record names the victim\'s cgroup)';
  if (o.kind === 'none') return `none (cgroup ${e(o.cgroup ?? '/')})`;
  const label = renderOwnerLabel(o);
  const unknownNames = (o.kind === 'pod' && (o.pod_name === null || o.container_name === null)) || (o.kind === 'container' && o.container_name === null);
  const where = o.names_from === 'path' ? 'names not read: a --file log may be from another machine' : 'names not on this machine\'s disk';
  const podUid = o.kind === 'pod' && o.pod_uid !== null && o.pod_name !== null ? ` uid ${e(o.pod_uid)}` : '';
  const ctr = o.kind === 'pod' && o.container_name === null && o.container_id !== null ? ` container ${e(o.container_id.slice(0, 12))}` : '';
  return `${label}${podUid}${ctr}${unknownNames ? ` (${where})` : ''}`;
}

export function eventsFooter(r: EventsResult): string[] {
  return footer(r);
}

export function renderEventsByHuman(r: EventsResult): string {
  const by = r.by;
  if (!by || by.groups.length === 0) return `no OOM kill found in ${e(r.source)}\n`;
  const rows = by.groups.map((g) => [
    g.key === null ? `(no ${by.by})` : ownerText(g.owner),
    String(g.deaths),
    g.last.time === null ? e(g.last.id) : g.last.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    g.last.pid === null ? '-' : `${g.last.pid} (${e(g.last.comm ?? '?')})`,
    Object.entries(g.killers).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '),
  ]);
  return renderPlainTable([by.by.toUpperCase(), 'DEATHS', 'LAST', 'LAST VICTIM', 'KILLERS'], rows, ['left', 'right', 'left', 'left', 'left']) + '\n';
}

export function eventsByJson(r: EventsResult) {
  const by = r.by;
  return {
    source: r.source,
    since: r.sinceMs === undefined ? null : new Date(r.sinceMs).toISOString(),
    until: r.untilMs === undefined ? null : new Date(r.untilMs).toISOString(),
    matched: r.matched,
    by: by?.by ?? null,
    groups: (by?.groups ?? []).map((g) => ({ key: g.key, owner: g.owner, deaths: g.deaths, last_death: g.last, killers: g.killers })),
    events_without_time_dropped: r.withoutTimeDropped,
    unparsed_lines: r.unparsedLines,
  };
}

function footer(r: EventsResult): string[] {
  const out: string[] = [];
  if (r.withoutTimeDropped > 0) out.push(`${r.withoutTimeDropped} event(s) without a time in the log were left out by --since/--until`);
  if (r.unparsedLines > 0) {
    out.push(`${r.unparsedLines} line(s) looked like part of an OOM report but could not be read, e.g. line ${r.unparsedSamples[0]?.line ?? '?'}: ${e(r.unparsedSamples[0]?.text ?? '')}`);
  }
  if (r.overlongLines > 0) out.push(`${r.overlongLines} over-long line(s) were cut`);
  const lost = r.lostKills;
  if (lost && lost.not_in_log > 0) out.push(lostKillsText(lost));
  for (const c of r.cgroupCounters ?? []) {
    if ((c.oomd_kill ?? 0) === 0 && (c.oomd_ooms ?? 0) === 0) continue;
    // systemd-oomd's own count, which survives the log (src/oom/oomd-util.c oomd_cgroup_kill())
    out.push(`systemd-oomd acted on ${e(c.cgroup)} ${c.oomd_ooms ?? 0} time(s) and killed ${c.oomd_kill ?? 0} process(es) there (xattrs user.oomd_ooms, user.oomd_kill)`);
  }
  return out;
}

export function lostKillsText(lost: NonNullable<EventsResult['lostKills']>): string {
  return `${lost.not_in_log} kill(s) not in the log (log rotated or ring buffer overwritten): /proc/vmstat oom_kill counts ${lost.vmstat_oom_kill} this boot, the log holds ${lost.in_log}`;
}

export function renderEventsHuman(r: EventsResult, chalk: ChalkInstance): { out: string; notes: string[] } {
  if (r.details) {
    const text = renderDetails(r.details, r.userNames, chalk) + runningBlock(r, chalk);
    return { out: text.endsWith('\n') ? text : text + '\n', notes: footer(r) };
  }
  const notes = footer(r);
  if (r.events.length === 0) {
    return { out: `no OOM kill found in ${e(r.source)}${r.sinceMs !== undefined || r.untilMs !== undefined ? ' in that time range' : ''}\n`, notes };
  }
  const head = ['ID', 'TIME', 'KILLER', 'PID', 'COMM', 'USER', 'RSS', 'ADJ', 'SCOPE', 'TRIGGER'];
  const table = renderPlainTable(head, r.events.map((v) => listRow(v, r.userNames)), ['left', 'left', 'left', 'right', 'left', 'left', 'right', 'right', 'left', 'left']);
  const shownNote = r.events.length < r.matched ? `\n(${r.events.length} of ${r.matched} shown; -n 0 for all)` : '';
  return { out: `${table}${shownNote}\n${runningBlock(r, chalk)}`, notes };
}

function runningBlock(r: EventsResult, chalk: ChalkInstance): string {
  const lines = runningLines(r, chalk);
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}

export function renderFollowLine(v: EventView, names: Map<number, string> | null): string {
  return listRow(v, names).join('  ') + `  [${v.death.records.map((r) => e(sourceOf(r))).join('+')}]\n`;
}

function kb(n: number | null): string {
  if (n === null) return '?';
  // PAGE_COUNTER_MAX in kB: the kernel's way of printing "no limit"
  if (n >= 9007199254740988) return 'none';
  return formatBytes(n * 1024);
}

function analysisLines(a: EventAnalysis, ev: OomEvent, chalk: ChalkInstance): string[] {
  const out: string[] = [];
  const ps = BigInt(a.pageSize);
  out.push(chalk.bold('Ranking recomputed from the task table') + ` (kernel rules ${a.model.era}${a.modelBasis === 'table-layout' ? ', guessed from the table layout' : ''}; page size ${a.pageSize}${a.pageSizeBasis === 'default' ? ' assumed' : ''})`);
  out.push(`  totalpages ${a.totalpages} = ${formatBytes(a.totalpages * ps)}: ${e(a.totalpagesBasis)}; 1 point of oom_score_adj = ${formatBytes((a.totalpages / 1000n) * ps)}`);
  const killable = a.ranked.filter((r) => r.rank !== null);
  const victimPid = ev.victim?.pid ?? ev.selected?.pid;
  const rows = a.ranked.slice(0, 10).map((r) => {
    const row = r.task.row;
    const memKb = Number(r.badness.memoryPages * ps) / 1024;
    return [
      r.rank === null ? '-' : String(r.rank),
      String(r.task.pid),
      row.uid === null ? '-' : String(row.uid),
      (r.task.pid === victimPid ? '* ' : '') + e(row.name),
      formatKbCompact(memKb),
      String(r.task.oomScoreAdj),
      r.badness.points === null ? (r.badness.unkillable ?? '-') : String(r.badness.points),
    ];
  });
  out.push(renderPlainTable(['RANK', 'PID', 'UID', 'NAME', 'MEMORY', 'ADJ', 'BADNESS'], rows, ['right', 'right', 'right', 'left', 'right', 'right', 'right']).split('\n').map((l) => '  ' + l).join('\n'));
  if (a.ranked.length > 10) out.push(`  ... ${a.ranked.length - 10} more (${killable.length} killable in all); * = the victim; MEMORY = rss + swap + page tables; BADNESS in pages`);
  else out.push('  * = the victim; MEMORY = rss + swap + page tables; BADNESS in pages');
  if (a.victimRank !== null) {
    const next = a.ranked.find((r) => r.rank === (a.victimRank as number) + 1);
    if (next && a.marginPages !== null) {
      out.push(`  the victim ranked ${a.victimRank} of ${killable.length}; runner-up pid ${next.task.pid} (${e(next.task.row.name)}), ${a.marginPages} pages (${formatBytes(a.marginPages * ps)}) behind`);
    } else {
      out.push(`  the victim ranked ${a.victimRank} of ${killable.length}${killable.length === 1 ? ': it was the only process the kernel could kill here' : ''}`);
    }
    if (next) {
      out.push(a.adjToSpare === null
        ? '  no oom_score_adj above -1000 would have spared it: only -1000 (never kill) would'
        : `  oom_score_adj ${a.adjToSpare} or lower would have spared it (it would have ranked below the runner-up, who would have died instead)`);
    } else {
      out.push('  only oom_score_adj -1000 would have spared it, and then nothing here could have been killed');
    }
    if (ev.selected?.score !== null && ev.selected?.score !== undefined && a.victimScore !== null) {
      out.push(`  kernel printed score ${ev.selected.score}; recomputed ${a.victimScore}`);
    }
  }
  if (a.mismatch) out.push(chalk.yellow(`  ! recomputed rank 1 is pid ${a.rankOne?.task.pid} (${e(a.rankOne?.task.row.name ?? '?')}), not the victim: ${e(a.mismatch.detail)}`));
  return out;
}

export function renderDetails(v: EventView, names: Map<number, string> | null, chalk: ChalkInstance): string {
  const ev = v.event;
  const out: string[] = [];
  const when = formatWhen(ev);
  out.push(chalk.bold(`OOM kill ${e(v.id)} (#${v.number})${ev.killer !== 'kernel' ? ` by ${ev.killer}` : ''}, ${when}`) + (ev.uptime_sec !== null && ev.time_ms !== null ? ` (${ev.uptime_sec.toFixed(3)} s after boot)` : '') + (ev.host ? ` on ${e(ev.host)}` : ''));
  const vic = ev.victim;
  if (vic) {
    out.push(`  killed      pid ${vic.pid} (${e(vic.comm)}), user ${userText(vic.uid, names)}, oom_score_adj ${adjOf(ev) ?? '?'}`);
    if (vic.rss_kb !== null || vic.total_vm_kb !== null) out.push(`  memory      RSS ${kb(vic.rss_kb)} = anon ${kb(vic.anon_rss_kb)} + file ${kb(vic.file_rss_kb)} + shmem ${kb(vic.shmem_rss_kb)}; total-vm ${kb(vic.total_vm_kb)}; page tables ${kb(vic.pgtables_kb)}`);
    if (vic.reaped) out.push(`  reaped      by oom_reaper: now anon ${kb(vic.reaped.anon_rss_kb)}, file ${kb(vic.reaped.file_rss_kb)}, shmem ${kb(vic.reaped.shmem_rss_kb)}`);
  } else {
    out.push(ev.no_killable_process ? '  killed      nothing: "Out of memory and no killable processes"' : '  killed      (the victim line is not in the log)');
  }
  if (ev.selected && (!vic || ev.selected.pid !== vic.pid)) out.push(`  selected    pid ${ev.selected.pid} (${e(ev.selected.comm)}) score ${ev.selected.score ?? '?'}; its child was killed instead`);
  if (ev.oom_group) {
    const others = ev.oom_group.victims.filter((g) => g.pid !== vic?.pid);
    const again = ev.oom_group.victims.length - others.length;
    out.push(`  oom.group   ${e(ev.oom_group.cgroup)}: ${others.length} more process(es) killed with it${again > 0 ? ` (the victim was printed again ${again}x)` : ''}${others.length > 0 ? ': ' + others.slice(0, 8).map((g) => `${g.pid} (${e(g.comm)})`).join(', ') + (others.length > 8 ? ', ...' : '') : ''}`);
  }
  out.push(`  scope       ${ev.scope === 'memcg' ? `memory cgroup ${e(ev.oom_memcg ?? ev.memcg?.stats_for ?? ev.task_memcg ?? '?')}` : ev.scope === 'global' ? 'the whole machine' : scopeText(ev)}${ev.task_memcg && ev.task_memcg !== ev.oom_memcg ? `; victim's cgroup ${e(ev.task_memcg)}` : ''}`);
  const m = ev.memcg;
  if (m && m.limit_kb !== null) out.push(`  memcg       usage ${kb(m.usage_kb)} of limit ${kb(m.limit_kb)}, failcnt ${m.failcnt ?? '?'}${m.swap_limit_kb !== null ? `; swap ${kb(m.swap_usage_kb)} of ${kb(m.swap_limit_kb)}` : ''}${m.memsw_limit_kb !== null ? `; memory+swap limit ${kb(m.memsw_limit_kb)}` : ''}`);
  const mi = ev.meminfo;
  if (mi && mi.ram_pages !== null) out.push(`  machine     ${mi.ram_pages} pages RAM (${mi.reserved_pages ?? 0} reserved), swap ${kb(mi.total_swap_kb)} total, ${kb(mi.free_swap_kb)} free`);
  if (ev.killer === 'kernel') {
    const t = ev.trigger;
    out.push(t
      ? `  trigger     ${e(t.comm ?? '?')}${t.pid !== null ? ` (pid ${t.pid})` : ''} asked for order-${t.order ?? '?'} memory, gfp_mask=${e(t.gfp_mask ?? '?')}, its oom_score_adj ${t.oom_score_adj ?? '?'}${ev.kill_path === 'allocating-task' ? '; vm.oom_kill_allocating_task killed it' : ''}`
      : '  trigger     (the report header is not in the log)');
    if (ev.constraint) out.push(`  constraint  ${e(ev.constraint)}${ev.cpuset ? `, cpuset ${e(ev.cpuset)}` : ''}${ev.mems_allowed ? `, mems_allowed ${e(ev.mems_allowed)}` : ''}`);
    if (ev.kernel_release) out.push(`  kernel      ${e(ev.kernel_release)}`);
  } else {
    out.push(`  trigger     ${triggerText(ev)}`);
  }
  const vd = v.verdict;
  if (vd) {
    out.push(chalk.bold('Verdict'));
    out.push(`  killer      ${vd.killer}`);
    out.push(`  trigger     ${vd.trigger.kind}: ${e(vd.trigger.detail)}`);
    out.push(`  why it      ${e(vd.why)}`);
    out.push(`  owner       ${ownerText(v.owner)}`);
    for (const w of vd.would_have_changed) out.push(`  would save  ${e(w)}`);
    for (const n of vd.notes) out.push(`  note        ${e(n)}`);
    out.push(`  sources     ${v.death.records.map((r) => e(sourceOf(r))).join(', ')}`);
  }
  if (v.analysis) out.push(...analysisLines(v.analysis, ev, chalk));
  else if (ev.killer === 'kernel' && ev.witness === null) out.push('  no task table in the log: the ranking cannot be recomputed');
  return out.join('\n') + '\n';
}

/** Which source a record came from: 'kernel' (its own report), a userspace killer's name, or a witness (systemd, kubelet, docker, containerd, memory.events, memory.oom_control). */
export function sourceOf(r: OomEvent): string {
  if (r.witness !== null) return r.witness.witness;
  return r.killer;
}

function sourcesJson(v: EventView) {
  return v.death.records.map((r) => ({
    source: sourceOf(r),
    format: r.source_format,
    time: r.time,
    line: r.line > 0 ? r.line : null,
    kmsg_seq: r.kmsg_seq,
    pid: r.victim?.pid ?? null,
    cgroup: r.task_memcg ?? r.oom_memcg ?? r.witness?.unit ?? r.witness?.container_id ?? null,
    text: r.witness?.text ?? null,
  }));
}

function analysisJson(a: EventAnalysis | undefined, ev: OomEvent) {
  if (!a) return null;
  const victimPid = ev.victim?.pid ?? ev.selected?.pid;
  return {
    page_size: a.pageSize,
    page_size_basis: a.pageSizeBasis,
    kernel_rules: a.model.era,
    kernel_rules_basis: a.modelBasis,
    totalpages: Number(a.totalpages),
    totalpages_basis: a.totalpagesBasis,
    victim_rank: a.victimRank,
    victim_score: a.victimScore,
    rank_one: a.rankOne ? { pid: a.rankOne.task.pid, name: a.rankOne.task.row.name, badness_pages: Number(a.rankOne.badness.points) } : null,
    margin_pages: a.marginPages === null ? null : Number(a.marginPages),
    adj_to_spare: a.adjToSpare,
    mismatch: a.mismatch,
    ranking: a.ranked.slice(0, 20).map((r) => ({
      rank: r.rank,
      pid: r.task.pid,
      name: r.task.row.name,
      victim: r.task.pid === victimPid,
      memory_pages: Number(r.badness.memoryPages),
      oom_score_adj: r.task.oomScoreAdj,
      badness_pages: r.badness.points === null ? null : Number(r.badness.points),
      unkillable: r.badness.unkillable,
    })),
  };
}

export function eventJson(v: EventView) {
  const vd = v.verdict;
  return {
    id: v.id,
    number: v.number,
    ...v.event,
    verdict: vd === undefined ? null : { killer: vd.killer, trigger: vd.trigger, why: vd.why, would_have_changed: vd.would_have_changed, notes: vd.notes },
    owner: v.owner,
    sources: sourcesJson(v),
    analysis: analysisJson(v.analysis, v.event),
    running_now: v.runningNow,
  };
}

export function eventsJson(r: EventsResult) {
  return {
    source: r.source,
    since: r.sinceMs === undefined ? null : new Date(r.sinceMs).toISOString(),
    until: r.untilMs === undefined ? null : new Date(r.untilMs).toISOString(),
    matched: r.matched,
    events: r.events.map(eventJson),
    events_without_time_dropped: r.withoutTimeDropped,
    unparsed_lines: r.unparsedLines,
    unparsed_samples: r.unparsedSamples,
    overlong_lines: r.overlongLines,
    kills_this_boot: r.lostKills === null ? null : { ...r.lostKills, note: r.lostKills.not_in_log > 0 ? lostKillsText(r.lostKills) : null },
    cgroup_counters: r.cgroupCounters,
  };
}

/** One event as one line of JSON (--follow --json), C1 and bidi controls escaped as by ctx.emitJson. */
export function eventJsonLine(v: EventView): string {
  return terminalSafeJson(JSON.stringify(eventJson(v))) + '\n';
}

/** One event of the `events` array as JSON.stringify(eventsJson(r), null, 2) prints it (indented 4). */
export function eventJsonItem(v: EventView): string {
  // Stringified two arrays deep, the event comes out indented by 4 as in the document:
  // "[\n  [\n" + item + "\n  ]\n]", without a second pass over the text to indent it.
  const text = terminalSafeJson(JSON.stringify([[eventJson(v)]], null, 2));
  return text.slice(6, text.length - 6);
}

/**
 * The --json document around its events, for events written one by one: `before` ends with
 * `"events": [`, `after` starts after its `]`. before + the items ("\n" before the first, ",\n"
 * before the others) + ("\n  " if any) + "]" + after + "\n" is byte for byte what
 * terminalSafeJson(JSON.stringify(eventsJson(r), null, 2)) + "\n" (ctx.emitJson) prints for the same events.
 */
export function eventsJsonFrame(r: EventsResult): { before: string; after: string } {
  const whole = terminalSafeJson(JSON.stringify(eventsJson({ ...r, events: [] }), null, 2));
  const marker = '\n  "events": []';
  const at = whole.indexOf(marker);
  if (at < 0) throw new Error('eventsJsonFrame: no events key');
  return { before: whole.slice(0, at + marker.length - 1), after: whole.slice(at + marker.length) };
}
