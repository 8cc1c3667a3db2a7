// The streaming OOM-report parser: feed it lines (any prefix format, mixed),
// it returns each OOM event once the report is complete. Memory is bounded:
// one open report, a bounded table, the last REAPER_LOOKBEHIND events handed
// out (for oom_reaper lines that arrive after the next report), a bounded sample of
// unparsed lines. Field names are the JSON keys of `oomctl events --json`
// (the record is the schema: units in the names, null where not printed).

import {
  parseCounterLine, parseCpuLine, parseCpusetLine, parseHeader, parseKilledLine, parseMemInfoTotal,
  parseOomGroupLine, parseReapedLine, parseSelectLine, parseSummary, parseTableHeader,
  parseTaskInLine, leadingInt, type KilledLine, type KillerKind,
} from './messages.js';
import {
  parseContainerRecord, parseEarlyoom, parseFbOomd, parseEarlyoomFollowUp, parseKubelet, parseNohangLine, parseOomd, parseOomdContext, parsePid1,
  type UserspaceKill, type UserspaceKiller, type WitnessRecord,
} from './userspace.js';
import { stripPrefix, type LogLine, type PrefixContext, type PrefixKind } from './prefix.js';

export interface TaskRow {
  pid: number;
  uid: number | null;
  tgid: number | null;
  total_vm_pages: number | null;
  rss_pages: number | null;
  rss_anon_pages: number | null;
  rss_file_pages: number | null;
  rss_shmem_pages: number | null;
  /** Bytes (v4.15+ "pgtables_bytes"). */
  pgtables_bytes: number | null;
  /** Pages (before v4.15 "nr_ptes", v4.0-v4.14 also "nr_pmds"). */
  nr_ptes_pages: number | null;
  nr_pmds_pages: number | null;
  swapents_pages: number | null;
  oom_score_adj: number | null;
  name: string;
}

export interface Victim extends Omit<KilledLine, 'killer'> {
  /** anon + file + shmem, in kB. */
  rss_kb: number | null;
  reaped: { anon_rss_kb: number | null; file_rss_kb: number | null; shmem_rss_kb: number | null } | null;
}

export interface OomEvent {
  /** 'kernel' for the OOM killer; a userspace killer's name otherwise (a witness record: the killer it names). */
  killer: 'kernel' | UserspaceKiller;
  /** ISO 8601 wall time of the first line of the report, or null. */
  time: string | null;
  time_ms: number | null;
  uptime_sec: number | null;
  host: string | null;
  source_format: PrefixKind | null;
  kernel_release: string | null;
  trigger: {
    comm: string | null;
    pid: number | null;
    gfp_mask: string | null;
    order: number | null;
    oom_score_adj: number | null;
    oom_adj: number | null;
  } | null;
  /** 'global' (whole machine), 'memcg' (a memory cgroup's limit), 'cpuset'/'mempolicy' (constrained), or null. */
  scope: 'global' | 'memcg' | 'cpuset' | 'mempolicy' | null;
  constraint: string | null;
  kill_path: KillerKind;
  oom_memcg: string | null;
  task_memcg: string | null;
  cpuset: string | null;
  mems_allowed: string | null;
  nodemask: string | null;
  memcg: {
    usage_kb: number | null;
    limit_kb: number | null;
    failcnt: number | null;
    memsw_usage_kb: number | null;
    memsw_limit_kb: number | null;
    swap_usage_kb: number | null;
    swap_limit_kb: number | null;
    kmem_usage_kb: number | null;
    stats_for: string | null;
    /** 1 when "memory+swap:" was printed (cgroup v1), 2 when "swap:" was (cgroup v2). */
    cgroup_version: 1 | 2 | null;
  } | null;
  meminfo: { ram_pages: number | null; reserved_pages: number | null; highmem_pages: number | null; total_swap_kb: number | null; free_swap_kb: number | null } | null;
  /** Old kernels: the process chosen ("Kill process N (x) score S or sacrifice child"). */
  selected: { pid: number; comm: string; score: number | null } | null;
  victim: Victim | null;
  /** memory.oom.group: the cgroup and every further process killed with the victim. */
  oom_group: { cgroup: string; victims: Victim[] } | null;
  /** "Out of memory and no killable processes..." */
  no_killable_process: boolean;
  table: { columns: string[]; rows: TaskRow[]; truncated: boolean } | null;
  /** Userspace killers only. */
  userspace: Omit<UserspaceKill, 'pid' | 'comm' | 'uid'> | null;
  /** A record that a death happened, written by someone who did not choose the victim (PID 1, the kubelet's SystemOOM, Docker, containerd); only with ParserOptions.witnesses. */
  witness: WitnessRecord | null;
  /** The log line the record starts at (1 = first line fed to this parser). */
  line: number;
  /** kmsg sequence number of its first line, when read from /dev/kmsg. */
  kmsg_seq: number | null;
  /** Lines of the report that looked like part of an OOM report but could not be read. */
  unparsed_lines: number;
}

