// The post-mortem of one OOM kill: the task table the kernel printed, ranked
// again with the kernel's own rule (badness.ts, rank.ts) against the scope's
// totalpages, to say who was next in line, by how much, what oom_score_adj
// would have spared the victim, and when the recomputed rank 1 is not the
// process that died, the likely reason. Pure: input is a parsed event.

import type { OomEvent, TaskRow } from '../parse/kernel-log/parser.js';
import { computeAdjThresholds } from './adjust.js';
import { computeBadness, type TaskMemory } from './badness.js';
import { parseKernelRelease, scoreEraOf, tieRuleOf, type KernelModel, type KernelVersion } from './era.js';
import { rankVictims, type Candidate, type RankedTask } from './rank.js';
import { computeMemcgTotalpages, pageCounterMax } from './scope.js';

export interface RowCandidate extends Candidate {
  row: TaskRow;
}

export type MismatchReason =
  | 'child-sacrificed'
  | 'allocating-task'
  | 'victim-not-in-table'
  | 'table-truncated'
  | 'unknown';

export interface EventAnalysis {
  pageSize: number;
  pageSizeBasis: 'total_vm' | 'default';
  model: KernelModel;
  modelBasis: 'release' | 'table-layout';
  totalpages: bigint;
  totalpagesBasis: string;
  ranked: RankedTask<RowCandidate>[];
  victimRank: number | null;
  rankOne: RankedTask<RowCandidate> | undefined;
  /** The victim's points minus the runner-up's (victim rank 1), in pages. */
  marginPages: bigint | null;
  /** Largest oom_score_adj at which the victim would have ranked below the runner-up (null: none short of -1000). */
  adjToSpare: number | null;
  /** points * 1000 / totalpages for the victim: what "score S" printed before v4.19 (check against `selected.score`). */
  victimScore: number | null;
  mismatch: { reason: MismatchReason; detail: string } | null;
}

function modelOf(release: string): KernelModel | undefined {
  const v = parseKernelRelease(release);
  if (!v) return undefined;
  const era = scoreEraOf(v);
  if (!era) return undefined;
  return { release, version: v, era, tieRule: tieRuleOf(v) };
}

/**
 * The spans of kernels that share one scoring era and one tie rule: without a
 * release line an event is ranked only under rules every kernel that could
 * have printed it shares (docs/kernel-model.md, "Logs without a release line").
 */
const RULE_SPANS: readonly { from: string; to: string | undefined }[] = [
  { from: '2.6.36', to: '3.4' },
  { from: '3.5', to: '3.13' },
  { from: '3.14', to: '4.16' },
  { from: '4.17', to: '5.2' },
  { from: '5.3', to: '5.8' },
  { from: '5.9', to: undefined },
];

/** The releases [min, max] (max undefined: any later) that print this report: its table layout and its lines. */
export function releaseRangeOf(columns: readonly string[], hasConstraintLine: boolean): { min: KernelVersion; max: KernelVersion | undefined } {
  let min: KernelVersion = { major: 2, minor: 6, patch: 36 };
  let max: KernelVersion | undefined;
  const atLeast = (v: KernelVersion): void => { if (compareVersions(v, min) > 0) min = v; };
  const atMost = (v: KernelVersion): void => { if (max === undefined || compareVersions(v, max) < 0) max = v; };
  // mm/oom_kill.c dump_task() rss_anon/rss_file/rss_shmem columns: 6.x, certainly after v5.9
  if (columns.includes('rss_anon')) atLeast(v(5, 9));
  // mm/oom_kill.c dump_tasks() pgtables_bytes: v4.15 (af5b0f6a09e4 "mm: consolidate page table accounting")
  if (columns.includes('pgtables_bytes')) atLeast(v(4, 15));
  else if (columns.includes('nr_pmds')) { atLeast(v(4, 0)); atMost(v(4, 14)); } // dc6c9a35b66b "mm: account pmd page tables to the process", v4.0
  else if (columns.includes('nr_ptes')) atMost(v(3, 19));
  // mm/oom_kill.c dump_oom_summary() "oom-kill:constraint=...": v4.19 (ef8444ea01d7 "mm, oom: reorganize the oom report in dump_header")
  if (hasConstraintLine) atLeast(v(4, 19));
  return { min, max };
}

function v(major: number, minor: number): KernelVersion {
  return { major, minor, patch: 0 };
}

function compareVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** One model per span of identical rules the release range overlaps, oldest first. */
export function modelsForRange(range: { min: KernelVersion; max: KernelVersion | undefined }): KernelModel[] {
  const out: KernelModel[] = [];
  for (const span of RULE_SPANS) {
    const from = parseKernelRelease(span.from) as KernelVersion;
    const to = span.to === undefined ? undefined : parseKernelRelease(span.to) as KernelVersion;
    const endsBefore = to !== undefined && compareVersions({ ...to, patch: Number.MAX_SAFE_INTEGER }, range.min) < 0;
    const startsAfter = range.max !== undefined && compareVersions(from, { ...range.max, patch: Number.MAX_SAFE_INTEGER }) > 0;
    if (endsBefore || startsAfter) continue;
    // the newest release of the span that the range allows
    const release = range.max !== undefined && (to === undefined || compareVersions(range.max, to) < 0) ? `${range.max.major}.${range.max.minor}` : span.to ?? span.from;
    const model = modelOf(release);
    if (model) out.push(model);
  }
  return out;
}

