// The live `oomctl top` screen as lines of text: pure, so that it is tested
// with plain data. Cells are escaped and cut to fixed widths first, lines are
// cut to the terminal width, and colour is put on whole lines last, so an
// escape sequence is never cut in half.

import type { ChalkInstance } from 'chalk';
import type { Changes, CgroupPressure, LiveRow, LiveSnapshot, LiveState, OomKillTrack, RowChange, Section } from '../core/live-types.js';
import { alignRow, fitColumns, padCell, truncateWithEllipsis, type Align } from './columns.js';
import { formatBytes, formatKbCompact, formatPercent } from './format.js';
import { escapeUntrusted, shownComm } from './sanitize.js';
import { partialViewText, unknownVictimText } from './partial-view.js';
import { renderForecastHeader } from './forecast-header.js';
import type { LiveForecast } from '../core/live-forecast.js';
import { OVERCOMMIT_MODE_NAMES } from '../kernel/sysctl-catalogue.js';
import type { OwnerRow } from '../kernel/owner-rank.js';
import type { RankedTask } from '../kernel/rank.js';
import type { ProcessCandidate } from '../core/prediction.js';
import { renderOwnerLabel } from './owner.js';
import { kbText, OWNER_ALIGN, OWNER_HEAD, ownerRowCells, psiText } from './top.js';
import { killerHeaderLines, killerSection } from './killers.js';
import type { KillerView } from '../core/top-result.js';

export interface FrameInput {
  snapshot: LiveSnapshot;
  state: LiveState;
  sections: Section[];
  changes: Changes;
  oom: OomKillTrack;
  /** Seconds between refreshes. */
  delay: number;
  /** At most this many rows per section (-n/--limit); undefined = all. */
  limit: number | undefined;
  /** The local time zone is the caller's business: a formatter for clock times. */
  clock: (d: Date) => string;
  /** The forecast line (core/live-forecast.ts); undefined: none. */
  forecast?: LiveForecast;
  /** The other killers (kubelet, systemd-oomd, earlyoom), when read; shown only when one runs or is configured. */
  killers?: KillerView | undefined;
}

/** undefined = batch mode: every line, no status line. */
export type FrameSize = { columns: number; rows: number } | undefined;

type Style = 'plain' | 'victim' | 'protected' | 'unkillable' | 'title' | 'heading' | 'new' | 'status' | 'dim';

interface Line {
  text: string;
  style: Style;
}

type BodyItem = { kind: 'title'; text: string } | { kind: 'row'; row: LiveRow } | { kind: 'cgroup'; cg: CgroupPressure } | { kind: 'owner'; owner: OwnerRow } | { kind: 'text'; text: string };

const SECTION_TITLES: Record<Section['kind'], string> = {
  candidates: 'kill order',
  protected: 'protected: oom_score_adj < 0 (killed only after everything above)',
  unkillable: 'never killed: init, kernel threads, oom_score_adj -1000, no memory',
};

const OVERCOMMIT = OVERCOMMIT_MODE_NAMES;

const UNKILLABLE_NOTE: Record<string, string> = { init: 'init', 'kernel-thread': 'kthread', 'no-memory': 'no mm', 'oom-score-adj-min': 'adj -1000' };

// --- header ---------------------------------------------------------------

const kb = kbText;

export function renderOomKills(t: OomKillTrack, clock: (d: Date) => string): string {
  if (t.count === undefined) return 'OOM kills: not counted by this kernel (/proc/vmstat oom_kill is v4.13+)';
  const base = `OOM kills since boot: ${t.count}`;
  if (t.latest) {
    const n = t.latest.kills === 1 ? '1 kill' : `${t.latest.kills} kills`;
    return `${base}, latest ${n} between ${clock(t.latest.after)} and ${clock(t.latest.by)}`;
  }
  if (t.count === 0) return `${base}`;
  return `${base}, latest before this view started (time unknown; oomctl events reads the kernel log)`;
}

