// `oomctl top`: processes in the order the kernel would kill them.

import { NotFoundError, UsageError } from '../errors.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { readUserNames } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { parseInteger, parseSeconds, type CommandModule, type RunContext, type RunOutcome } from '../core/command.js';
import { renderTopHuman, topJson } from '../render/top.js';
import type { LiveSort } from '../core/live-types.js';
import { readOomScore, readStartTime } from '../system/procfs.js';
import { groupSizes, knownNextVictim, matchesUser, predict, readOwnersOf, resolveTies, type Prediction } from '../core/prediction.js';
import { rankOwners, type OwnerGrouping } from '../kernel/owner-rank.js';
import type { KillerName, KillerView, OwnerRanking, PodEvictionEntry, TopRow, TopResult } from '../core/top-result.js';
import type { QosClass } from '../parse/owner.js';
import { renderOwnerWarning } from '../render/owner.js';
import type { OwnerIndex, OwnerWarning } from '../system/owners.js';
import { KUBELET_CONFIG_PATH, kubeletConfigPathFromArgs } from '../parse/kubelet-args.js';
export type { TopRow, TopResult };

export const OWNER_GROUPINGS = ['unit', 'container', 'pod'] as const;
export const KILLERS = ['kernel', 'oomd', 'earlyoom', 'kubelet'] as const;

export function parseGrouping(value: string): OwnerGrouping {
  if ((OWNER_GROUPINGS as readonly string[]).includes(value)) return value as OwnerGrouping;
  throw new UsageError(`unknown --by "${value}"`, `use one of: ${OWNER_GROUPINGS.join(', ')}`);
}

export function parseKiller(value: string): KillerName {
  if ((KILLERS as readonly string[]).includes(value)) return value as KillerName;
  throw new UsageError(`unknown --killer "${value}"`, `use one of: ${KILLERS.join(', ')}`);
}

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
  /** One row per owner. */
  by?: OwnerGrouping;
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
  // Owners are read for the rows shown (a cgroup file each), or for every process with --by.
  let byOwner: OwnerRanking | undefined;
  let owners: OwnerIndex;
  if (opts.by !== undefined) {
    owners = readOwnersOf(ctx.root, prediction.ranked.map((r) => r.task));
    const procs = prediction.ranked.map((r) => ({
      pid: r.task.pid, rank: r.rank, memoryKb: r.task.rssAnonKb + r.task.rssFileKb + r.task.rssShmemKb + r.task.swapKb + r.task.pgtablesKb,
      owner: owners.byPid.get(r.task.pid)?.owner,
    }));
    const ownerRows = rankOwners(procs, opts.by);
    const byPid = new Map(prediction.ranked.map((r) => [r.task.pid, r]));
    const worst = new Map<number, (typeof prediction.ranked)[number]>();
    for (const o of ownerRows) {
      const w = byPid.get(o.worstPid);
      if (w) worst.set(o.worstPid, w);
      // The worst process's oom_score, as the kernel prints it (lean top read it for the shown rows only).
      if (w && w.task.record.oomScore === undefined) w.task.record.oomScore = readOomScore(ctx.root, w.task.pid);
    }
    byOwner = { by: opts.by, rows: limit !== undefined && limit > 0 ? ownerRows.slice(0, limit) : ownerRows, worst, groupSize: groupSizes(owners, worst.keys()) };
  } else {
    owners = readOwnersOf(ctx.root, rows.map((r) => r.ranked.task));
  }
  for (const w of owners.warnings) ctx.warn(renderOwnerWarning(w));
  return { prediction, rows, totalInScope: sel.totalInScope, killableInScope: sel.killableInScope, limit, nextVictim, owners, byOwner, killers: undefined };
}

/**
 * The killers that run or are configured here (a kubelet or systemd-oomd
 * process, earlyoom's process or /etc/default/earlyoom, a kubelet config
 * file), for the header and --killer. systemd-oomd's state (a walk of the v2
 * tree) is read only when it runs or is asked for.
 */