/** A cgroup's OOM counter that went up (--follow polls memory.events / memory.oom_control): a record of `delta` kills in `cgroup`. */
export function counterEvent(file: 'memory.events' | 'memory.oom_control', cgroup: string, delta: number, nowMs: number): OomEvent {
  const ev = emptyEvent({ kind: 'bare', text: '', uptimeSec: null, wallMs: nowMs, seq: null, host: null, ident: null }, 'kernel');
  ev.source_format = null;
  ev.task_memcg = cgroup;
  ev.scope = 'memcg';
  ev.witness = { witness: file, unit: null, container_id: null, pid: null, comm: null, says_killer: 'kernel', processes_killed: delta, text: `${file} oom_kill +${delta} in ${cgroup}` };
  return ev;
}

export interface ParserOptions extends Partial<PrefixContext> {
  /** At most this many task-table rows are kept per report (the rest is counted as truncated). */
  maxTableRows?: number;
  /** Lines longer than this are cut (they are never OOM lines). */
  maxLineLength?: number;
  /** Also hand out witness records (PID 1's unit results, the kubelet's SystemOOM, Docker/containerd OOM records). */
  witnesses?: boolean;
}

export interface UnparsedSample {
  line: number;
  text: string;
}

const MAX_UNPARSED_SAMPLES = 20;
const RECENT_VICTIMS = 256;
/**
 * An "oom_reaper: reaped process N" line is matched to the report in progress or to one of
 * the last this-many events handed out (it comes right after its report, or after the next
 * one). An event handed out is therefore never changed again once this many later events
 * have been handed out: a consumer may serialise it then and let it go.
 */
