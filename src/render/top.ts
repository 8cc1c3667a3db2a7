// Human and JSON renderings of `oomctl top`.

import type { ChalkInstance } from 'chalk';
import type { TopResult, TopRow } from '../core/top-result.js';
import type { Prediction } from '../core/prediction.js';
import { formatBytes, formatKbCompact, formatPercent } from './format.js';
import { escapeUntrusted, shownComm } from './sanitize.js';
import { kernelJson, memoryJson, processJson, scopeJson } from './snapshot-json.js';
import { alignRow, columnWidths, type Align } from './columns.js';
import { OVERCOMMIT_MODE_NAMES } from '../kernel/sysctl-catalogue.js';
import { partialViewJson, partialViewText, unknownVictimText } from './partial-view.js';
import { renderOwnerLabel } from './owner.js';
import { isRunning, killerHeaderLines, killerJson, killerSection, triggersOf } from './killers.js';
import type { OwnerRow } from '../kernel/owner-rank.js';
import type { RankedTask } from '../kernel/rank.js';
import type { ProcessCandidate } from '../core/prediction.js';

export function topJson(r: TopResult) {
  const p = r.prediction;
  return {
    kernel: kernelJson(p),
    scope: scopeJson(p),
    memory: memoryJson(p),
    sysctl: p.sysctl,
    processes_in_scope: r.totalInScope,
    killable_in_scope: r.killableInScope,
    partial_view: partialViewJson(p),
    processes: r.rows.map((row) => ({ ...processJson(row.ranked, p), owner: r.owners.byPid.get(row.ranked.task.pid)?.owner ?? null })),
    ...(r.byOwner ? { by: r.byOwner.by, owners: r.byOwner.rows.map((o, i) => ownerRowJson(o, i, r.byOwner?.worst.get(o.worstPid), r.byOwner?.groupSize.get(o.worstPid))) } : {}),
    ...(r.killers ? { killers: { ...killerJson(r.killers), order: triggersOf(r.killers, p).map((t) => ({ killer: t.killer, to_go_bytes: t.toGoBytes, triggered: t.triggered, running: isRunning(t, r.killers as NonNullable<typeof r.killers>) })) } } : {}),
  };
}

function ownerRowJson(o: OwnerRow, i: number, worst: RankedTask<ProcessCandidate> | undefined, groupSize: number | undefined) {
  return {
    position: i + 1,
    key: o.key,
    owner: o.owner,
    processes: o.processes,
    memory_kb: o.memoryKb,
    worst: { pid: o.worstPid, comm: worst?.task.record.comm ?? null, rank: o.worstRank, oom_score: worst?.task.record.oomScore ?? null },
    group_kill: o.groupKill,
    group_kill_processes: o.groupKill ? groupSize ?? null : null,
  };
}

/** The OWNER cell: its label, "-" for none (kernel threads, the root cgroup), "?" when /proc/PID/cgroup was unreadable. */
export function ownerCell(owners: TopResult['owners'] | undefined, pid: number): string {
  const o = owners?.byPid.get(pid);
  return o === undefined ? '?' : renderOwnerLabel(o.owner);
}

const OVERCOMMIT_MODES = OVERCOMMIT_MODE_NAMES;

const UNKILLABLE_NOTE: Record<string, string> = {
  init: 'init',
  'kernel-thread': 'kthread',
  'no-memory': 'no mm',
  'oom-score-adj-min': 'adj -1000',
};

export function scopeLine(p: Prediction): string {
  const tpBytes = p.scope.totalpages * BigInt(p.pageSize);
  if (p.scope.kind === 'global') {
    return `scope: whole machine, totalpages ${p.scope.totalpages} (${formatBytes(tpBytes)}: RAM + swap)`;
  }
  const m = p.scope.memcg;
  const usage = m?.usageBytes !== undefined ? `, usage ${formatBytes(m.usageBytes)}` : '';
  return `scope: memory cgroup ${escapeUntrusted(m?.path ?? '?')} (v${m?.version}), totalpages ${p.scope.totalpages} (${formatBytes(tpBytes)}: limit + usable swap${usage})`;
}