function pagesToKb(pages: number | null, pageSize: number): number {
  return pages === null ? 0 : (pages * pageSize) / 1024;
}

export function rowToTask(row: TaskRow, index: number, pageSize: number): RowCandidate {
  const split = row.rss_anon_pages !== null;
  const pgtablesKb = row.pgtables_bytes !== null
    ? row.pgtables_bytes / 1024
    : pagesToKb(row.nr_ptes_pages, pageSize) + pagesToKb(row.nr_pmds_pages, pageSize);
  const t: TaskMemory = {
    pid: row.pid,
    rssAnonKb: split ? pagesToKb(row.rss_anon_pages, pageSize) : pagesToKb(row.rss_pages, pageSize),
    rssFileKb: split ? pagesToKb(row.rss_file_pages, pageSize) : 0,
    rssShmemKb: split ? pagesToKb(row.rss_shmem_pages, pageSize) : 0,
    swapKb: pagesToKb(row.swapents_pages, pageSize),
    pgtablesKb,
    oomScoreAdj: row.oom_score_adj ?? 0,
    kernelThread: false,
    // dump_tasks() prints only tasks with an mm
    hasMm: true,
    isInit: row.pid === 1,
    // the table does not say; the root bonus of eras before 4.17 is left out
    capSysAdmin: false,
  };
  // the kernel walks tasks in the order it printed them
  return { ...t, scanKey: [index], row };
}

function inferPageSize(ev: OomEvent): { pageSize: number; basis: 'total_vm' | 'default' } {
  const v = ev.victim;
  const row = v && ev.table ? ev.table.rows.find((r) => r.pid === v.pid) : undefined;
  if (v && row && v.total_vm_kb !== null && row.total_vm_pages) {
    const ps = (v.total_vm_kb * 1024) / row.total_vm_pages;
    for (const candidate of [4096, 16384, 65536, 8192]) if (Math.abs(ps - candidate) / candidate < 0.02) return { pageSize: candidate, basis: 'total_vm' };
  }
  return { pageSize: 4096, basis: 'default' };
}

const UNLIMITED_KB = 9007199254740988; // PAGE_COUNTER_MAX in kB on 64-bit, as the kernel prints "no limit"

function totalpagesOf(ev: OomEvent, pageSize: number, rows: readonly RowCandidate[]): { totalpages: bigint; basis: string } {
  const ps = BigInt(pageSize);
  const kbToPages = (kb: number): bigint => (BigInt(Math.round(kb)) * 1024n) / ps;
  const m = ev.memcg;
  if (ev.scope === 'memcg' && m && m.limit_kb !== null && m.limit_kb < UNLIMITED_KB) {
    const swapTotalKb = ev.meminfo?.total_swap_kb ?? 0;
    const limits = {
      version: (m.cgroup_version ?? 1) as 1 | 2,
      memoryMaxBytes: BigInt(m.limit_kb) * 1024n,
      swapOrMemswMaxBytes: m.cgroup_version === 2
        ? (m.swap_limit_kb === null ? undefined : m.swap_limit_kb >= UNLIMITED_KB ? 'max' as const : BigInt(m.swap_limit_kb) * 1024n)
        : (m.memsw_limit_kb === null ? undefined : m.memsw_limit_kb >= UNLIMITED_KB ? 'max' as const : BigInt(m.memsw_limit_kb) * 1024n),
      swappiness: 60,
    };
    const tp = computeMemcgTotalpages(limits, swapTotalKb, pageSize);
    return { totalpages: tp, basis: `memory cgroup limit ${m.limit_kb} kB${swapTotalKb > 0 ? ' + swap it may use' : ''} (mm/memcontrol.c mem_cgroup_get_max())` };
  }
  const mi = ev.meminfo;
  if (mi && mi.ram_pages !== null) {
    // mm/oom_kill.c constrained_alloc(): totalram_pages() + total_swap_pages; "pages RAM" includes reserved pages, so subtract them
    const ram = BigInt(mi.ram_pages - (mi.reserved_pages ?? 0));
    const swap = kbToPages(mi.total_swap_kb ?? 0);
    return { totalpages: ram + swap, basis: `Mem-Info: ${mi.ram_pages} pages RAM - ${mi.reserved_pages ?? 0} reserved + ${mi.total_swap_kb ?? 0} kB swap` };
  }
  // Nothing printed the scope's size: the sum of the table's memory is a floor.
  let sum = 0n;
  for (const r of rows) sum += computeBadness({ ...r, oomScoreAdj: 0 }, 1n, pageSize, 'v5.9+').memoryPages;
  if (ev.scope === 'memcg' && sum === 0n) return { totalpages: pageCounterMax(pageSize), basis: 'unknown (no limit printed)' };
  return { totalpages: sum > 0n ? sum : 1n, basis: 'estimated: the sum of the task table (neither a limit nor Mem-Info was printed)' };
}