export const REAPER_LOOKBEHIND = 64;
export const DEFAULT_MAX_LINE = 64 * 1024;
const NONE: OomEvent[] = Object.freeze([]) as unknown as OomEvent[];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * new Date(ms).toISOString() for years 1970-9999 (H. Hinnant's civil_from_days), which is several
 * times faster; other values (and the RangeError of an invalid time) are left to toISOString().
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86400000);
  const msOfDay = ms - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(msOfDay / 3600000);
  const mi = Math.floor(msOfDay / 60000) % 60;
  const sec = Math.floor(msOfDay / 1000) % 60;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}.${pad(msOfDay % 1000, 3)}Z`;
}

function emptyEvent(l: LogLine, killer: OomEvent['killer'], line = 0): OomEvent {
  const ms = l.wallMs === null ? null : Math.round(l.wallMs);
  return {
    killer,
    time: ms === null ? null : isoTime(ms),
    time_ms: ms,
    uptime_sec: l.uptimeSec,
    host: l.host,
    source_format: l.kind,
    kernel_release: null,
    trigger: null,
    scope: null,
    constraint: null,
    kill_path: null,
    oom_memcg: null,
    task_memcg: null,
    cpuset: null,
    mems_allowed: null,
    nodemask: null,
    memcg: null,
    meminfo: null,
    selected: null,
    victim: null,
    oom_group: null,
    no_killable_process: false,
    table: null,
    userspace: null,
    witness: null,
    line,
    kmsg_seq: l.seq,
    unparsed_lines: 0,
  };
}

function toVictim(k: KilledLine): Victim {
  const none = k.anon_rss_kb === null && k.file_rss_kb === null && k.shmem_rss_kb === null;
  return {
    pid: k.pid, comm: k.comm, uid: k.uid, total_vm_kb: k.total_vm_kb, anon_rss_kb: k.anon_rss_kb, file_rss_kb: k.file_rss_kb,
    shmem_rss_kb: k.shmem_rss_kb, pgtables_kb: k.pgtables_kb, oom_score_adj: k.oom_score_adj,
    rss_kb: none ? null : (k.anon_rss_kb ?? 0) + (k.file_rss_kb ?? 0) + (k.shmem_rss_kb ?? 0),
    reaped: null,
  };
}

/** TaskRow fields in the order of ROW_SLOT values; column names of the kernel's table -> slot. */
const ROW_SLOT: ReadonlyMap<string, number> = new Map([
  ['pid', 0], ['uid', 1], ['tgid', 2], ['total_vm', 3], ['rss', 4], ['rss_anon', 5], ['rss_file', 6], ['rss_shmem', 7],
  ['pgtables_bytes', 8], ['nr_ptes', 9], ['nr_pmds', 10], ['swapents', 11], ['oom_score_adj', 12],
]);
const NO_SLOT = -1;

/** For each column of a table header but the last (name): the TaskRow slot its number goes to, or NO_SLOT. */
function rowSlots(columns: readonly string[]): Int32Array {
  const slots = new Int32Array(Math.max(0, columns.length - 1));
  for (let c = 0; c < slots.length; c++) slots[c] = ROW_SLOT.get(columns[c] as string) ?? NO_SLOT;
  return slots;
}

/**
 * parseTableRow() + toRow() in one pass, without the intermediate record: the
 * same rows accepted, the same numbers (the task table is most of a report).
 */
function parseRowFast(s: string, slots: Int32Array): TaskRow | undefined {
  if (s.charCodeAt(0) !== 91) return undefined;
  const close = s.indexOf(']');
  if (close < 2 || close > 16) return undefined;
  // "[  390]": spaces then digits (the usual case) read in place; anything else as parseTableRow() reads it
  let p = 1;
  while (p < close && s.charCodeAt(p) === 32) p++;
  let pid = 0;
  let q = p;
  for (; q < close; q++) {
    const ch = s.charCodeAt(q);
    if (ch < 48 || ch > 57) break;
    pid = pid * 10 + (ch - 48);
  }
  if (q !== close || q === p) pid = leadingInt(s.slice(1, close).trim());
  if (!Number.isFinite(pid)) return undefined;
  const row: TaskRow = {
    pid,
    uid: null,
    tgid: null,
    total_vm_pages: null,
    rss_pages: null,
    rss_anon_pages: null,
    rss_file_pages: null,
    rss_shmem_pages: null,
    pgtables_bytes: null,
    nr_ptes_pages: null,
    nr_pmds_pages: null,
    swapents_pages: null,
    oom_score_adj: null,
    name: '',
  };
  // column 0 is the pid in brackets; a later column could be named "pid" too (the record kept the last one)
  let i = close + 1;
  const n = s.length;
  for (let c = 1; c < slots.length; c++) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    const start = i;
    let neg = false;
    if (s.charCodeAt(i) === 45 /* - */) { i++; neg = true; }
    const digits = i;
    let v = 0;
    for (; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch < 48 || ch > 57) break;
      v = v * 10 + (ch - 48);
    }
    if (i === digits) return undefined;
    // beyond 15 digits the running sum may round differently from Number()
    const num = i - digits > 15 ? Number(s.slice(start, i)) : neg ? -v : v;
    switch (slots[c]) {
      case 0: row.pid = num; break;
      case 1: row.uid = num; break;
      case 2: row.tgid = num; break;
      case 3: row.total_vm_pages = num; break;
      case 4: row.rss_pages = num; break;
      case 5: row.rss_anon_pages = num; break;
      case 6: row.rss_file_pages = num; break;
      case 7: row.rss_shmem_pages = num; break;
      case 8: row.pgtables_bytes = num; break;
      case 9: row.nr_ptes_pages = num; break;
      case 10: row.nr_pmds_pages = num; break;
      case 11: row.swapents_pages = num; break;
      case 12: row.oom_score_adj = num; break;
      default: break;
    }
  }
  if (s.charCodeAt(i) !== 32) return undefined;
  // the name is printed after exactly one space ("%5hd %s")
  row.name = s.slice(i + 1);
  return row;
}

/** Does the message look like part of an OOM report (used to count what could not be read)? */
function looksOomRelated(text: string): boolean {
  return text.includes('oom') || text.includes('Out of memory') || text.includes('Killed process') || text.includes('Kill process');
}

export class KernelLogParser {
  private readonly ctx: PrefixContext;
  private readonly maxRows: number;
  private readonly maxLine: number;
  private current: OomEvent | undefined;
  private columns: string[] | undefined;
  private slots: Int32Array = new Int32Array(0);
  private lastKernelKind: PrefixKind | null = null;
  private readonly recent = new Map<number, OomEvent>();
  /** The last REAPER_LOOKBEHIND events handed out, oldest first. */
  private readonly lookBehind: OomEvent[] = [];
  private lineNo = 0;
  /** Lines that looked OOM-related but could not be read. */
  unparsedCount = 0;
  readonly unparsedSamples: UnparsedSample[] = [];
  /** Lines cut because they were longer than maxLineLength. */
  overlongLines = 0;
  /** Events finished so far (only a count; events are handed out by push/end). */
  emitted = 0;

  constructor(opts: ParserOptions = {}) {
    this.ctx = { year: opts.year ?? 1970, bootMs: opts.bootMs ?? null, refMs: opts.refMs ?? null };
    this.maxRows = opts.maxTableRows ?? 100_000;
    this.maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE;
    this.witnesses = opts.witnesses === true;
  }

  private readonly witnesses: boolean;
  private earlyoomReason: string | null = null;
  private oomdContext: { trigger_kind: 'swap' | 'pressure'; reason: string | null } | undefined;
  /** The last earlyoom kill handed out: its follow-up lines ("escalating to SIGKILL", "process exited") complete it. */
  private lastEarlyoom: OomEvent | undefined;
  /** Facebook oomd's last "Trying to kill": its "Killed N:" line names the processes. */
  private lastFbOomd: OomEvent | undefined;
  /** A nohang victim report being read (from "Victim status" to "Sending SIGx to the victim"). */
  private nohangPending: OomEvent | undefined;
  private lastNohang: OomEvent | undefined;
  private nohangReason: string | null = null;

  /** Sets boot time / year for later lines (a source that learns them late). */
  setContext(ctx: Partial<PrefixContext>): void {
    if (ctx.year !== undefined) this.ctx.year = ctx.year;
    if (ctx.bootMs !== undefined) this.ctx.bootMs = ctx.bootMs;
    if (ctx.refMs !== undefined) this.ctx.refMs = ctx.refMs;
  }

  private unparsed(text: string): void {
    this.unparsedCount++;
    if (this.current) this.current.unparsed_lines++;
    if (this.unparsedSamples.length < MAX_UNPARSED_SAMPLES) this.unparsedSamples.push({ line: this.lineNo, text: text.slice(0, 300) });
  }

  private finish(out: OomEvent[]): void {
    const ev = this.current;
    this.current = undefined;
    this.columns = undefined;
    if (!ev) return;
    // A report with a header and no victim line is kept (the log was cut): it says so with victim null.
    if (ev.scope === null) {
      if (ev.constraint === 'CONSTRAINT_MEMCG' || ev.kill_path === 'memcg' || ev.oom_memcg !== null || (ev.memcg !== null && ev.memcg.limit_kb !== null)) ev.scope = 'memcg';
      else if (ev.constraint === 'CONSTRAINT_CPUSET') ev.scope = 'cpuset';
      else if (ev.constraint === 'CONSTRAINT_MEMORY_POLICY') ev.scope = 'mempolicy';
      else if (ev.killer === 'kernel' && (ev.victim !== null || ev.trigger !== null || ev.selected !== null)) ev.scope = ev.constraint === 'CONSTRAINT_NONE' || ev.kill_path === 'global' || ev.meminfo !== null ? 'global' : null;
    }
    if (ev.victim) {
      this.recent.set(ev.victim.pid, ev);
      for (const g of ev.oom_group?.victims ?? []) this.recent.set(g.pid, ev);
      while (this.recent.size > RECENT_VICTIMS) {
        const first = this.recent.keys().next().value as number;
        this.recent.delete(first);
      }
    }
    this.handOut(ev, out);
  }

  /** Every event leaves through here: after REAPER_LOOKBEHIND more, no reaper line can reach it. */
  private handOut(ev: OomEvent, out: OomEvent[]): void {
    this.lookBehind.push(ev);
    if (this.lookBehind.length > REAPER_LOOKBEHIND) {
      const old = this.lookBehind.shift() as OomEvent;
      if (old.victim) {
        if (this.recent.get(old.victim.pid) === old) this.recent.delete(old.victim.pid);
        for (const g of old.oom_group?.victims ?? []) if (this.recent.get(g.pid) === old) this.recent.delete(g.pid);
      }
    }
    this.emitted++;
    out.push(ev);
  }

  private open(l: LogLine, out: OomEvent[]): OomEvent {
    this.finish(out);
    const ev = emptyEvent(l, 'kernel', this.lineNo);
    this.current = ev;
    return ev;
  }

  private memcg(ev: OomEvent): NonNullable<OomEvent['memcg']> {
    ev.memcg ??= { usage_kb: null, limit_kb: null, failcnt: null, memsw_usage_kb: null, memsw_limit_kb: null, swap_usage_kb: null, swap_limit_kb: null, kmem_usage_kb: null, stats_for: null, cgroup_version: null };
    return ev.memcg;
  }

  /** Feeds one line (without its newline); returns the events it completed. Never throws. */
  push(rawLine: string): OomEvent[] {
    const out = this.scratch;
    try {
      this.pushInner(rawLine, out);
    } catch {
      // A bug in a branch above must not lose the rest of the log.
      this.unparsed(rawLine);
    }
    if (out.length === 0) return NONE;
    this.scratch = [];
    return out;
  }

  private scratch: OomEvent[] = [];

  private pushInner(rawLine: string, out: OomEvent[]): void {
    this.lineNo++;
    let line = rawLine;
    if (line.length > this.maxLine) {
      this.overlongLines++;
      line = line.slice(0, this.maxLine);
    }
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    // A machine that crashed leaves a run of NULs in its syslog file, then the next line is written after it.
    // (NULs elsewhere are harmless here, and are escaped before they reach a terminal.)
    if (line.charCodeAt(0) === 0) {
      let i = 0;
      while (i < line.length && line.charCodeAt(i) === 0) i++;
      line = line.slice(i);
    }
    const l = stripPrefix(line, this.ctx);
    let text = l.text;
    if (l.kind === 'continuation') {
      // nohang's indented report lines, printed without a prefix
      if ((this.nohangPending || this.nohangReason !== null || this.lastNohang) && this.nohangLine(l, out)) return;
      // kubectl describe's event table is indented
      if (this.witnesses && !this.current && (text.includes('System OOM encountered') || text.includes('The node was low on resource')) && this.kubeletLine(l, out)) return;
      // Mem-Info and memcg stats continue over unprefixed lines; they belong to the report in progress
      if (!this.current) return;
      l.kind = this.lastKernelKind ?? 'bare';
      text = text.trimStart();
    } else if (text.startsWith('oomd kill: ')) {
      // Facebook oomd writes its kill line to /dev/kmsg (Log.cpp kmsgLog()): it reads as the kernel's
      this.fbOomdLine(l, text, out);
      return;
    } else if (l.ident !== null && l.ident !== 'kernel') {
      this.userspaceLine(l, out);
      return;
    } else if (l.ident === null && (l.kind === 'bare' || l.kind === 'dmesg-iso') && this.plainUserspaceLine(l, out)) {
      return;
    } else {
      this.lastKernelKind = l.kind;
    }
    // syslog writes a kernel newline as "#012"
    if ((l.kind === 'syslog' || l.kind === 'bare' || l.kind === 'ident') && text.includes('#012')) {
      for (const part of text.split('#012')) this.kernelMessage({ ...l, text: part.trimStart() }, part.trimStart(), out);
      return;
    }
    this.kernelMessage(l, text, out);
  }

  private userspaceLine(l: LogLine, out: OomEvent[]): void {
    const id = l.ident as string;
    if (id === 'earlyoom') { this.earlyoomLine(l, true, out); return; }
    if (id === 'nohang' || id === 'nohang-desktop') { this.nohangLine(l, out); return; }
    if (id === 'systemd-oomd') {
      const c = parseOomdContext(l.text);
      if (c) { this.oomdContext = c; return; }
      const u = parseOomd(l.text);
      if (!u) return;
      // the path that fired, when the kill line does not say it (v247's per-pid lines, v260's bare "Marked X for killing")
      const ctx = this.oomdContext;
      if (ctx) {
        u.trigger_kind ??= ctx.trigger_kind;
        if (u.reason === null || u.reason === '') u.reason = ctx.reason;
      }
      if (u.reason === '') u.reason = null;
      this.userspaceKill(l, u, out);
      return;
    }
    if (id === 'oomd' || id === 'oomd_bin') { this.fbOomdLine(l, l.text, out); return; }
    if (!this.witnesses) return;
    if (id === 'systemd') {
      const w = parsePid1(l.text);
      if (w) this.witnessRecord(l, w, out);
      return;
    }
    if (id === 'kubelet' || id === 'kubectl') { this.kubeletLine(l, out); return; }
    if (id === 'dockerd' || id === 'containerd' || id === 'docker') {
      const w = parseContainerRecord(l.text);
      if (w) this.witnessRecord(l, w, out);
    }
  }

  /** A line with no prefix at all: earlyoom's or nohang's own output, kubectl/docker text. True when taken. */
  private plainUserspaceLine(l: LogLine, out: OomEvent[]): boolean {
    const t = l.text;
    const c0 = t.charCodeAt(0);
    // every earlyoom kill or follow-up line starts with one of these letters (or an SGR colour sequence)
    if (c0 === 115 /* s */ || c0 === 107 /* k */ || c0 === 75 /* K */ || c0 === 101 /* e */ || c0 === 112 /* p */ || c0 === 108 /* l */ || c0 === 76 /* L */ || c0 === 27) {
      if (this.earlyoomLine(l, false, out)) return true;
    }
    if (c0 === 86 /* V */ || c0 === 73 /* I */ || c0 === 84 /* T */ || c0 === 77 /* M */ || c0 === 79 /* O */) {
      if (this.nohangLine(l, out)) return true;
    }
    // systemd-oomd's kill line pasted alone: "Killed /cgroup due to memory ..." (the kernel's "Killed process" is not a path)
    if ((t.startsWith('Killed /') && t.includes(' due to memory ')) || (t.startsWith('Marked /') && t.includes(' for killing'))) {
      const u = parseOomd(t);
      if (u) { this.userspaceKill(l, u, out); return true; }
    }
    if (this.witnesses && t.length > 20) {
      if (t.includes('The node was low on resource') || t.includes('System OOM encountered')) return this.kubeletLine(l, out);
      if (t.startsWith('container oom ') || t.includes(' container oom ') || t.includes('TaskOOM event ')) {
        const w = parseContainerRecord(t);
        if (w) { this.witnessRecord(l, w, out); return true; }
      }
    }
    return false;
  }

  private earlyoomLine(l: LogLine, identified: boolean, out: OomEvent[]): boolean {
    const t = l.text;
    // main.c: "low memory! at or below SIGTERM limits: mem %5.2lf%%, swap %5.2lf%%" (v1.3+), "Low memory! At or below ..." (v1.2),
    // "Out of memory! avail: ..." (v1.0-1.1, only with the ident): the trigger of the kill that follows
    if (t.startsWith('low memory! ') || t.startsWith('Low memory! ') || (identified && t.startsWith('Out of memory! '))) {
      this.earlyoomReason = t.slice(0, 200);
      return true;
    }
    const u = parseEarlyoom(t, identified);
    if (u) {
      u.reason = this.earlyoomReason;
      this.earlyoomReason = null;
      this.lastEarlyoom = this.userspaceKill(l, u, out);
      return true;
    }
    const f = parseEarlyoomFollowUp(l.text);
    const ev = this.lastEarlyoom;
    if (!f || !ev || !ev.userspace) return false;
    // only while the event may still change (see REAPER_LOOKBEHIND), and only for its own pid when the line names one
    if (!this.lookBehind.includes(ev)) { this.lastEarlyoom = undefined; return false; }
    if (f.pid !== null && ev.victim && f.pid !== ev.victim.pid) return false;
    const us = ev.userspace;
    if (f.escalated_after_sec !== undefined) { us.escalated_after_sec = f.escalated_after_sec; us.signal = 'SIGKILL'; }
    if (f.outcome !== undefined) { us.outcome = f.outcome; us.outcome_after_sec = f.outcome_after_sec ?? null; }
    if (f.mrelease !== undefined) us.mrelease = f.mrelease;
    return true;
  }

  /** Facebook oomd: "Trying to kill CGROUP" opens the kill, "Killed N: pid(comm)..." names its processes. */
  private fbOomdLine(l: LogLine, text: string, out: OomEvent[]): boolean {
    const f = parseFbOomd(text);
    if (!f) return false;
    if (f.kind === 'kill') {
      this.lastFbOomd = this.userspaceKill(l, f.kill, out);
      return true;
    }
    const first = f.pids[0];
    let ev = this.lastFbOomd;
    if (!ev || !ev.userspace || ev.victim !== null || !this.lookBehind.includes(ev)) {
      // a "Killed" line alone (its "Trying to kill" was lost): a kill of its first pid
      const u: UserspaceKill = { killer: 'oomd', pid: null, comm: null, uid: null, signal: 'SIGKILL', badness: null, oom_score: null, vm_rss_kb: null, cgroup: null, reason: null };
      ev = this.userspaceKill(l, u, out);
    }
    this.lastFbOomd = undefined;
    if (first && ev.userspace) {
      ev.victim = { pid: first.pid, comm: first.comm ?? '', uid: null, total_vm_kb: null, anon_rss_kb: null, file_rss_kb: null, shmem_rss_kb: null, pgtables_kb: null, oom_score_adj: null, rss_kb: null, reaped: null };
      ev.userspace.outcome = f.killed === f.pids.length ? `killed ${f.killed} process(es)` : `killed ${f.killed} of ${f.pids.length} process(es)`;
    }
    return true;
  }

  private nohangLine(l: LogLine, out: OomEvent[]): boolean {
    const n = parseNohangLine(l.text);
    if (!n) return false;
    if (n.kind === 'threshold') {
      // "Memory status that requires corrective actions:" starts the list, each threshold line adds to it
      this.nohangReason = n.reason === '' || !this.nohangReason ? n.reason : `${this.nohangReason}; ${n.reason}`.slice(0, 400);
      return true;
    }
    if (n.kind === 'victim-status') {
      const ev = emptyEvent(l, 'nohang', this.lineNo);
      ev.userspace = { killer: 'nohang', signal: null, badness: null, oom_score: null, vm_rss_kb: null, cgroup: null, reason: this.nohangReason };
      this.nohangReason = null;
      this.nohangPending = ev;
      return true;
    }
    if (n.kind === 'outcome') {
      const last = this.lastNohang;
      if (!last || !last.userspace || !this.lookBehind.includes(last)) return false;
      last.userspace.outcome = n.outcome;
      last.userspace.outcome_after_sec = n.after_sec;
      return true;
    }
    const ev = this.nohangPending;
    if (!ev || !ev.userspace) return false;
    const us = ev.userspace;
    switch (n.kind) {
      case 'pid':
        ev.victim = { pid: n.pid, comm: n.comm, uid: n.uid, total_vm_kb: null, anon_rss_kb: null, file_rss_kb: null, shmem_rss_kb: null, pgtables_kb: null, oom_score_adj: null, rss_kb: null, reaped: null };
        break;
      case 'badness':
        us.badness = n.badness; us.oom_score = n.oom_score; us.oom_score_adj = n.oom_score_adj;
        if (ev.victim) ev.victim.oom_score_adj = n.oom_score_adj;
        break;
      case 'rss':
        us.vm_rss_kb = n.vm_rss_kb;
        if (ev.victim) ev.victim.rss_kb = n.vm_rss_kb;
        break;
      case 'cgroup_v2': if (n.path !== '' && n.path !== 'None') { us.cgroup = n.path; ev.task_memcg = n.path; } break;
      case 'cgroup_v1': if (us.cgroup === null && n.path !== '' && n.path !== 'None') { us.cgroup = n.path; ev.task_memcg = n.path; } break;
      case 'sending':
        us.signal = n.signal;
        this.nohangPending = undefined;
        if (!ev.victim) return true;
        ev.scope = 'global';
        this.lastNohang = ev;
        this.handOut(ev, out);
        break;
    }
    return true;
  }

  private kubeletLine(l: LogLine, out: OomEvent[]): boolean {
    const k = parseKubelet(l.text);
    if (!k) return false;
    if ('eviction' in k) this.userspaceKill(l, k.eviction, out);
    else this.witnessRecord(l, k.witness, out);
    return true;
  }

  private userspaceKill(l: LogLine, u: UserspaceKill, out: OomEvent[]): OomEvent {
    const ev = emptyEvent(l, u.killer, this.lineNo);
    const { pid, comm, uid, ...rest } = u;
    ev.victim = pid === null ? null : {
      pid, comm: comm ?? '', uid, total_vm_kb: null, anon_rss_kb: null, file_rss_kb: null, shmem_rss_kb: null, pgtables_kb: null, oom_score_adj: u.oom_score_adj ?? null, rss_kb: u.vm_rss_kb, reaped: null,
    };
    ev.userspace = rest;
    ev.task_memcg = u.cgroup;
    ev.scope = u.cgroup !== null ? 'memcg' : 'global';
    this.handOut(ev, out);
    return ev;
  }

  private witnessRecord(l: LogLine, w: WitnessRecord, out: OomEvent[]): void {
    const ev = emptyEvent(l, w.says_killer === 'systemd-oomd' ? 'systemd-oomd' : 'kernel', this.lineNo);
    ev.witness = w;
    if (w.pid !== null) ev.victim = { pid: w.pid, comm: w.comm ?? '', uid: null, total_vm_kb: null, anon_rss_kb: null, file_rss_kb: null, shmem_rss_kb: null, pgtables_kb: null, oom_score_adj: null, rss_kb: null, reaped: null };
    this.handOut(ev, out);
  }

  // Long (~88 lines): the dispatch over every kernel message kind, one case each; being reworked on the events branch.
  private kernelMessage(l: LogLine, text: string, out: OomEvent[]): void {
    const ev0 = this.current;
    const c0 = text.charCodeAt(0);
    // Task table rows are the bulk of a report: fast path first.
    if (ev0 && this.columns && c0 === 91 /* [ */) {
      const row = parseRowFast(text, this.slots);
      if (row) {
        const t = ev0.table as NonNullable<OomEvent['table']>;
        if (t.rows.length < this.maxRows) t.rows.push(row);
        else t.truncated = true;
        return;
      }
    }
    // parseHeader() reads a header whose " invoked oom-killer:" starts within the first 64 characters:
    // look only there (a bounded backward search), not along the whole line.
    if (text.lastIndexOf(' invoked oom-killer:', 64) >= 0) {
      const h = parseHeader(text);
      if (h) {
        const ev = this.open(l, out);
        ev.trigger = { comm: h.comm, pid: null, gfp_mask: h.gfp_mask, order: h.order, oom_score_adj: h.oom_score_adj, oom_adj: h.oom_adj };
        return;
      }
    }
    const ev = this.current;
    if (ev) {
      if (this.reportLine(ev, text)) return;
    }
    // Every line below that starts or names a kill contains "ill" (killer, Kill, Killed, killed, oom-kill,
    // killable): one scan rules most lines out.
    const hasIll = text.indexOf('ill') >= 0;
    // Lines that may stand alone (fragments of reports, or after the report they belong to)
    if (text.startsWith('oom_reaper: ')) {
      const r = parseReapedLine(text);
      if (!r) { this.unparsed(text); return; }
      const target = (ev?.victim?.pid === r.pid || ev?.oom_group?.victims.some((v) => v.pid === r.pid)) ? ev : this.recent.get(r.pid);
      const victims = target ? [target.victim, ...(target.oom_group?.victims ?? [])] : [];
      for (const v of victims) if (v && v.pid === r.pid) v.reaped = { anon_rss_kb: r.anon_rss_kb, file_rss_kb: r.file_rss_kb, shmem_rss_kb: r.shmem_rss_kb };
      return;
    }
    if (hasIll && text.includes('Kill process ')) {
      const s = parseSelectLine(text);
      if (s) {
        const e = (ev && ev.selected === null && ev.victim === null) ? ev : this.open(l, out);
        e.selected = { pid: s.pid, comm: s.comm, score: s.score };
        e.kill_path ??= s.killer;
        return;
      }
    }
    if (hasIll && text.includes('Killed process ')) {
      const k = parseKilledLine(text);
      if (k) {
        this.killedLine(l, k, out);
        return;
      }
    }
    if (hasIll && text.startsWith('Out of memory and no killable processes')) {
      const e = ev && ev.victim === null ? ev : this.open(l, out);
      e.no_killable_process = true;
      return;
    }
    if (hasIll && text.startsWith('oom-kill:')) {
      // a summary with no header before it (a cut log): start a report
      const e = this.open(l, out);
      this.applySummary(e, text);
      return;
    }
    if (c0 === 91 && parseTableHeader(text)) {
      // a task table whose header lines were cut off: still part of an OOM report
      const e = this.open(l, out);
      this.reportLine(e, text);
      return;
    }
    if (text.startsWith('memory: usage ')) {
      const e = this.open(l, out);
      this.reportLine(e, text);
      return;
    }
    if (hasIll && text.includes(' killed as a result of limit of ')) {
      const t = parseTaskInLine(text);
      if (t) {
        const e = ev ?? this.open(l, out);
        e.task_memcg = t.task_memcg;
        e.oom_memcg = t.oom_memcg;
        return;
      }
    }
    if ((text.startsWith('Out of memory') || text.startsWith('Memory cgroup out of memory') || (hasIll && text.includes('oom-kill'))) && looksOomRelated(text)) this.unparsed(text);
  }

  private killedLine(l: LogLine, k: KilledLine, out: OomEvent[]): void {
    const ev = this.current;
    const v = toVictim(k);
    if (ev && ev.victim !== null && ev.oom_group !== null) {
      // memory.oom.group: every member is printed; the victim may be printed again
      ev.oom_group.victims.push(v);
      return;
    }
    const e = ev && ev.victim === null ? ev : this.open(l, out);
    e.victim = v;
    e.kill_path ??= k.killer;
    if (k.killer !== null && e.kill_path !== k.killer) e.kill_path = k.killer;
  }

  private applySummary(ev: OomEvent, text: string): void {
    const s = parseSummary(text);
    if (!s) { this.unparsed(text); return; }
    const str = (k: string): string | null => (typeof s[k] === 'string' ? (s[k] as string) : null);
    ev.constraint = str('constraint');
    ev.nodemask = str('nodemask');
    ev.cpuset = str('cpuset') ?? ev.cpuset;
    ev.mems_allowed = str('mems_allowed') ?? ev.mems_allowed;
    ev.oom_memcg = str('oom_memcg') ?? ev.oom_memcg;
    ev.task_memcg = str('task_memcg') ?? ev.task_memcg;
    if (s.global_oom === true) ev.scope = 'global';
  }

  /** A line inside an open report; true when consumed. Dispatches on the first character: most lines of a report (call trace, registers, stats) match nothing. */
  private reportLine(ev: OomEvent, text: string): boolean {
    const c0 = text.charCodeAt(0);
    if (c0 === 32 || c0 === 63 /* ? */ || c0 === 60 /* < */ || c0 === 82 /* R */) return false;
    if (c0 === 91 /* [ */) {
      const cols = parseTableHeader(text);
      if (cols) {
        this.columns = cols;
        this.slots = rowSlots(cols);
        ev.table = { columns: cols.slice(), rows: [], truncated: false };
        return true;
      }
      return false;
    }
    if (text.startsWith('oom-kill:')) {
      if (ev.constraint !== null || ev.victim !== null) return false; // a new report whose header was lost
      this.columns = undefined;
      this.applySummary(ev, text);
      return true;
    }
    if (text.startsWith('CPU: ') || text.startsWith('Pid: ')) {
      const c = parseCpuLine(text);
      if (c && ev.trigger && ev.trigger.pid === null) {
        ev.trigger.pid = c.pid;
        ev.kernel_release = c.release;
        return true;
      }
      return false;
    }
    // "comm cpuset=... mems_allowed=..." follows the header directly
    if (ev.cpuset === null && ev.table === null && ev.victim === null && text.length < 400 && text.includes(' cpuset=') && text.includes(' mems_allowed=')) {
      const c = parseCpusetLine(text);
      if (c) {
        ev.cpuset = c.cpuset;
        ev.mems_allowed = c.mems_allowed;
        return true;
      }
    }
    if ((c0 === 109 /* m */ || c0 === 115 /* s */ || c0 === 107 /* k */) && text.includes(': usage ')) {
      const c = parseCounterLine(text);
      if (c) {
        const m = this.memcg(ev);
        if (c.which === 'memory') { m.usage_kb = c.usage_kb; m.limit_kb = c.limit_kb; m.failcnt = c.failcnt; }
        else if (c.which === 'memory+swap') { m.memsw_usage_kb = c.usage_kb; m.memsw_limit_kb = c.limit_kb; m.cgroup_version = 1; }
        else if (c.which === 'swap') { m.swap_usage_kb = c.usage_kb; m.swap_limit_kb = c.limit_kb; m.cgroup_version = 2; }
        else m.kmem_usage_kb = c.usage_kb;
        return true;
      }
    }
    if (text.startsWith('Memory cgroup stats for ')) {
      const colon = text.indexOf(':', 24);
      this.memcg(ev).stats_for = text.slice(24, colon < 0 ? undefined : colon);
      return true;
    }
    const g = c0 === 84 /* T */ ? parseOomGroupLine(text) : undefined;
    if (g !== undefined) {
      ev.oom_group = { cgroup: g, victims: [] };
      return true;
    }
    if (!(c0 >= 48 && c0 <= 57) && c0 !== 84 && c0 !== 70 /* F */) return false;
    const mi = parseMemInfoTotal(text);
    if (mi && Number.isFinite(mi[1])) {
      ev.meminfo ??= { ram_pages: null, reserved_pages: null, highmem_pages: null, total_swap_kb: null, free_swap_kb: null };
      (ev.meminfo as Record<string, number | null>)[mi[0]] = mi[1];
      return true;
    }
    return false;
  }

  /** Call at end of input: returns the report still open. */
  end(): OomEvent[] {
    const out: OomEvent[] = [];
    this.finish(out);
    return out;
  }

  /** For --follow: a report whose victim is known is complete enough to show after a quiet period. */
  flushIfVictim(): OomEvent[] {
    const out: OomEvent[] = [];
    if (this.current && (this.current.victim !== null || this.current.no_killable_process)) this.finish(out);
    return out;
  }
}

/**
 * Splits text chunks into lines in constant memory: a line longer than
 * maxLine is cut there and the rest of it discarded (counted in `cut`).
 */
export class LineSplitter {
  private carry = '';
  private skipping = false;
  cut = 0;

  constructor(private readonly maxLine = DEFAULT_MAX_LINE) {}

  push(chunk: string, onLine: (line: string) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.carry.length > 0) {
        const line = this.carry + chunk.slice(start, Math.min(nl, start + this.maxLine));
        this.carry = '';
        onLine(line.length > this.maxLine ? line.slice(0, this.maxLine) : line);
      } else {
        onLine(nl - start > this.maxLine ? chunk.slice(start, start + this.maxLine) : chunk.slice(start, nl));
      }
      start = nl + 1;
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.slice(start);
      if (this.carry.length + rest.length > this.maxLine) {
        onLine((this.carry + rest).slice(0, this.maxLine));
        this.carry = '';
        this.skipping = true;
        this.cut++;
      } else {
        this.carry += rest;
      }
    }
  }

  end(onLine: (line: string) => void): void {
    if (this.carry.length > 0 && !this.skipping) onLine(this.carry);
    this.carry = '';
    this.skipping = false;
  }
}

/** Parses a whole text (tests, small inputs). */
export function parseKernelLog(text: string, opts: ParserOptions = {}): { events: OomEvent[]; parser: KernelLogParser } {
  const parser = new KernelLogParser(opts);
  const events: OomEvent[] = [];
  const split = new LineSplitter(opts.maxLineLength);
  split.push(text, (line) => { for (const e of parser.push(line)) events.push(e); });
  split.end((line) => { for (const e of parser.push(line)) events.push(e); });
  events.push(...parser.end());
  return { events, parser };
}