export async function readKillers(ctx: CommandContext, p: Prediction, shown: KillerName, warn: boolean | ((line: string) => void) = true): Promise<KillerView> {
  const records = p.ranked.map((r) => r.task.record);
  const comms = new Map(records.map((r) => [r.pid, r.comm]));
  const kubelet = records.find((r) => r.comm === 'kubelet');
  const oomdRuns = records.some((r) => r.comm === 'systemd-oomd');
  const earlyoomRuns = records.some((r) => r.comm === 'earlyoom');
  let kubeletConfigPath: string | undefined;
  if (kubelet) {
    const raw = ctx.root.readText(`/proc/${kubelet.pid}/cmdline`);
    if (raw !== undefined) kubeletConfigPath = kubeletConfigPathFromArgs(raw.replace(/\0+$/, '').split('\0'));
  }
  // Nothing runs and nothing is configured: the kernel is the only killer, and the readers
  // (with the YAML parser behind the kubelet's config, ~6 ms to load) stay unloaded.
  const configured = ctx.root.readText(kubeletConfigPath ?? KUBELET_CONFIG_PATH) !== undefined || ctx.root.readText('/etc/default/earlyoom') !== undefined;
  if (shown === 'kernel' && !kubelet && !oomdRuns && !earlyoomRuns && !configured) {
    return { report: { kubelet: undefined, oomd: undefined, earlyoom: undefined }, shown, comms, running: { kubelet: false, oomd: false, earlyoom: false } };
  }
  const { readKillerReport } = await import('../system/killers.js');
  // earlyoom's victim is chosen by oom_score (kill.c get_oom_score()): read it where lean top did not.
  if (earlyoomRuns || shown === 'earlyoom') for (const r of records) if (r.oomScore === undefined && !r.kernelThread) r.oomScore = readOomScore(ctx.root, r.pid);
  const report = await readKillerReport(ctx.root, records, {
    kubeletConfigPath, kubeletRunning: kubelet !== undefined || shown === 'kubelet', oomd: oomdRuns || shown === 'oomd', recordsComplete: p.scope.kind === 'global',
  });
  // The live screen owns the terminal: it passes a function that keeps the line for its exit.
  if (warn !== false && report.kubelet?.config.warning) {
    const w = report.kubelet.config.warning;
    const line = `warning: cannot read kubelet config ${escapeUntrusted(w.file)}: ${escapeUntrusted(w.detail)} (no eviction threshold assumed from it)`;
    if (warn === true) ctx.warn(line); else warn(line);
  }
  const view: KillerView = { report, shown, comms, running: { kubelet: kubelet !== undefined, oomd: oomdRuns, earlyoom: report.earlyoom?.found.pid != null } };
  if (shown === 'kubelet') view.evictionPods = await readEvictionPods(ctx, p);
  return view;
}