export function headerLines(input: FrameInput): Line[] {
  const { snapshot: s, state } = input;
  const p = s.prediction;
  const mi = p.meminfo;
  const lines: Line[] = [];
  const filters: string[] = [];
  if (state.user !== undefined) filters.push(`user=${escapeUntrusted(state.user)}`);
  if (state.name !== undefined) filters.push(`name~${escapeUntrusted(state.name)}`);
  const view = state.view === 'cgroups' ? 'memory cgroups' : state.view === 'owners' ? `by ${state.by}` : `sort ${state.sort}`;
  lines.push({
    text: `oomctl top - ${input.clock(s.at)}, every ${input.delay}s, kernel ${escapeUntrusted(p.kernel.release)} (rules ${p.kernel.era}), ${view}${filters.length ? `, filter ${filters.join(' ')}` : ''}`,
    style: 'plain',
  });
  const used = mi.memAvailableKb !== undefined && mi.memTotalKb > 0 ? ` (${formatPercent(1 - mi.memAvailableKb / mi.memTotalKb)} used)` : '';
  lines.push({ text: `Mem: ${kb(mi.memTotalKb)} total, ${kb(mi.memAvailableKb)} available${used}   Swap: ${kb(mi.swapTotalKb)} total, ${kb(mi.swapFreeKb)} free`, style: 'plain' });
  const commit = mi.committedAsKb !== undefined && mi.commitLimitKb !== undefined
    ? `Commit: ${kb(mi.committedAsKb)} of ${kb(mi.commitLimitKb)} CommitLimit${mi.commitLimitKb > 0 ? ` (${formatPercent(mi.committedAsKb / mi.commitLimitKb)})` : ''}`
    : 'Commit: ?';
  lines.push({ text: `${commit}   ${psiText(p)}`, style: 'plain' });
  lines.push({ text: renderOomKills(input.oom, input.clock), style: input.oom.latest ? 'victim' : 'plain' });
  const v = (k: string): string => String(p.sysctl[k] ?? '?');
  const mode = p.sysctl['vm.overcommit_memory'];
  const modeName = mode === null || mode === undefined ? '' : ` (${OVERCOMMIT[mode] ?? '?'})`;
  lines.push({
    text: `vm.panic_on_oom=${v('vm.panic_on_oom')} vm.oom_kill_allocating_task=${v('vm.oom_kill_allocating_task')} vm.overcommit_memory=${v('vm.overcommit_memory')}${modeName} vm.overcommit_ratio=${v('vm.overcommit_ratio')} vm.oom_dump_tasks=${v('vm.oom_dump_tasks')} kernel.panic=${v('kernel.panic')}`,
    style: 'plain',
  });
  if (input.forecast) lines.push({ text: renderForecastHeader(input.forecast), style: 'plain' });
  const k = input.killers;
  if (k && (k.report.kubelet || k.report.oomd || k.report.earlyoom)) {
    for (const text of killerHeaderLines(k, p)) lines.push({ text, style: 'plain' });
  }
  // top --killer oomd|earlyoom|kubelet: that killer's section under the header, as the one-shot view prints it.
  if (k && k.shown !== 'kernel') for (const text of killerSection(k, p)) lines.push({ text, style: 'plain' });
  const victim = p.ranked.find((r) => r.rank === 1);
  const killable = p.ranked.filter((r) => r.rank !== null).length;
  const guarded = p.ranked.filter((r) => r.rank !== null && r.task.oomScoreAdj < 0).length;
  const victimText = p.partial ? unknownVictimText() : victim
    ? `next victim: pid ${victim.task.pid} (${escapeUntrusted(victim.task.record.comm)}), ${formatPercent(Number(victim.badness.points) / Number(p.scope.totalpages))} of totalpages`
    : 'next victim: none (no killable process)';
  const ch = input.changes;
  const changes = ch.compared ? `; since last refresh: ${ch.added} new, ${ch.gone} gone, ${ch.moved} moved` : '';
  lines.push({ text: `${victimText}; ${p.ranked.length} processes, ${killable} killable (${guarded} protected)${changes}`, style: 'title' });
  if (p.partial) lines.push({ text: partialViewText(p.partial), style: 'victim' });
  return lines;
}

// --- process table ---------------------------------------------------------------

