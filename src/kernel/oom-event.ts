// The post-mortem of one OOM kill: the task table the kernel printed, ranked
// again with the kernel's own rule (badness.ts, rank.ts) against the scope's
// totalpages, to say who was next in line, by how much, what oom_score_adj
// would have spared the victim, and when the recomputed rank 1 is not the
// process that died, the likely reason. Pure: input is a parsed event.

import type { OomEvent, TaskRow } from '../parse/kernel-log/parser.js';
import { computeAdjThresholds } from './adjust.js';
import { computeBadness, type TaskMemory } from './badness.js';
import { parseKernelRelease, scoreEraOf, tieRuleOf, type KernelModel } from './era.js';
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

/** Without a release line, the table's columns date the kernel closely enough. */
function modelFromColumns(columns: readonly string[]): KernelModel {
  // rss_anon/rss_file/rss_shmem columns: v6.x ("mm/oom_kill: dump_tasks() shows rss split", 6.1+)
  if (columns.includes('rss_anon')) return modelOf('6.1') as KernelModel;
  // pgtables_bytes: v4.15+ (mm: account pud page tables)
  if (columns.includes('pgtables_bytes')) return modelOf('4.19') as KernelModel;
  return modelOf('3.10') as KernelModel;
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

export function analyzeOomEvent(ev: OomEvent): EventAnalysis | undefined {
  const table = ev.table;
  if (!table || table.rows.length === 0) return undefined;
  const { pageSize, basis: pageSizeBasis } = inferPageSize(ev);
  const fromRelease = ev.kernel_release ? modelOf(ev.kernel_release) : undefined;
  const model = fromRelease ?? modelFromColumns(table.columns);
  const tasks = table.rows.map((r, i) => rowToTask(r, i, pageSize));
  const { totalpages, basis } = totalpagesOf(ev, pageSize, tasks);
  const ranked = rankVictims(tasks, totalpages, totalpages, pageSize, model);
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