/** kB from /proc/meminfo in words; "?" when the line is missing. Shared with the live screen's header. */
export function kbText(n: number | undefined): string {
  return n === undefined ? '?' : formatBytes(n * 1024);
}

/** The PSI memory avg10 fragment of both headers. */
export function psiText(p: Prediction): string {
  const psi = p.pressure;
  return psi ? `PSI memory avg10: some ${psi.some?.avg10.toFixed(2) ?? '?'}%, full ${psi.full?.avg10.toFixed(2) ?? '?'}%` : 'PSI: not available';
}

export function headerLines(p: Prediction): string[] {
  const kb = kbText;
  const mi = p.meminfo;
  const lines: string[] = [];
  lines.push(`kernel ${escapeUntrusted(p.kernel.release)}, oom_score rules ${p.kernel.era}, page size ${formatBytes(p.pageSize)}`);
  lines.push(`Mem: ${kb(mi.memTotalKb)} total, ${kb(mi.memAvailableKb)} available   Swap: ${kb(mi.swapTotalKb)} total, ${kb(mi.swapFreeKb)} free`);
  const mode = p.sysctl['vm.overcommit_memory'];
  const modeText = mode === null || mode === undefined ? '?' : `${mode} (${OVERCOMMIT_MODES[mode] ?? 'unknown'})`;
  if (mi.committedAsKb !== undefined && mi.commitLimitKb !== undefined) {
    const pct = mi.commitLimitKb > 0 ? ` (${formatPercent(mi.committedAsKb / mi.commitLimitKb)})` : '';
    lines.push(`Commit: Committed_AS ${kb(mi.committedAsKb)} of CommitLimit ${kb(mi.commitLimitKb)}${pct}, vm.overcommit_memory=${modeText}`);
  }
  const v = (k: string): string => String(p.sysctl[k] ?? '?');
  lines.push(`${psiText(p)}   vm.panic_on_oom=${v('vm.panic_on_oom')} kernel.panic=${v('kernel.panic')} vm.oom_kill_allocating_task=${v('vm.oom_kill_allocating_task')}`);
  lines.push(scopeLine(p));
  return lines;
}

