// `oomctl metrics`: the Prometheus text format for node_exporter's textfile
// collector. With --output the file is replaced atomically (a temporary
// ".NAME.oomctl-PID.tmp" in the same folder, which the collector ignores as it
// reads only *.prom, then rename), so a scrape never sees half a file.

import path from 'node:path';
import { errnoOf, NotFoundError, PermissionError, UsageError } from '../errors.js';
import { renderMetrics, type ForecastMetric, type MetricsInput, type ProcessMetric } from '../render/metrics.js';
import type { ForecastResult } from '../core/forecast-result.js';
import { parseForecastWindow } from '../core/forecast-window.js';
import { writeFileAtomic, type WriteOutcome } from '../system/atomic-write.js';
import { readOomKillCount } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { parseInteger, type CommandModule } from '../core/command.js';
import { predict } from '../core/prediction.js';

export interface MetricsOptions {
  /** Processes exported by predicted badness (0 = none). */
  top: number;
  /** --forecast-window: seconds to sample for oomctl_forecast_seconds_to_oom; undefined = no forecast. */
  forecastWindowSec?: number;
  /** --forecast-cgroup: forecast this memory cgroup (its limits and the machine's killers); else the machine. */
  forecastCgroup?: string;
}

/** Each killer's forecast as metric samples: its own limit's cgroup, else "machine"; only killers that answer for the scope. */
export function forecastMetrics(r: ForecastResult): ForecastMetric[] {
  return r.killers.filter((k) => k.counts && k.forecastable).map((k) => ({
    scope: k.watches.startsWith('memory cgroup ') ? k.watches.slice('memory cgroup '.length) : 'machine',
    killer: k.killer,
    seconds: k.seconds,
  }));
}

export function collectMetrics(ctx: CommandContext, opts: MetricsOptions): MetricsInput {
  const p = predict(ctx.root);
  const killable = p.ranked.filter((r) => r.rank !== null);
  // A partial view (hidepid) names no victim: rank="1" would say it is the next one.
  const top: ProcessMetric[] = (p.partial ? [] : killable).slice(0, opts.top).map((r) => ({
    rank: r.rank as number,
    pid: r.task.pid,
    comm: r.task.record.comm,
    user: r.task.user ?? (r.task.record.uid === undefined ? undefined : String(r.task.record.uid)),
    badnessPages: r.badness.points as bigint,
    memoryPages: r.badness.memoryPages,
    predictedOomScore: r.predictedOomScore,
    oomScoreAdj: r.task.oomScoreAdj,
  }));
  return {
    pageSize: p.pageSize,
    oomKills: readOomKillCount(ctx.root),
    sysctl: p.sysctl,
    meminfo: p.meminfo,
    pressure: p.pressure,
    killableProcesses: p.partial ? undefined : killable.length,
    viewComplete: p.partial === undefined,
    top,
  };
}

export async function runMetrics(ctx: CommandContext, opts: MetricsOptions & { selfPid?: number }): Promise<string> {
  // The forecast samples first, so the other metrics describe the end of its window.
  let forecast: MetricsInput['forecast'];
  if (opts.forecastWindowSec !== undefined) {
    const { runForecast } = await import('../core/forecast.js');
    const r = await runForecast(ctx, { cgroup: opts.forecastCgroup, windowSec: opts.forecastWindowSec, selfPid: opts.selfPid ?? 0 });
    for (const n of r.notes) ctx.warn(n);
    forecast = { windowSec: r.windowSec, samples: r.samples.length, killers: forecastMetrics(r) };
  }
  return renderMetrics({ ...collectMetrics(ctx, opts), forecast });
}

/** Writes the exposition for the textfile collector; the file should end in .prom. */
export function writeMetricsFile(file: string, text: string): WriteOutcome {
  if (file.endsWith('/') || path.basename(file) === '') throw new UsageError(`--output needs a file name, not a folder: "${file}"`);
  try {
    return writeFileAtomic(path.resolve(file), text);
  } catch (error) {
    // writeFileAtomic() wraps the errno in words; this command words a few of them its own way.
    const code = errnoOf(error instanceof Error && error.cause !== undefined ? error.cause : error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new PermissionError(`cannot write ${file}: permission denied`, 'run as a user that may write the textfile collector folder', { cause: error });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`cannot write ${file}: no folder ${path.dirname(path.resolve(file))}`);
    throw error;
  }
}

export const command: CommandModule = {
  name: 'metrics',
  summary: 'print OOM metrics in the Prometheus text format (for node_exporter\'s textfile collector)',
  configure(cmd) {
    cmd
      .option('--top <n>', 'export the N processes the OOM killer would take first (0 = none)', parseInteger('--top', 0, 1000), 10)
      .option('--output <file>', 'write atomically to FILE (e.g. /var/lib/prometheus/node-exporter/oomctl.prom) instead of stdout')
      .option('--forecast-window <seconds>', 'sample SECONDS (1 to 86400) and export oomctl_forecast_seconds_to_oom per killer (as oomctl forecast)')
      .option('--forecast-cgroup <path>', 'with --forecast-window: forecast this memory cgroup (its limits count) instead of the machine')
      .addHelpText('after', `
Examples:
  oomctl metrics
  oomctl metrics --top 5 --output /var/lib/prometheus/node-exporter/oomctl.prom
  oomctl metrics --forecast-window 30 --output /var/lib/prometheus/node-exporter/oomctl.prom`);
  },
  async run(ctx, _args, o) {
    const opts = o as { top: number; output?: string; forecastWindow?: string; forecastCgroup?: string };
    if (opts.forecastCgroup !== undefined && opts.forecastWindow === undefined) throw new UsageError('--forecast-cgroup needs --forecast-window');
    const text = await runMetrics(ctx, {
      top: opts.top, selfPid: ctx.selfPid, forecastCgroup: opts.forecastCgroup,
      forecastWindowSec: opts.forecastWindow === undefined ? undefined : parseForecastWindow('--forecast-window', opts.forecastWindow),
    });
    if (opts.output === undefined) ctx.out(text);
    else writeMetricsFile(opts.output, text);
    ctx.reportDenied();
  },
};
