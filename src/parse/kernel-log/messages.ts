// One kernel (or OOM daemon) message -> a typed record. Each function reads
// the format string of the kernel version cited; none throws, none uses a
// regular expression that can backtrack (indexOf / startsWith / anchored
// character classes on short slices only).

/** Integer at the start of s (optionally signed); NaN when none. */
export function leadingInt(s: string): number {
  let i = 0;
  if (s[0] === '-' || s[0] === '+') i = 1;
  const start = i;
  while (i < s.length && i < start + 20) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === start) return Number.NaN;
  return Number(s.slice(0, i));
}

function numOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** "key:NkB" somewhere after `from`; the number, or null. */
function fieldKb(s: string, key: string): number | null {
  const i = s.indexOf(key);
  if (i < 0) return null;
  return numOrNull(leadingInt(s.slice(i + key.length, i + key.length + 24)));
}

export interface OomHeader {
  comm: string;
  gfp_mask: string | null;
  order: number | null;
  oom_score_adj: number | null;
  /** 2.6.x-3.x print the legacy oom_adj too. */
  oom_adj: number | null;
}

const INVOKED = ' invoked oom-killer:';

/** mm/oom_kill.c dump_header(): "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd" */
export function parseHeader(text: string): OomHeader | undefined {
  const i = text.indexOf(INVOKED);
  if (i <= 0 || i > 64) return undefined;
  const rest = text.slice(i + INVOKED.length, i + INVOKED.length + 400);
  const get = (key: string): string | null => {
    const k = rest.indexOf(key);
    if (k < 0) return null;
    let end = k + key.length;
    // gfp_mask=0xcc0(GFP_KERNEL) may contain commas inside the parentheses
    let depth = 0;
    while (end < rest.length) {
      const ch = rest[end];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ',' && depth <= 0) break;
      end++;
    }
    return rest.slice(k + key.length, end).trim();
  };
  const order = get('order=');
  const adj = get('oom_score_adj=');
  const oomAdj = get(' oom_adj=');
  return {
    comm: text.slice(0, i),
    gfp_mask: get('gfp_mask='),
    order: order === null ? null : numOrNull(leadingInt(order)),
    oom_score_adj: adj === null ? null : numOrNull(leadingInt(adj)),
    oom_adj: oomAdj === null ? null : numOrNull(leadingInt(oomAdj)),
  };
}

/** "CPU: 1 UID: 0 PID: 4460 Comm: python3 Not tainted 6.18.44 #1" (v4.x+) or "Pid: 1205, comm: rsyslogd Not tainted 2.6.32 #1" (2.6.x) */
export function parseCpuLine(text: string): { pid: number | null; release: string | null } | undefined {
  let pidAt: number;
  if (text.startsWith('CPU: ')) pidAt = text.indexOf(' PID: ');
  else if (text.startsWith('Pid: ')) pidAt = -1;
  else return undefined;
  const pid = pidAt >= 0 ? leadingInt(text.slice(pidAt + 6, pidAt + 20)) : leadingInt(text.slice(5, 20));
  let release: string | null = null;
  const t = text.indexOf('ainted');
  if (t > 0) {
    // "Not tainted 5.13.0-19-generic #19" / "Tainted: G    I  ---- T 3.10.0-862.el7.x86_64 #1": the release is the first token that starts with digit.digit
    for (const tok of text.slice(t, t + 200).split(' ')) {
      if (tok.length > 2 && tok.charCodeAt(0) >= 48 && tok.charCodeAt(0) <= 57 && tok.includes('.') && tok[1] !== ':') {
        release = tok;
        break;
      }
    }
  }
  return { pid: numOrNull(pid), release };
}

/** "rsyslogd cpuset=/ mems_allowed=0" (v2.6-v4.18 cpuset_print_task_mems_allowed) */
export function parseCpusetLine(text: string): { cpuset: string; mems_allowed: string } | undefined {
  const c = text.indexOf(' cpuset=');
  if (c <= 0 || c > 64) return undefined;
  const m = text.indexOf(' mems_allowed=', c);
  if (m < 0) return undefined;
  return { cpuset: text.slice(c + 8, m), mems_allowed: text.slice(m + 14).trim() };
}

export interface CounterLine {
  which: 'memory' | 'memory+swap' | 'swap' | 'kmem';
  usage_kb: number | null;
  limit_kb: number | null;
  failcnt: number | null;
}

/** mm/memcontrol.c mem_cgroup_print_oom_meminfo(): "%s: usage %llukB, limit %llukB, failcnt %lu" */
export function parseCounterLine(text: string): CounterLine | undefined {
  const t = text.trimStart();
  let which: CounterLine['which'];
  if (t.startsWith('memory: usage ')) which = 'memory';
  else if (t.startsWith('memory+swap: usage ')) which = 'memory+swap';
  else if (t.startsWith('swap: usage ')) which = 'swap';
  else if (t.startsWith('kmem: usage ')) which = 'kmem';
  else return undefined;
  return { which, usage_kb: fieldKb(t, 'usage '), limit_kb: fieldKb(t, 'limit '), failcnt: fieldKb(t, 'failcnt ') };
}