export function renderTopHuman(r: TopResult, chalk: ChalkInstance, withNote: boolean): string {
  const p = r.prediction;
  const out = headerLines(p);
  if (r.killers) out.push(...killerHeaderLines(r.killers, p));
  const nv = r.nextVictim;
  if (p.partial) {
    out.push(chalk.bold(unknownVictimText()));
    out.push(partialViewText(p.partial));
  } else if (nv) {
    out.push(chalk.bold(`next victim: pid ${nv.task.pid} (${escapeUntrusted(nv.task.record.comm)}), ${formatPercent(Number(nv.badness.points) / Number(p.scope.totalpages))} of totalpages`));
  } else {
    out.push(chalk.bold('next victim: none (no killable process in scope)'));
  }
  out.push('');
  if (r.killers && r.killers.shown !== 'kernel') {
    out.push(...killerSection(r.killers, p));
    return out.join('\n') + '\n';
  }
  if (r.byOwner) {
    out.push(...renderOwnerTable(r));
    return out.join('\n') + '\n';
  }
  const head = ['RANK', 'PID', 'USER', 'COMM', 'OOM', 'OOMADJ', 'RSS', 'SWAP', '%TOTAL'];
  const align: Align[] = ['right', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right'];
  if (withNote) { head.push('NOTE'); align.push('left'); }
  head.push('OWNER'); align.push('left');
  const rows = r.rows.map((row) => [...rowCells(row, withNote), ownerCell(r.owners, row.ranked.task.pid)]);
  const widths = columnWidths(head, rows);
  out.push(alignRow(head, widths, align));
  r.rows.forEach((row, i) => out.push(styleRow(row, chalk)(alignRow(rows[i] as string[], widths, align))));
  const shown = r.rows.length;
  const total = withNote ? r.totalInScope : r.killableInScope;
  if (shown < total) out.push(chalk.dim(`(${shown} of ${total} shown; -n 0 shows all)`));
  return out.join('\n') + '\n';
}

/** The colour of a whole row: next victim, protected, never killed. */
export function styleRow(row: TopRow, chalk: ChalkInstance): (line: string) => string {
  if (row.ranked.rank === 1) return (l) => chalk.red.bold(l);
  if (row.ranked.rank === null) return (l) => chalk.dim(l);
  if (row.ranked.task.oomScoreAdj < 0) return (l) => chalk.green(l);
  return (l) => l;
}

export function unkillableNote(row: TopRow): string {
  if (row.ranked.task.transient === true) return 'oomctl itself, not ranked';
  return row.ranked.badness.unkillable ? UNKILLABLE_NOTE[row.ranked.badness.unkillable] ?? '' : row.ranked.task.oomScoreAdj < 0 ? 'protected' : '';
}

function rowCells(row: TopRow, withNote: boolean): string[] {
  const t = row.ranked.task;
  const rssKb = t.rssAnonKb + t.rssFileKb + t.rssShmemKb;
  const score = t.record.oomScore;
  const cells = [
    row.ranked.rank === null ? '-' : String(row.ranked.rank),
    String(t.pid),
    escapeUntrusted(t.user ?? String(t.record.uid ?? '?')),
    shownComm(t),
    score === undefined ? '?' : String(score),
    String(t.oomScoreAdj),
    formatKbCompact(rssKb),
    formatKbCompact(t.swapKb),
    row.ranked.rank === null ? '-' : formatPercent(row.share),
  ];
  if (withNote) cells.push(unkillableNote(row));
  return cells;
}

export const OWNER_HEAD = ['RANK', 'PROCS', 'MEMORY', 'WORST', 'COMM', 'OOM', 'OWNER'];
export const OWNER_ALIGN: Align[] = ['right', 'right', 'right', 'right', 'left', 'right', 'left'];

/** One --by row: the owner's best rank (its worst process), its processes and memory, and the group kill. */
export function ownerRowCells(o: OwnerRow, worst: RankedTask<ProcessCandidate> | undefined, groupSize?: number): string[] {
  const group = o.groupKill ? ` [group kill: memory.oom.group=1, ${groupSize === undefined ? 'its cgroup' : `${groupSize} process${groupSize === 1 ? '' : 'es'} of its cgroup`} die${groupSize === 1 ? 's' : ''} with it]` : '';
  const score = worst?.task.record.oomScore;
  return [
    o.worstRank === null ? '-' : String(o.worstRank),
    String(o.processes),
    formatKbCompact(o.memoryKb),
    String(o.worstPid),
    worst ? escapeUntrusted(worst.task.record.comm) : '?',
    score === undefined ? '?' : String(score),
    renderOwnerLabel({ ...o.owner, oom_group: null }) + group,
  ];
}

function renderOwnerTable(r: TopResult): string[] {
  const b = r.byOwner;
  if (!b) return [];
  const out: string[] = [];
  if (b.rows.length === 0) {
    out.push(`no process in scope belongs to a ${b.by}`);
    return out;
  }
  const rows = b.rows.map((o) => ownerRowCells(o, b.worst.get(o.worstPid), b.groupSize.get(o.worstPid)));
  const widths = columnWidths(OWNER_HEAD, rows);
  out.push(alignRow(OWNER_HEAD, widths, OWNER_ALIGN));
  for (const cells of rows) out.push(alignRow(cells, widths, OWNER_ALIGN));
  out.push(`RANK is the kernel's rank of the owner's worst process: the kernel kills one process, so ${b.by === 'unit' ? 'a unit' : `a ${b.by}`} is as exposed as that one; with memory.oom.group=1 the whole group dies with it.`);
  return out;
}
