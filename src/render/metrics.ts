// The Prometheus text exposition format (version 0.0.4), as node_exporter's
// textfile collector reads it: one HELP and one TYPE line per family, then
// its samples. Units are in the names (base units: bytes, seconds, ratios),
// counters end in _total. A value the system did not provide is left out
// (no sample) rather than written as NaN, so alerts see "absent".

import type { Meminfo } from '../parse/meminfo.js';
import type { Pressure } from '../parse/pressure.js';
import { escapeUntrusted } from './sanitize.js';

export interface ProcessMetric {
  rank: number;
  pid: number;
  /** Raw comm: untrusted. */
  comm: string;
  /** User name, or the uid when it has no name; undefined when unreadable. */
  user: string | undefined;
  badnessPages: bigint;
  memoryPages: bigint;
  predictedOomScore: number;
  oomScoreAdj: number;
}

/** One killer's forecast from `metrics --forecast-window` (core/forecast.ts). */
export interface ForecastMetric {
  /** "machine", or the memory cgroup path whose own limit it is. */
  scope: string;
  killer: string;
  /** null: nothing grows toward its threshold (no sample is written). */
  seconds: number | null;
}

export interface MetricsInput {
  pageSize: number;
  /** /proc/vmstat oom_kill; undefined before v4.13. */
  oomKills: number | undefined;
  sysctl: Readonly<Record<string, number | null>>;
  meminfo: Meminfo;
  pressure: Pressure | undefined;
  /** undefined in a partial view (hidepid): the count of the visible ones would mislead. */
  killableProcesses: number | undefined;
  /** oomctl sees every process (no hidepid that hides them, none unreadable). */
  viewComplete: boolean;
  top: readonly ProcessMetric[];
  /** With --forecast-window: the window sampled and each killer's forecast. */
  forecast?: { windowSec: number; samples: number; killers: readonly ForecastMetric[] };
}

type MetricType = 'gauge' | 'counter';

interface Sample {
  labels?: ReadonlyArray<readonly [string, string]>;
  value: number | bigint;
}

/** The sysctls exported, with their metric names (kernel.panic is in seconds). */
export const SYSCTL_METRICS: ReadonlyArray<readonly [string, string, string]> = [
  ['vm.panic_on_oom', 'oomctl_sysctl_vm_panic_on_oom', 'vm.panic_on_oom: 0 kill a process, 1 panic on a system-wide OOM, 2 panic on every OOM.'],
  ['vm.overcommit_memory', 'oomctl_sysctl_vm_overcommit_memory', 'vm.overcommit_memory: 0 heuristic, 1 always overcommit, 2 strict (CommitLimit).'],
  ['vm.overcommit_ratio', 'oomctl_sysctl_vm_overcommit_ratio', 'vm.overcommit_ratio: percent of RAM counted in CommitLimit under overcommit_memory=2.'],
  ['vm.oom_kill_allocating_task', 'oomctl_sysctl_vm_oom_kill_allocating_task', 'vm.oom_kill_allocating_task: 1 kills the task that triggered the OOM instead of the worst one.'],
  ['vm.oom_dump_tasks', 'oomctl_sysctl_vm_oom_dump_tasks', 'vm.oom_dump_tasks: 1 logs the task table on each OOM kill.'],
  ['kernel.panic', 'oomctl_sysctl_kernel_panic_seconds', 'kernel.panic: seconds before rebooting after a panic (0 = never, negative = at once).'],
];