/**
 * Without a release line: the ranking under each span of rules the report's
 * layout allows. Kept only when every span ranks the tasks in the same order
 * (then the newest span's numbers are shown); otherwise the log does not say
 * which rules chose the victim, and there is no recomputed ranking.
 */
function rankUnderEveryAllowedModel(ev: OomEvent, tasks: RowCandidate[], totalpages: bigint, pageSize: number): { model: KernelModel; ranked: RankedTask<RowCandidate>[] } | undefined {
  const models = modelsForRange(releaseRangeOf(ev.table?.columns ?? [], ev.constraint !== null));
  const rankings = models.map((m) => ({ model: m, ranked: rankVictims(tasks, totalpages, totalpages, pageSize, m) }));
  const orderOf = (r: RankedTask<RowCandidate>[]): string => r.map((t) => `${t.task.pid}:${t.rank ?? '-'}`).join(',');
  const newest = rankings[rankings.length - 1];
  if (!newest) return undefined;
  const order = orderOf(newest.ranked);
  return rankings.every((r) => orderOf(r.ranked) === order) ? newest : undefined;
}

export function analyzeOomEvent(ev: OomEvent): EventAnalysis | undefined {
  const table = ev.table;
  if (!table || table.rows.length === 0) return undefined;
  const { pageSize, basis: pageSizeBasis } = inferPageSize(ev);
  const fromRelease = ev.kernel_release ? modelOf(ev.kernel_release) : undefined;
  const tasks = table.rows.map((r, i) => rowToTask(r, i, pageSize));
  const { totalpages, basis } = totalpagesOf(ev, pageSize, tasks);
  const chosen = fromRelease
    ? { model: fromRelease, ranked: rankVictims(tasks, totalpages, totalpages, pageSize, fromRelease) }
    : rankUnderEveryAllowedModel(ev, tasks, totalpages, pageSize);
  if (!chosen) return undefined;
  const { model, ranked } = chosen;
  const rankOne = ranked.find((r) => r.rank === 1);
  const victimPid = ev.victim?.pid ?? ev.selected?.pid;
  const victim = victimPid === undefined ? undefined : ranked.find((r) => r.task.pid === victimPid);
  let marginPages: bigint | null = null;
  let adjToSpare: number | null = null;
  if (victim && victim.rank !== null) {
    const next = ranked.find((r) => r.rank === (victim.rank as number) + 1);
    if (next && victim.badness.points !== null && next.badness.points !== null) marginPages = victim.badness.points - next.badness.points;
    adjToSpare = computeAdjThresholds(victim, ranked, totalpages, pageSize, model).adjToDropBelowNext;
  }
  let mismatch: EventAnalysis['mismatch'] = null;
  if (victimPid !== undefined && rankOne && rankOne.task.pid !== victimPid) {
    const sel = ev.selected;
    const killed = ev.victim;
    if (sel && killed && sel.pid !== killed.pid) {
      mismatch = { reason: 'child-sacrificed', detail: `the kernel chose pid ${sel.pid} (${sel.comm}) and killed its child pid ${killed.pid} (${killed.comm}) instead (oom_kill_process() before v4.19 sacrificed a child with its own memory)` };
    } else if (ev.kill_path === 'allocating-task') {
      mismatch = { reason: 'allocating-task', detail: 'vm.oom_kill_allocating_task was set: the kernel killed the task that asked for memory, without ranking' };
    } else if (!victim) {
      mismatch = table.truncated
        ? { reason: 'table-truncated', detail: 'the task table was cut short and the victim is not in what remains' }
        : { reason: 'victim-not-in-table', detail: 'the victim is not in the printed task table (the log lost lines, or the table was rate-limited)' };
    } else {
      mismatch = { reason: 'unknown', detail: `recomputed rank 1 is pid ${rankOne.task.pid} (${rankOne.task.row.name}); the victim ranks ${victim.rank ?? 'unkillable'} (tasks exiting at the time are skipped by the kernel, and the table does not show CAP_SYS_ADMIN for eras before 4.17)` };
    }
  }
  // mm/oom_kill.c oom_kill_process() v3.5-v4.18: "score %u" = chosen_points * 1000 / totalpages
  const victimScore = victim && victim.badness.points !== null ? Number((victim.badness.points * 1000n) / totalpages) : null;
  return { pageSize, pageSizeBasis, model, modelBasis: fromRelease ? 'release' : 'table-layout', totalpages, totalpagesBasis: basis, ranked, victimRank: victim?.rank ?? null, rankOne, marginPages, adjToSpare, victimScore, mismatch };
}