/** Every pod of the scope, from its processes' owners, with its pod cgroup's memory, in rankEvictionFromDisk() order. */
async function readEvictionPods(ctx: CommandContext, p: Prediction): Promise<PodEvictionEntry[]> {
  const [{ findMemoryHierarchy }, { readPodMemory }, { rankEvictionFromDisk }] = await Promise.all([
    import('../system/memcg.js'), import('../system/kubelet-node.js'), import('../kernel/kubelet.js'),
  ]);
  const owners = readOwnersOf(ctx.root, p.ranked.map((r) => r.task));
  const h = findMemoryHierarchy(ctx.root);
  const pods = new Map<string, { qos: QosClass; cgroup: string | null; namespace: string | null; name: string | null; processes: number }>();
  for (const o of owners.byPid.values()) {
    const uid = o.owner.pod_uid;
    if (uid === null || o.owner.qos_class === null) continue;
    const seen = pods.get(uid);
    if (seen) { seen.processes++; continue; }
    pods.set(uid, { qos: o.owner.qos_class, cgroup: o.podCgroup, namespace: o.owner.pod_namespace, name: o.owner.pod_name, processes: 1 });
  }
  const rows = rankEvictionFromDisk([...pods].map(([id, v]) => {
    const mem = h && v.cgroup !== null ? readPodMemory(ctx.root, h, v.cgroup) : { workingSetBytes: null, limitBytes: null };
    return { id, qos: v.qos, ...mem };
  }));
  return rows.map((r) => {
    const i = pods.get(r.pod.id)!;
    return { ...r, namespace: i.namespace, name: i.name, processes: i.processes };
  });
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

interface TopCliOptions { limit?: number; sort: string; user?: string; cgroup?: string; all: boolean; once: boolean; delay: number; iterations?: number; batch: boolean; by?: string; killer: string }

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
      .option('--by <owner>', 'one row per owner: unit|container|pod, ranked by its worst process', )
      .option('--killer <name>', 'show what this killer would do: kernel|oomd|earlyoom|kubelet', 'kernel')
      .addHelpText('after', `
In a terminal, oomctl top is a live full-screen view (press ? for its keys);
not in a terminal, with --once or with --json it prints one snapshot.

Examples:
  oomctl top -n 5
  oomctl top --user mysql --sort rss
  oomctl top --cgroup /user.slice --json
  oomctl top --by pod
  oomctl top --killer oomd
  oomctl top -b -d 10 -i 6 >> oom.log`);
  },
  async run(ctx, _args, o) {
    const opts = o as unknown as TopCliOptions;
    const json = ctx.globals.json;
    const sort = parseSortKey(opts.sort);
    const by = opts.by === undefined ? undefined : parseGrouping(opts.by);
    const killer = parseKiller(opts.killer);
    if (opts.batch && json) throw new UsageError('--batch prints text screens; for JSON use --once --json');
    if (opts.user !== undefined) refuseUnknownUser(ctx, opts.user);
    const live = !opts.once && !json && opts.cgroup === undefined && ctx.stdoutIsTTY && ctx.stdinIsTTY;
    if (opts.batch || live) return runScreens(ctx, opts, sort, live, by, killer);
    const headerRows = 10;
    const limit = opts.limit ?? (ctx.stdoutIsTTY && ctx.rows !== undefined ? Math.max(5, ctx.rows - headerRows) : 20);
    const result = runTop(ctx, { limit: json && opts.limit === undefined ? 0 : limit, sort, user: opts.user, cgroup: opts.cgroup, all: opts.all, startTimes: json, by });
    result.killers = await readKillers(ctx, result.prediction, killer);
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
async function runScreens(ctx: RunContext, opts: TopCliOptions, sort: TopSortKey, live: boolean, by: OwnerGrouping | undefined, killer: KillerName): Promise<RunOutcome | void> {
  const { runLiveTop, runBatchTop } = await import('../core/top-live.js');
  // The live screen owns the terminal: its warnings are kept, each once, and printed after it (as one-shot top prints them).
  const held = new Set<string>();
  const warn = live ? (line: string): void => { held.add(line); } : true;
  const liveOpts = {
    delay: opts.delay, iterations: opts.iterations, limit: opts.limit === 0 ? undefined : opts.limit, user: opts.user, sort: liveSortOf(sort), by,
    killers: (p: Prediction) => readKillers(ctx, p, killer, warn),
    // -b writes to stderr at once, but each warning only once (it would repeat at every refresh).
    onOwnerWarning: (w: OwnerWarning) => {
      const line = renderOwnerWarning(w);
      if (held.has(line)) return;
      held.add(line);
      if (!live) ctx.warn(line);
    },
  };
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
    for (const line of held) ctx.warn(line);
    // Die of the signal that ended the screen, as an unhandled one would have.
    if (end.signal !== undefined) outcome = { killSignal: end.signal };
  }
  ctx.reportDenied();
  return outcome;
}