/** "Task in /a killed as a result of limit of /b" (v3.x-v4.18, mem_cgroup_print_oom_info) */
export function parseTaskInLine(text: string): { task_memcg: string; oom_memcg: string } | undefined {
  const k = text.indexOf(' killed as a result of limit of ');
  if (k < 0) return undefined;
  let task = text.slice(0, k);
  if (task.startsWith('Task in ')) task = task.slice(8);
  return { task_memcg: task, oom_memcg: text.slice(k + 32).trim() };
}

/** "Tasks in /x are going to be killed due to memory.oom.group set" (v4.19+) */
export function parseOomGroupLine(text: string): string | undefined {
  if (!text.startsWith('Tasks in ')) return undefined;
  const k = text.indexOf(' are going to be killed due to memory.oom.group');
  if (k < 0) return undefined;
  return text.slice(9, k);
}

export type Summary = Record<string, string | true>;

const SUMMARY_KEYS = new Set(['constraint', 'nodemask', 'cpuset', 'mems_allowed', 'oom_memcg', 'task_memcg', 'task', 'pid', 'uid', 'global_oom']);

/** mm/oom_kill.c dump_oom_summary(), v5.0+: "oom-kill:constraint=...,nodemask=...,cpuset=...,mems_allowed=...,[global_oom|oom_memcg=...],task_memcg=...,task=...,pid=...,uid=..." */
export function parseSummary(text: string): Summary | undefined {
  if (!text.startsWith('oom-kill:')) return undefined;
  const out: Summary = {};
  let last: string | undefined;
  for (const piece of text.slice(9).split(',')) {
    const eq = piece.indexOf('=');
    const key = eq > 0 ? piece.slice(0, eq).trim() : piece.trim();
    if (SUMMARY_KEYS.has(key)) {
      out[key] = eq > 0 ? piece.slice(eq + 1) : true;
      last = key;
    } else if (last !== undefined && typeof out[last] === 'string') {
      // a cgroup path with a comma in it: glue it back
      out[last] = `${out[last] as string},${piece}`;
    }
  }
  return out;
}

export type KillerKind = 'global' | 'memcg' | 'allocating-task' | null;

export interface SelectLine {
  killer: KillerKind;
  pid: number;
  comm: string;
  score: number | null;
}

function killerOf(prefix: string): KillerKind {
  if (prefix.startsWith('Memory cgroup out of memory')) return 'memcg';
  if (prefix.includes('oom_kill_allocating_task')) return 'allocating-task';
  if (prefix.startsWith('Out of memory')) return 'global';
  return null;
}

/** "%s: Kill process %d (%s) score %u or sacrifice child" (v2.6.36-v4.19) */
export function parseSelectLine(text: string): SelectLine | undefined {
  const k = text.indexOf('Kill process ');
  if (k < 0 || k > 80) return undefined;
  const rest = text.slice(k + 13);
  const pid = leadingInt(rest);
  if (!Number.isFinite(pid)) return undefined;
  const open = rest.indexOf(' (');
  const sc = rest.lastIndexOf(') score ');
  if (open < 0 || sc < open) return undefined;
  return { killer: killerOf(text.slice(0, k)), pid, comm: rest.slice(open + 2, sc), score: numOrNull(leadingInt(rest.slice(sc + 8, sc + 30))) };
}

export interface KilledLine {
  killer: KillerKind;
  pid: number;
  comm: string;
  uid: number | null;
  total_vm_kb: number | null;
  anon_rss_kb: number | null;
  file_rss_kb: number | null;
  shmem_rss_kb: number | null;
  pgtables_kb: number | null;
  oom_score_adj: number | null;
}

/**
 * Every "Killed process" form:
 *   "Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB" (v2.6.36-v4.4, shmem-rss from v4.5)
 *   "Killed process %d, UID %d, (%s) total-vm:..." (RHEL 6 2.6.32)
 *   "Killed process %d (%s), UID %d, total-vm:..." (RHEL 7 3.10)
 *   "%s: Killed process %d (%s) total-vm:...kB, ..., UID:%u pgtables:%lukB oom_score_adj:%hd" (v5.1+ / v5.9+)
 */
