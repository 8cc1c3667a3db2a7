// `oomctl top`: processes in the order the kernel would kill them.

import { UsageError } from '../errors.js';
import type { RankedTask } from '../kernel/rank.js';
import type { CommandContext } from './context.js';
import { readOomScore, readStartTime } from '../system/procfs.js';
import { predict, resolveTies, type Prediction, type ProcessCandidate } from './prediction.js';

export const TOP_SORT_KEYS = ['rank', 'score', 'pid', 'rss', 'swap', 'adj', 'comm', 'user'] as const;
export type TopSortKey = (typeof TOP_SORT_KEYS)[number];

export interface TopOptions {
  limit: number | undefined;
  sort: TopSortKey;
  user: string | undefined;
  cgroup: string | undefined;
  all: boolean;
  /** The shown rows need their start time (JSON prints it). */
  startTimes?: boolean;
}

export interface TopRow {
  ranked: RankedTask<ProcessCandidate>;
  /** Share of the scope's totalpages that the badness represents. */
  share: number;
}

export interface TopResult {
  prediction: Prediction;
  rows: TopRow[];
  /** Processes in scope before --user/--limit. */
  totalInScope: number;
  /** Killable processes in scope. */
  killableInScope: number;
  limit: number | undefined;
  nextVictim: RankedTask<ProcessCandidate> | undefined;
}

export function parseSortKey(value: string): TopSortKey {
  if ((TOP_SORT_KEYS as readonly string[]).includes(value)) return value as TopSortKey;
  throw new UsageError(`unknown sort key "${value}"`, `use one of: ${TOP_SORT_KEYS.join(', ')}`);
}

function compareBy(key: TopSortKey): (a: TopRow, b: TopRow) => number {
  const rank = (r: TopRow): number => r.ranked.rank ?? Number.MAX_SAFE_INTEGER;
  const rss = (r: TopRow): number => r.ranked.task.rssAnonKb + r.ranked.task.rssFileKb + r.ranked.task.rssShmemKb;
  switch (key) {
    case 'rank':
    case 'score':
      return (a, b) => rank(a) - rank(b);
    case 'pid':
      return (a, b) => a.ranked.task.pid - b.ranked.task.pid;
    case 'rss':
      return (a, b) => rss(b) - rss(a) || rank(a) - rank(b);
    case 'swap':
      return (a, b) => b.ranked.task.swapKb - a.ranked.task.swapKb || rank(a) - rank(b);
    case 'adj':
      return (a, b) => b.ranked.task.oomScoreAdj - a.ranked.task.oomScoreAdj || rank(a) - rank(b);
    case 'comm':
      return (a, b) => (a.ranked.task.record.comm < b.ranked.task.record.comm ? -1 : a.ranked.task.record.comm > b.ranked.task.record.comm ? 1 : rank(a) - rank(b));
    case 'user':
      return (a, b) => (a.ranked.task.user ?? '').localeCompare(b.ranked.task.user ?? '') || rank(a) - rank(b);
  }
}

export function matchesUser(c: ProcessCandidate, user: string): boolean {
  if (/^\d+$/.test(user)) return c.record.uid === Number(user);
  return c.user === user;
}

export function runTop(ctx: CommandContext, opts: TopOptions): TopResult {
  const limited = opts.limit !== undefined && opts.limit > 0;
  // With a limit, the kernel's oom_score is read for the shown rows only, and
  // in rank order /proc/PID/stat only where a tie decides a shown rank (and,
  // with startTimes, for the shown rows).
  const lean = limited && (opts.sort === 'rank' || opts.sort === 'score');
  let prediction = predict(ctx.root, { cgroup: opts.cgroup, oomScore: !limited, stat: !lean });
  let sel = selectRows(ctx, prediction, opts);
  if (lean) {
    const resolved = resolveTies(ctx.root, prediction, sel.rows.map((r) => r.ranked));
    if (resolved !== prediction) {
      prediction = resolved;
      sel = selectRows(ctx, prediction, { ...opts, user: undefined }, opts.user);
    }
    if (opts.startTimes) for (const row of sel.rows) if (Number.isNaN(row.ranked.task.record.starttime)) readStartTime(ctx.root, row.ranked.task.record);
  }
  let rows = sel.rows;
  const limit = opts.limit;
  if (limit !== undefined && limit > 0) {
    for (const row of rows) row.ranked.task.record.oomScore = readOomScore(ctx.root, row.ranked.task.pid);
  }
  const nextVictim = prediction.ranked.find((r) => r.rank === 1);
  return { prediction, rows, totalInScope: sel.totalInScope, killableInScope: sel.killableInScope, limit, nextVictim };
}

function selectRows(ctx: CommandContext, prediction: Prediction, opts: TopOptions, quietUser?: string): { rows: TopRow[]; totalInScope: number; killableInScope: number } {
  const tp = Number(prediction.scope.totalpages);
  let rows: TopRow[] = prediction.ranked.map((ranked) => ({
    ranked,
    share: ranked.badness.points === null ? 0 : Number(ranked.badness.points) / tp,
  }));
  const totalInScope = rows.length;
  const killableInScope = rows.filter((r) => r.ranked.rank !== null).length;
  if (!opts.all) rows = rows.filter((r) => r.ranked.rank !== null);
  if (opts.user !== undefined) {
    const user = opts.user;
    if (!/^\d+$/.test(user) && ![...prediction.ranked].some((r) => r.task.user === user)) {
      ctx.warn(`no process of user "${user}" in scope`);
    }
  }
  const user = opts.user ?? quietUser;
  if (user !== undefined) rows = rows.filter((r) => matchesUser(r.ranked.task, user));
  rows.sort(compareBy(opts.sort));
  if (opts.limit !== undefined && opts.limit > 0) rows = rows.slice(0, opts.limit);
  return { rows, totalInScope, killableInScope };
}