/** Label value escaping of the text format: backslash, double quote, line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaping: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

class Exposition {
  private lines: string[] = [];

  family(name: string, type: MetricType, help: string, samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const s of samples) {
      const labels = s.labels && s.labels.length > 0
        ? '{' + s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',') + '}'
        : '';
      this.lines.push(`${name}${labels} ${formatValue(s.value)}`);
    }
  }

  text(): string {
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }
}

const kb = (n: number): number => n * 1024;

/** The whole exposition, ending in a newline. */
export function renderMetrics(m: MetricsInput): string {
  const x = new Exposition();
  const mi = m.meminfo;

  if (m.oomKills !== undefined) {
    x.family('oomctl_oom_kills_total', 'counter', 'Processes killed by the OOM killer since boot (/proc/vmstat oom_kill).', [{ value: m.oomKills }]);
  }

  for (const [key, name, help] of SYSCTL_METRICS) {
    const v = m.sysctl[key];
    if (v !== null && v !== undefined) x.family(name, 'gauge', help, [{ value: v }]);
  }

  x.family('oomctl_memory_total_bytes', 'gauge', 'MemTotal from /proc/meminfo.', [{ value: kb(mi.memTotalKb) }]);
  if (mi.memAvailableKb !== undefined) x.family('oomctl_memory_available_bytes', 'gauge', 'MemAvailable from /proc/meminfo.', [{ value: kb(mi.memAvailableKb) }]);
  x.family('oomctl_swap_total_bytes', 'gauge', 'SwapTotal from /proc/meminfo.', [{ value: kb(mi.swapTotalKb) }]);
  x.family('oomctl_swap_free_bytes', 'gauge', 'SwapFree from /proc/meminfo.', [{ value: kb(mi.swapFreeKb) }]);

  if (mi.commitLimitKb !== undefined && mi.committedAsKb !== undefined) {
    x.family('oomctl_commit_limit_bytes', 'gauge', 'CommitLimit: what overcommit_memory=2 lets be committed (swap + RAM * overcommit_ratio).', [{ value: kb(mi.commitLimitKb) }]);
    x.family('oomctl_committed_bytes', 'gauge', 'Committed_AS: memory promised to processes.', [{ value: kb(mi.committedAsKb) }]);
    x.family('oomctl_commit_headroom_bytes', 'gauge', 'CommitLimit - Committed_AS; negative when more is promised than the limit.', [{ value: kb(mi.commitLimitKb - mi.committedAsKb) }]);
    if (mi.commitLimitKb > 0) {
      x.family('oomctl_commit_ratio', 'gauge', 'Committed_AS / CommitLimit (above 1: allocations fail under overcommit_memory=2).', [{ value: mi.committedAsKb / mi.commitLimitKb }]);
    }
  }

  const psi = m.pressure;
  if (psi) {
    const avg: Sample[] = [];
    const total: Sample[] = [];
    for (const kind of ['some', 'full'] as const) {
      const line = psi[kind];
      if (!line) continue;
      avg.push(
        { labels: [['kind', kind], ['window', '10s']], value: line.avg10 / 100 },
        { labels: [['kind', kind], ['window', '60s']], value: line.avg60 / 100 },
        { labels: [['kind', kind], ['window', '300s']], value: line.avg300 / 100 },
      );
      total.push({ labels: [['kind', kind]], value: line.totalUs / 1e6 });
    }
    x.family('oomctl_memory_pressure_ratio', 'gauge', 'Share of time tasks stalled on memory (/proc/pressure/memory avg10/avg60/avg300 as a ratio); kind some = at least one task, full = all non-idle tasks.', avg);
    x.family('oomctl_memory_pressure_stalled_seconds_total', 'counter', 'Total time tasks stalled on memory since boot (/proc/pressure/memory total).', total);
  }

  x.family('oomctl_page_size_bytes', 'gauge', 'Bytes per page, the unit of the *_pages metrics.', [{ value: m.pageSize }]);
  x.family('oomctl_view_complete', 'gauge', '1 when oomctl sees every process; 0 when /proc hides some (hidepid) or some could not be read: then no process or killable count is exported, since the next victim is unknown.', [{ value: m.viewComplete ? 1 : 0 }]);
  if (m.killableProcesses !== undefined) x.family('oomctl_killable_processes', 'gauge', 'Processes the OOM killer may choose (not init, kernel threads or oom_score_adj -1000).', [{ value: m.killableProcesses }]);

  const labelsOf = (p: ProcessMetric): Array<[string, string]> => [
    ['rank', String(p.rank)],
    ['pid', String(p.pid)],
    // Control characters become visible \xNN text, so a name cannot reach a
    // terminal that shows the file; then the format's own escaping.
    ['comm', escapeUntrusted(p.comm)],
    ['user', p.user ?? ''],
  ];
  const top = m.top;
  x.family('oomctl_process_badness_pages', 'gauge', 'OOM badness of the top processes in kill order (rank 1 = next victim): memory pages + oom_score_adj * totalpages / 1000.', top.map((p) => ({ labels: labelsOf(p), value: p.badnessPages })));
  x.family('oomctl_process_memory_bytes', 'gauge', 'What the OOM killer counts of the top processes: RSS + swap + page tables.', top.map((p) => ({ labels: labelsOf(p), value: p.memoryPages * BigInt(m.pageSize) })));
  x.family('oomctl_process_oom_score', 'gauge', 'The /proc/PID/oom_score oomctl predicts for the top processes (0-2000).', top.map((p) => ({ labels: labelsOf(p), value: p.predictedOomScore })));
  x.family('oomctl_process_oom_score_adj', 'gauge', 'oom_score_adj of the top processes (-1000..1000).', top.map((p) => ({ labels: labelsOf(p), value: p.oomScoreAdj })));

  const f = m.forecast;
  if (f) {
    x.family('oomctl_forecast_window_seconds', 'gauge', 'Seconds this forecast sampled (metrics --forecast-window); present even when nothing grows.', [{ value: f.windowSec }]);
    x.family('oomctl_forecast_samples', 'gauge', 'Samples the forecast fitted.', [{ value: f.samples }]);
    // Absent when nothing grows toward a killer's threshold: no made-up number, so absent() finds it.
    x.family('oomctl_forecast_seconds_to_oom', 'gauge', 'Seconds until the killer acts, from a least-squares fit over the window (oomctl forecast); absent when nothing grows toward its threshold.',
      f.killers.filter((k) => k.seconds !== null).map((k) => ({ labels: [['scope', escapeUntrusted(k.scope)], ['killer', k.killer]], value: k.seconds as number })));
  }

  return x.text();
}