export function parseKilledLine(text: string): KilledLine | undefined {
  const k = text.indexOf('Killed process ');
  if (k < 0 || k > 80) return undefined;
  const prefix = k > 0 ? text.slice(0, k) : '';
  if (k > 0 && !prefix.endsWith(': ')) return undefined;
  const rest = text.slice(k + 15);
  const pid = leadingInt(rest);
  if (!Number.isFinite(pid)) return undefined;
  const tv = rest.indexOf(' total-vm:');
  const head = tv >= 0 ? rest.slice(0, tv) : rest.slice(0, 300);
  let uid: number | null = null;
  const open = head.indexOf('(');
  const close = head.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const comm = head.slice(open + 1, close);
  const uidAt = head.indexOf(', UID ');
  if (uidAt >= 0 && (uidAt < open || uidAt > close)) uid = numOrNull(leadingInt(head.slice(uidAt + 6, uidAt + 20)));
  const tail = tv >= 0 ? rest.slice(tv, tv + 400) : '';
  const uidNew = tail.indexOf('UID:');
  if (uid === null && uidNew >= 0) uid = numOrNull(leadingInt(tail.slice(uidNew + 4, uidNew + 20)));
  const adjAt = tail.indexOf('oom_score_adj:');
  return {
    killer: killerOf(prefix),
    pid,
    comm,
    uid,
    total_vm_kb: fieldKb(tail, 'total-vm:'),
    anon_rss_kb: fieldKb(tail, 'anon-rss:'),
    file_rss_kb: fieldKb(tail, 'file-rss:'),
    shmem_rss_kb: fieldKb(tail, 'shmem-rss:'),
    pgtables_kb: fieldKb(tail, 'pgtables:'),
    oom_score_adj: adjAt >= 0 ? numOrNull(leadingInt(tail.slice(adjAt + 14, adjAt + 24))) : null,
  };
}

export interface ReapedLine {
  pid: number;
  comm: string;
  anon_rss_kb: number | null;
  file_rss_kb: number | null;
  shmem_rss_kb: number | null;
}

/** mm/oom_kill.c oom_reap_task_mm(), v4.6+: "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB" */
export function parseReapedLine(text: string): ReapedLine | undefined {
  if (!text.startsWith('oom_reaper: reaped process ')) return undefined;
  const rest = text.slice(27);
  const pid = leadingInt(rest);
  if (!Number.isFinite(pid)) return undefined;
  const now = rest.indexOf('), now ');
  const open = rest.indexOf(' (');
  if (open < 0 || now < open) return undefined;
  const tail = rest.slice(now);
  return { pid, comm: rest.slice(open + 2, now), anon_rss_kb: fieldKb(tail, 'anon-rss:'), file_rss_kb: fieldKb(tail, 'file-rss:'), shmem_rss_kb: fieldKb(tail, 'shmem-rss:') };
}

/** The task table's header: "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name" and its later layouts. */
export function parseTableHeader(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  const close = text.indexOf(']');
  if (close < 0 || close > 12) return undefined;
  if (text.slice(1, close).trim() !== 'pid') return undefined;
  const cols = text.slice(close + 1).trim().split(/ +/);
  if (cols.length < 4 || cols[cols.length - 1] !== 'name') return undefined;
  return ['pid', ...cols];
}

/** One row under the header: numbers for every column but the last (name, which may contain spaces). */
export function parseTableRow(text: string, columns: readonly string[]): Record<string, number | string> | undefined {
  if (text.charCodeAt(0) !== 91) return undefined;
  const close = text.indexOf(']');
  if (close < 2 || close > 16) return undefined;
  const pid = leadingInt(text.slice(1, close).trim());
  if (!Number.isFinite(pid)) return undefined;
  const row: Record<string, number | string> = { pid };
  let i = close + 1;
  const s = text;
  for (let c = 1; c < columns.length - 1; c++) {
    while (i < s.length && s.charCodeAt(i) === 32) i++;
    const start = i;
    if (s[i] === '-') i++;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === start || (i === start + 1 && s[start] === '-')) return undefined;
    row[columns[c] as string] = Number(s.slice(start, i));
  }
  if (s.charCodeAt(i) !== 32) return undefined;
  // the name is printed after exactly one space ("%5hd %s")
  row.name = s.slice(i + 1);
  return row;
}

/** Mem-Info totals: "N pages RAM", "N pages reserved", "Total swap = NkB", "Free swap  = NkB". */
export function parseMemInfoTotal(text: string): [string, number] | undefined {
  const t = text.trimStart();
  if (t.startsWith('Total swap = ')) return ['total_swap_kb', leadingInt(t.slice(13))];
  if (t.startsWith('Free swap  = ') || t.startsWith('Free swap = ')) return ['free_swap_kb', leadingInt(t.slice(t.indexOf('=') + 2))];
  const sp = t.indexOf(' ');
  if (sp <= 0) return undefined;
  const n = leadingInt(t);
  if (!Number.isFinite(n)) return undefined;
  const what = t.slice(sp + 1);
  if (what === 'pages RAM') return ['ram_pages', n];
  if (what === 'pages reserved') return ['reserved_pages', n];
  if (what === 'pages HighMem/MovableOnly') return ['highmem_pages', n];
  return undefined;
}

// The userspace killers' lines are read in userspace.ts.
