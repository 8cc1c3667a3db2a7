// `oomctl top`: processes in the order the kernel would kill them.

import { NotFoundError, UsageError } from '../errors.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { readUserNames } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { parseInteger, parseSeconds, type CommandModule, type RunContext, type RunOutcome } from '../core/command.js';
import { renderTopHuman, topJson } from '../render/top.js';
import type { LiveSort } from '../core/live-types.js';
import { readOomScore, readStartTime } from '../system/procfs.js';
import { knownNextVictim, matchesUser, predict, resolveTies, type Prediction } from '../core/prediction.js';
import type { TopRow, TopResult } from '../core/top-result.js';
export type { TopRow, TopResult };

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
  const nextVictim = knownNextVictim(prediction);
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

/** --sort for the live screen and --batch: rss is RSS and swap is swap, as in top --once (not "memory", RSS + swap). */
function liveSortOf(sort: TopSortKey): LiveSort {
  if (sort === 'rss' || sort === 'swap' || sort === 'adj' || sort === 'pid') return sort;
  return 'score';
}

interface TopCliOptions { limit?: number; sort: string; user?: string; cgroup?: string; all: boolean; once: boolean; delay: number; iterations?: number; batch: boolean }

export const command: CommandModule = {
  name: 'top',
  summary: 'list processes in the order the kernel would kill them (rank 1 = next victim)',
  configure(cmd) {
    cmd
      .option('-n, --limit <n>', 'show at most N processes (0 = all; default: fits the terminal, 20 otherwise; live screen and --batch: N per section, default all)', parseInteger('--limit', 0, 10_000_000))
      .option('--sort <key>', 'sort by rank|score|pid|rss|swap|adj|comm|user', 'rank')
      .option('--user <user>', 'only processes of this user (name or uid)')
      .option('--cgroup <path>', 'predict inside this memory cgroup (path as /proc/PID/cgroup shows it)')
      .option('--all', 'also show processes the kernel never kills (init, kernel threads, adj -1000)', false)
      .option('--once', 'print one snapshot and exit (the default when stdout is not a terminal)', false)
      .option('-d, --delay <seconds>', 'live screen and --batch: seconds between refreshes', parseSeconds('--delay'), 3)
      .option('-i, --iterations <n>', 'live screen and --batch: stop after N refreshes', parseInteger('--iterations', 1, 10_000_000))
      .option('-b, --batch', 'plain text, one screen per refresh, for logs (like top -b)', false)
      .addHelpText('after', `
In a terminal, oomctl top is a live full-screen view (press ? for its keys);
not in a terminal, with --once or with --json it prints one snapshot.

Examples:
  oomctl top -n 5
  oomctl top --user mysql --sort rss
  oomctl top --cgroup /user.slice --json
  oomctl top -b -d 10 -i 6 >> oom.log`);
  },
  async run(ctx, _args, o) {
    const opts = o as unknown as TopCliOptions;
    const json = ctx.globals.json;
    const sort = parseSortKey(opts.sort);
    if (opts.batch && json) throw new UsageError('--batch prints text screens; for JSON use --once --json');
    if (opts.user !== undefined) refuseUnknownUser(ctx, opts.user);
    const live = !opts.once && !json && opts.cgroup === undefined && ctx.stdoutIsTTY && ctx.stdinIsTTY;
    if (opts.batch || live) return runScreens(ctx, opts, sort, live);
    const headerRows = 10;
    const limit = opts.limit ?? (ctx.stdoutIsTTY && ctx.rows !== undefined ? Math.max(5, ctx.rows - headerRows) : 20);
    const result = runTop(ctx, { limit: json && opts.limit === undefined ? 0 : limit, sort, user: opts.user, cgroup: opts.cgroup, all: opts.all, startTimes: json });
    if (json) ctx.emitJson(topJson(result));
    else ctx.out(renderTopHuman(result, ctx.chalk(), opts.all));
    ctx.reportDenied();
  },
};

/**
 * A --user name that /etc/passwd (under --root) does not know is not found (exit 3, as `adj
 * --user` with no match): USER comes from that file alone, so no row could ever match. A uid is
 * always valid (a process may run as a uid with no name); without a readable passwd nothing is said.
 */
function refuseUnknownUser(ctx: CommandContext, user: string): void {
  if (/^\d+$/.test(user)) return;
  const names = readUserNames(ctx.root);
  if (names.size === 0) return;
  for (const name of names.values()) if (name === user) return;
  throw new NotFoundError(`no user "${escapeUntrusted(user)}" in /etc/passwd`);
}

/** The live screen (a terminal) or --batch (one text screen per refresh). */
async function runScreens(ctx: RunContext, opts: TopCliOptions, sort: TopSortKey, live: boolean): Promise<RunOutcome | void> {
  const { runLiveTop, runBatchTop } = await import('../core/top-live.js');
  const liveOpts = { delay: opts.delay, iterations: opts.iterations, limit: opts.limit === 0 ? undefined : opts.limit, user: opts.user, sort: liveSortOf(sort) };
  const clock = (d: Date): string => d.toTimeString().slice(0, 8);
  let outcome: RunOutcome | undefined;
  if (!live) {
    await runBatchTop(ctx, liveOpts, { write: (t) => ctx.out(t), chalk: ctx.chalk(), clock, now: () => new Date() });
  } else {
    const { openTerminal } = await import('../system/terminal.js');
    const end = await runLiveTop(ctx, liveOpts, {
      open: (h) => { const t = ctx.terminal(); return openTerminal(t.input, t.output, h); },
      chalk: ctx.chalk(), clock, now: () => new Date(),
    });
    // Die of the signal that ended the screen, as an unhandled one would have.
    if (end.signal !== undefined) outcome = { killSignal: end.signal };
  }
  ctx.reportDenied();
  return outcome;
}