const HEAD = ['', 'RANK', 'PID', 'USER', 'COMM', 'OOM', 'OOMADJ', 'RSS', 'SWAP', '%TOTAL', 'OWNER', 'CHANGE'];
const WIDTHS = [1, 5, 7, 8, 16, 4, 6, 6, 6, 6, 28, 9];
const ALIGN: Align[] = ['left', 'right', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'];
/**
 * On a narrow terminal the table gives up whole columns, first OWNER, then CHANGE, SWAP, USER, OOMADJ, RSS
 * (94 columns hold all but OWNER, 124 all).
 */
const DROP_ORDER = [10, 11, 8, 3, 6, 7];

function pick<T>(values: readonly T[], kept: readonly number[]): T[] {
  return kept.map((i) => values[i] as T);
}

/** A name cut to its column, marked with "…" when cut. */
function cut(text: string, width: number): string {
  return truncateWithEllipsis(text, width);
}

export function changeText(change: RowChange | undefined): string {
  if (!change) return '';
  if (change.kind === 'new') return 'new';
  return change.by > 0 ? `up ${change.by}` : `down ${-change.by}`;
}

export function processCells(row: LiveRow, changes: Changes, owners?: LiveSnapshot['rowOwners']): string[] {
  const t = row.ranked.task;
  const rank = row.ranked.rank;
  const user = escapeUntrusted(t.user ?? String(t.record.uid ?? '?'));
  const score = t.record.oomScore;
  const note = t.transient === true ? 'oomctl' : row.ranked.badness.unkillable ? UNKILLABLE_NOTE[row.ranked.badness.unkillable] ?? '' : '';
  return [
    rank === 1 ? '>' : row.atOom ? '*' : '',
    rank === null ? '-' : String(rank),
    String(t.pid),
    user.length > 8 ? cut(user, 7) + '+' : user,
    cut(shownComm(t), 16),
    score === undefined ? '?' : String(score),
    String(t.oomScoreAdj),
    formatKbCompact(t.rssAnonKb + t.rssFileKb + t.rssShmemKb),
    formatKbCompact(t.swapKb),
    rank === null ? note || '-' : formatPercent(row.share),
    cut(ownerText(owners, t.pid), 28),
    changeText(changes.rows.get(row.key)),
  ];
}

/** "-" for no owner (kernel threads, the root cgroup), "?" when not read or unreadable; escaped by renderOwnerLabel(). */
function ownerText(owners: LiveSnapshot['rowOwners'] | undefined, pid: number): string {
  const o = owners?.get(pid);
  return o === undefined ? '?' : renderOwnerLabel(o.owner);
}

function processLine(row: LiveRow, changes: Changes, kept: readonly number[], owners: LiveSnapshot['rowOwners']): Line {
  const text = alignRow(pick(processCells(row, changes, owners), kept), pick(WIDTHS, kept), pick(ALIGN, kept));
  const r = row.ranked;
  const style: Style = r.rank === 1 ? 'victim' : r.rank === null ? 'unkillable' : r.task.oomScoreAdj < 0 ? 'protected' : changes.rows.get(row.key)?.kind === 'new' ? 'new' : 'plain';
  return { text, style };
}

// --- cgroup table --------------------------------------------------------------------

const CG_HEAD = ['USED', 'USAGE', 'LIMIT', 'TASKS', 'NEXT VICTIM', 'CGROUP'];
const CG_WIDTHS = [6, 9, 9, 5, 30, 0];
const CG_ALIGN: Align[] = ['right', 'right', 'right', 'right', 'left', 'left'];

function cgroupLine(cg: CgroupPressure): Line {
  const v = cg.nextVictim;
  // Only the name gives way to the column's 30: the pid and the share are never cut.
  const victim = v ? `${v.task.pid} ${cut(escapeUntrusted(v.task.record.comm), 30 - String(v.task.pid).length - formatPercent(cg.victimShare).length - 2)} ${formatPercent(cg.victimShare)}` : 'none killable';
  const text = alignRow([
    formatPercent(cg.used), formatBytes(cg.usageBytes), formatBytes(cg.limitBytes), String(cg.tasks), victim, escapeUntrusted(cg.path),
  ], CG_WIDTHS, CG_ALIGN);
  return { text, style: cg.used >= 0.9 ? 'victim' : 'plain' };
}

// --- body and layout -------------------------------------------------------------------

export function bodyItems(input: FrameInput): BodyItem[] {
  if (input.state.help) return HELP.map((text) => ({ kind: 'text', text }));
  if (input.state.view === 'owners') {
    const rows = input.snapshot.owners?.rows ?? [];
    if (rows.length === 0) return [{ kind: 'text', text: `no process belongs to a ${input.state.by} (o: next grouping)` }];
    return rows.map((owner) => ({ kind: 'owner', owner }));
  }
  if (input.state.view === 'cgroups') {
    const cgs = input.snapshot.cgroups ?? [];
    if (!input.snapshot.prediction.hierarchy) return [{ kind: 'text', text: 'no memory cgroup hierarchy is mounted' }];
    if (cgs.length === 0) return [{ kind: 'text', text: 'no memory cgroup with a limit holds a process' }];
    return cgs.map((cg) => ({ kind: 'cgroup', cg }));
  }
  const items: BodyItem[] = [];
  for (const section of input.sections) {
    if (section.rows.length === 0) continue;
    const rows = input.limit !== undefined && input.limit > 0 ? section.rows.slice(0, input.limit) : section.rows;
    const more = section.rows.length - rows.length;
    items.push({ kind: 'title', text: `-- ${SECTION_TITLES[section.kind]}: ${section.rows.length}${more > 0 ? ` (${more} not shown)` : ''}` });
    for (const row of rows) items.push({ kind: 'row', row });
  }
  if (items.length === 0) items.push({ kind: 'text', text: 'no process matches the filter (Esc clears it)' });
  return items;
}

export interface Layout {
  header: Line[];
  /** The process table's columns that fit the terminal (indices into HEAD). */
  columns: number[];
  tableHead: Line | undefined;
  items: BodyItem[];
  /** The body lines on screen. */
  visible: BodyItem[];
  /** Clamped scroll offset. */
  scroll: number;
  bodyHeight: number;
}

export function layoutFrame(input: FrameInput, size: FrameSize): Layout {
  const header = headerLines(input);
  const items = bodyItems(input);
  const columns = fitColumns(WIDTHS, DROP_ORDER, size?.columns);
  let tableHead: Line | undefined;
  if (!input.state.help) {
    tableHead = input.state.view === 'cgroups'
      ? { text: alignRow(CG_HEAD, CG_WIDTHS, CG_ALIGN), style: 'heading' }
      : input.state.view === 'owners'
        ? { text: alignRow(OWNER_HEAD, OWNER_WIDTHS, OWNER_ALIGN), style: 'heading' }
        : { text: alignRow(pick(HEAD, columns), pick(WIDTHS, columns), pick(ALIGN, columns)), style: 'heading' };
  }
  if (size === undefined) return { header, columns, tableHead, items, visible: items, scroll: 0, bodyHeight: items.length };
  // header, a blank line, the table head, the body, the status line
  const bodyHeight = Math.max(1, size.rows - header.length - 1 - (tableHead ? 1 : 0) - 1);
  const maxScroll = Math.max(0, items.length - bodyHeight);
  const scroll = Math.min(Math.max(0, input.state.scroll), maxScroll);
  return { header, columns, tableHead, items, visible: items.slice(scroll, scroll + bodyHeight), scroll, bodyHeight };
}

const OWNER_WIDTHS = [5, 5, 6, 7, 16, 4, 0];

function ownerLine(o: OwnerRow, worst: RankedTask<ProcessCandidate> | undefined, groupSize: number | undefined): Line {
  const cells = ownerRowCells(o, worst, groupSize);
  cells[4] = cut(cells[4] as string, 16);
  return { text: alignRow(cells, OWNER_WIDTHS, OWNER_ALIGN), style: o.worstRank === 1 ? 'victim' : o.worstRank === null ? 'unkillable' : 'plain' };
}

/** The worst processes of the owner rows on screen: their oom_score is read before drawing. */
export function visibleOwnerWorst(layout: Layout, snap: LiveSnapshot): RankedTask<ProcessCandidate>[] {
  const out: RankedTask<ProcessCandidate>[] = [];
  for (const it of layout.visible) {
    if (it.kind !== 'owner') continue;
    const w = snap.owners?.worst.get(it.owner.worstPid);
    if (w) out.push(w);
  }
  return out;
}

/** The rows a frame will show: their oom_score is read before drawing. */
export function visibleRows(layout: Layout): LiveRow[] {
  const out: LiveRow[] = [];
  for (const it of layout.visible) if (it.kind === 'row') out.push(it.row);
  return out;
}

export const HELP = [
  'oomctl top: the processes in the order the kernel OOM killer would take them',
  '',
  '  q, Ctrl-C      quit',
  '  ?              this help (any key leaves it)',
  '  s m a p        sort by score (kill order), memory (RSS + swap), oom_score_adj, pid',
  '  u              show one user only (name or uid; empty shows everybody)',
  '  /              show names containing a text (case-insensitive; empty shows all)',
  '  Esc            clear both filters',
  '  c              memory cgroups: which is closest to its limit, and whom its OOM kills',
  '  o              owners: one row per unit, then container, then pod (press again), ranked by',
  '                 their worst process; o after pod goes back to processes',
  '  space          refresh now',
  '  arrows, PgUp/PgDn, Home/End   scroll',
  '',
  'Marks: ">" the next victim (red); "*" the victim when memory runs out (forecast line);',
  'green: protected (oom_score_adj < 0);',
  'dim: never killed. CHANGE: new since the last refresh, or the rank moved up/down.',
  'OOM is the kernel\'s /proc/PID/oom_score; %TOTAL the badness as a share of totalpages.',
  'Start with --killer oomd|earlyoom|kubelet to show that killer\'s section under the header.',
  'Warnings (a container config that does not parse) are printed once, after the screen.',
];

function statusLine(input: FrameInput, layout: Layout): Line {
  const inp = input.state.input;
  if (inp) {
    const what = inp.kind === 'user' ? 'show user (name or uid, empty = all, Esc cancels)' : 'show names containing (empty = all, Esc cancels)';
    return { text: `${what}: ${escapeUntrusted(inp.text)}_`, style: 'status' };
  }
  const n = layout.items.length;
  const pos = n > layout.bodyHeight ? `  [${layout.scroll + 1}-${Math.min(n, layout.scroll + layout.bodyHeight)} of ${n}]` : '';
  return { text: `q quit  ? help  s/m/a/p sort  u user  / name  c cgroups  o owners  space refresh${pos}`, style: 'status' };
}

function itemLine(it: BodyItem, input: FrameInput, columns: readonly number[]): Line {
  switch (it.kind) {
    case 'title': return { text: it.text, style: 'dim' };
    case 'text': return { text: it.text, style: 'plain' };
    case 'row': return processLine(it.row, input.changes, columns, input.snapshot.rowOwners);
    case 'owner': return ownerLine(it.owner, input.snapshot.owners?.worst.get(it.owner.worstPid), input.snapshot.owners?.groupSize.get(it.owner.worstPid));
    case 'cgroup': return cgroupLine(it.cg);
  }
}

function paint(line: Line, chalk: ChalkInstance): string {
  switch (line.style) {
    case 'plain': return line.text;
    case 'victim': return chalk.red.bold(line.text);
    case 'protected': return chalk.green(line.text);
    case 'unkillable': return chalk.dim(line.text);
    case 'title': return chalk.bold(line.text);
    case 'heading': return chalk.inverse(line.text);
    case 'new': return chalk.cyan(line.text);
    case 'status': return chalk.inverse(line.text);
    case 'dim': return chalk.dim(line.text);
  }
}

/**
 * The whole frame. With a size: exactly size.rows lines (or fewer), each at
 * most size.columns wide. Without (batch): every line.
 */
export function buildFrame(input: FrameInput, size: FrameSize, chalk: ChalkInstance, layout = layoutFrame(input, size)): string[] {
  const lines: Line[] = [...layout.header, { text: '', style: 'plain' }];
  if (layout.tableHead) lines.push(layout.tableHead);
  for (const it of layout.visible) lines.push(itemLine(it, input, layout.columns));
  if (size !== undefined) {
    const status = statusLine(input, layout);
    while (lines.length < size.rows - 1) lines.push({ text: '', style: 'plain' });
    lines.push(status);
  }
  const width = size?.columns;
  return lines.slice(0, size?.rows ?? lines.length).map((l) => {
    // A line cut short ends in "…" so that what is left is not read as whole.
    let text = width === undefined ? l.text : truncateWithEllipsis(l.text, width);
    // The heading and status bars run the full width, like top's.
    if (width !== undefined && (l.style === 'heading' || l.style === 'status')) text = padCell(text, width, 'left');
    return paint({ text, style: l.style }, chalk);
  });
}
