// `oomctl metrics`: the Prometheus text format for node_exporter's textfile
// collector. With --output the file is replaced atomically (a temporary
// ".NAME.oomctl-PID.tmp" in the same folder, which the collector ignores as it
// reads only *.prom, then rename), so a scrape never sees half a file.

import path from 'node:path';
import { errnoOf, NotFoundError, PermissionError, UsageError } from '../errors.js';
import { renderMetrics, type MetricsInput, type ProcessMetric } from '../render/metrics.js';
import { writeFileAtomic, type WriteOutcome } from '../system/atomic-write.js';
import { readOomKillCount } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { parseInteger, type CommandModule } from '../core/command.js';
import { predict } from '../core/prediction.js';

export interface MetricsOptions {
  /** Processes exported by predicted badness (0 = none). */
  top: number;
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

export function runMetrics(ctx: CommandContext, opts: MetricsOptions): string {
  return renderMetrics(collectMetrics(ctx, opts));
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
      .addHelpText('after', `
Examples:
  oomctl metrics
  oomctl metrics --top 5 --output /var/lib/prometheus/node-exporter/oomctl.prom`);
  },
  async run(ctx, _args, o) {
    const opts = o as { top: number; output?: string };
    const text = runMetrics(ctx, { top: opts.top });
    if (opts.output === undefined) ctx.out(text);
    else writeMetricsFile(opts.output, text);
    ctx.reportDenied();
  },
};
