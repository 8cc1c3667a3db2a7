// `oomctl top` as a live screen (and -b batch mode): the refresh loop, the
// key handling and what changed between refreshes. The key handling and the
// bookkeeping are pure functions; I/O goes through the adapters and the
// terminal driver that cli.ts hands in.

import type { ChalkInstance } from 'chalk';
import { parseKeys, type Key } from '../parse/keys.js';
import { buildFrame, layoutFrame, visibleOwnerWorst, visibleRows, type FrameInput, type FrameSize } from '../render/screen.js';
import { rankOwners, type OwnerGrouping } from '../kernel/owner-rank.js';
import type { OwnerWarning } from '../parse/owner.js';
import type { Terminal, TerminalHandlers } from '../system/terminal.js';
import type { RankedTask } from '../kernel/rank.js';
import { computeMemcgTotalpages } from '../kernel/scope.js';
import { readMemcg } from '../system/memcg.js';
import { readOomScore } from '../system/procfs.js';
import { readOomKillCount } from '../system/system-info.js';
import { readZoneWatermarks } from '../system/forecast-sampler.js';
import { LiveForecastHistory, markVictimAtOom, type LiveForecast } from './live-forecast.js';
import type { CommandContext } from './context.js';
import type { KillerView } from './top-result.js';
import { groupSizes, matchesUser, predict, rankInMemcg, readOwnersOf, type Prediction, type ProcessCandidate } from './prediction.js';
import type { LiveSort, LiveView, LiveState, LiveRow, Section, RowChange, Changes, OomKillTrack, CgroupPressure, LiveSnapshot } from './live-types.js';
export type { LiveSort, LiveView, LiveState, LiveRow, Section, RowChange, Changes, OomKillTrack, CgroupPressure, LiveSnapshot };

export const INITIAL_STATE: LiveState = { sort: 'score', user: undefined, name: undefined, view: 'processes', by: 'unit', help: false, scroll: 0, input: undefined };

const NEXT_BY: Record<OwnerGrouping, OwnerGrouping | undefined> = { unit: 'container', container: 'pod', pod: undefined };

export type KeyAction = 'none' | 'redraw' | 'refresh' | 'quit';

export interface KeyOutcome {
  state: LiveState;
  action: KeyAction;
}

const SORT_KEYS: Record<string, LiveSort> = { s: 'score', m: 'memory', a: 'adj', p: 'pid' };

/** One key against the state. `page` is the number of body lines on screen. */
export function reduceKey(state: LiveState, key: Key, page: number): KeyOutcome {
  if (key.name === 'ctrl-c') return { state, action: 'quit' };
  if (state.input) {
    const input = state.input;
    switch (key.name) {
      case 'escape':
        return { state: { ...state, input: undefined }, action: 'redraw' };
      case 'enter': {
        const text = input.text.trim() === '' ? undefined : input.text.trim();
        const next = input.kind === 'user' ? { ...state, user: text } : { ...state, name: text };
        return { state: { ...next, input: undefined, scroll: 0 }, action: 'redraw' };
      }
      case 'backspace':
        return { state: { ...state, input: { ...input, text: [...input.text].slice(0, -1).join('') } }, action: 'redraw' };
      case 'char':
        if (input.text.length >= 64) return { state, action: 'none' };
        return { state: { ...state, input: { ...input, text: input.text + key.ch } }, action: 'redraw' };
      default:
        return { state, action: 'none' };
    }
  }
  if (state.help) {
    // Any key leaves the help; q still quits.
    if (key.name === 'char' && key.ch === 'q') return { state, action: 'quit' };
    return { state: { ...state, help: false }, action: 'redraw' };
  }
  const step = Math.max(1, page - 1);
  switch (key.name) {
    case 'up': return { state: { ...state, scroll: Math.max(0, state.scroll - 1) }, action: 'redraw' };
    case 'down': return { state: { ...state, scroll: state.scroll + 1 }, action: 'redraw' };
    case 'pageup': return { state: { ...state, scroll: Math.max(0, state.scroll - step) }, action: 'redraw' };
    case 'pagedown': return { state: { ...state, scroll: state.scroll + step }, action: 'redraw' };
    case 'home': return { state: { ...state, scroll: 0 }, action: 'redraw' };
    case 'end': return { state: { ...state, scroll: Number.MAX_SAFE_INTEGER }, action: 'redraw' };
    case 'ctrl-l': return { state, action: 'redraw' };
    case 'escape':
      // Esc clears the filters, as in htop.
      if (state.user === undefined && state.name === undefined) return { state, action: 'none' };
      return { state: { ...state, user: undefined, name: undefined, scroll: 0 }, action: 'redraw' };
    case 'char': break;
    default: return { state, action: 'none' };
  }
  const ch = key.ch;
  if (ch === 'q') return { state, action: 'quit' };
  if (ch === '?' || ch === 'h') return { state: { ...state, help: true }, action: 'redraw' };
  if (ch === ' ') return { state, action: 'refresh' };
  const sort = SORT_KEYS[ch];
  if (sort) return { state: { ...state, sort, scroll: 0 }, action: 'redraw' };
  if (ch === 'u') return { state: { ...state, input: { kind: 'user', text: state.user ?? '' } }, action: 'redraw' };
  if (ch === '/') return { state: { ...state, input: { kind: 'name', text: state.name ?? '' } }, action: 'redraw' };
  if (ch === 'o') {
    // o: owners by unit, then by container, then by pod, then back to processes.
    if (state.view !== 'owners') return { state: { ...state, view: 'owners', by: 'unit', scroll: 0 }, action: 'refresh' };
    const next = NEXT_BY[state.by];
    return { state: next ? { ...state, by: next, scroll: 0 } : { ...state, view: 'processes', scroll: 0 }, action: 'refresh' };
  }
  if (ch === 'c') {
    // The cgroup view needs cgroup membership, which the process view does not read.
    return { state: { ...state, view: state.view === 'cgroups' ? 'processes' : 'cgroups', scroll: 0 }, action: 'refresh' };
  }
  return { state, action: 'none' };
}

// --- rows ----------------------------------------------------------------

export function rowKey(ranked: RankedTask<ProcessCandidate>): string {
  return `${ranked.task.pid}:${ranked.task.record.starttime}`;
}

function memoryKb(r: LiveRow): number {
  const t = r.ranked.task;
  return t.rssAnonKb + t.rssFileKb + t.rssShmemKb + t.swapKb;
}

function rssKb(r: LiveRow): number {
  const t = r.ranked.task;
  return t.rssAnonKb + t.rssFileKb + t.rssShmemKb;
}

function compareRows(sort: LiveSort): (a: LiveRow, b: LiveRow) => number {
  const rank = (r: LiveRow): number => r.ranked.rank ?? Number.MAX_SAFE_INTEGER;
  const pid = (r: LiveRow): number => r.ranked.task.pid;
  switch (sort) {
    case 'score': return (a, b) => rank(a) - rank(b) || pid(a) - pid(b);
    case 'memory': return (a, b) => memoryKb(b) - memoryKb(a) || rank(a) - rank(b) || pid(a) - pid(b);
    case 'rss': return (a, b) => rssKb(b) - rssKb(a) || rank(a) - rank(b) || pid(a) - pid(b);
    case 'swap': return (a, b) => b.ranked.task.swapKb - a.ranked.task.swapKb || rank(a) - rank(b) || pid(a) - pid(b);
    case 'adj': return (a, b) => b.ranked.task.oomScoreAdj - a.ranked.task.oomScoreAdj || rank(a) - rank(b) || pid(a) - pid(b);
    case 'pid': return (a, b) => pid(a) - pid(b);
  }
}

/**
 * Splits the ranked processes into the candidates (adj >= 0), the protected
 * (killable, adj < 0) and those never killed, filtered and sorted.
 */
export function arrangeSections(p: Prediction, state: LiveState): Section[] {
  const tp = Number(p.scope.totalpages);
  const nameFilter = state.name?.toLowerCase();
  const candidates: LiveRow[] = [];
  const guarded: LiveRow[] = [];
  const unkillable: LiveRow[] = [];
  for (const ranked of p.ranked) {
    if (state.user !== undefined && !matchesUser(ranked.task, state.user)) continue;
    if (nameFilter !== undefined && !ranked.task.record.comm.toLowerCase().includes(nameFilter)) continue;
    const row: LiveRow = { ranked, share: ranked.badness.points === null ? 0 : Number(ranked.badness.points) / tp, key: rowKey(ranked) };
    if (ranked.rank === null) unkillable.push(row);
    else if (ranked.task.oomScoreAdj < 0) guarded.push(row);
    else candidates.push(row);
  }
  const cmp = compareRows(state.sort);
  return [
    { kind: 'candidates', rows: candidates.sort(cmp) },
    { kind: 'protected', rows: guarded.sort(cmp) },
    { kind: 'unkillable', rows: unkillable.sort(cmp) },
  ];
}

// --- what changed ---------------------------------------------------------

/** Ranks by row key, to compare the next refresh with. */
export function rankIndex(p: Prediction): Map<string, number | null> {
  const m = new Map<string, number | null>();
  for (const r of p.ranked) m.set(rowKey(r), r.rank);
  return m;
}

/** `by` > 0: moved towards rank 1 (killed sooner). */
export function computeChanges(previous: Map<string, number | null> | undefined, current: Map<string, number | null>): Changes {
  const rows = new Map<string, RowChange>();
  if (!previous) return { rows, added: 0, gone: 0, moved: 0, compared: false };
  let added = 0;
  let moved = 0;
  for (const [key, rank] of current) {
    if (!previous.has(key)) {
      rows.set(key, { kind: 'new' });
      added++;
      continue;
    }
    const before = previous.get(key);
    if (before !== null && before !== undefined && rank !== null && before !== rank) {
      rows.set(key, { kind: 'moved', by: before - rank });
      moved++;
    }
  }
  let gone = 0;
  for (const key of previous.keys()) if (!current.has(key)) gone++;
  return { rows, added, gone, moved, compared: true };
}

// --- OOM kills --------------------------------------------------------------

export const NO_OOM_TRACK: OomKillTrack = { count: undefined, atStart: undefined, latest: undefined, lastReadAt: undefined };

/**
 * The kernel counts OOM kills but does not timestamp them outside its log, so
 * the time of the latest is known only when it happens while we watch: then
 * it lies between two reads of the counter.
 */
export function trackOomKills(t: OomKillTrack, count: number | undefined, at: Date): OomKillTrack {
  if (t.lastReadAt === undefined) return { count, atStart: count, latest: undefined, lastReadAt: at };
  let latest = t.latest;
  if (count !== undefined && t.count !== undefined && count > t.count) latest = { after: t.lastReadAt, by: at, kills: count - t.count };
  return { count, atStart: t.atStart, latest, lastReadAt: at };
}

// --- memory cgroups -----------------------------------------------------------

/**
 * Every memory cgroup with a limit that holds at least one process (directly
 * or below), nearest to its limit first, with who its own OOM would kill.
 */
export function readCgroupPressure(ctx: CommandContext, p: Prediction): CgroupPressure[] {
  const h = p.hierarchy;
  if (!h) return [];
  const paths = new Set<string>();
  for (const r of p.ranked) {
    let path = r.task.memcgPath;
    while (path !== undefined && path !== '' && !paths.has(path)) {
      paths.add(path);
      if (path === '/') break;
      const cut = path.lastIndexOf('/');
      path = cut <= 0 ? '/' : path.slice(0, cut);
    }
  }
  const out: CgroupPressure[] = [];
  for (const path of paths) {
    const st = readMemcg(ctx.root, h, path, p.pageSize);
    if (!st || st.unlimited || st.limits.memoryMaxBytes === 'max') continue;
    const limitBytes = st.limits.memoryMaxBytes;
    const totalpages = computeMemcgTotalpages(st.limits, p.meminfo.swapTotalKb, p.pageSize);
    const ranked = rankInMemcg(p, { memcg: st, totalpages }, p.ranked.map((r) => r.task));
    if (ranked.length === 0) continue;
    const victim = ranked.find((r) => r.rank === 1);
    const usage = st.usageBytes ?? 0n;
    out.push({
      path,
      usageBytes: usage,
      limitBytes,
      used: limitBytes > 0n ? Number(usage) / Number(limitBytes) : 1,
      tasks: ranked.length,
      nextVictim: victim,
      victimShare: victim && victim.badness.points !== null ? Number(victim.badness.points) / Number(totalpages) : 0,
    });
  }
  return out.sort((a, b) => b.used - a.used || (a.path < b.path ? -1 : 1));
}

// --- one refresh ----------------------------------------------------------------

export function takeSnapshot(ctx: CommandContext, view: LiveView, at: Date, by: OwnerGrouping = 'unit', onWarning?: (w: OwnerWarning) => void): LiveSnapshot {
  // oom_score is read later, for the rows on screen only.
  const prediction = predict(ctx.root, { withCgroups: view === 'cgroups', oomScore: false });
  const cgroups = view === 'cgroups' ? readCgroupPressure(ctx, prediction) : undefined;
  return { at, prediction, cgroups, oomKillCount: readOomKillCount(ctx.root), owners: view === 'owners' ? ownersView(ctx, prediction, by, onWarning) : undefined, rowOwners: new Map() };
}

/** The owners view: every process's owner (a cgroup file each), ranked by rankOwners(). */
function ownersView(ctx: CommandContext, p: Prediction, by: OwnerGrouping, onWarning?: (w: OwnerWarning) => void): NonNullable<LiveSnapshot['owners']> {
  const index = readOwnersOf(ctx.root, p.ranked.map((r) => r.task));
  if (onWarning) for (const w of index.warnings) onWarning(w);
  const procs = p.ranked.map((r) => ({
    pid: r.task.pid, rank: r.rank, memoryKb: r.task.rssAnonKb + r.task.rssFileKb + r.task.rssShmemKb + r.task.swapKb + r.task.pgtablesKb,
    owner: index.byPid.get(r.task.pid)?.owner,
  }));
  const rows = rankOwners(procs, by);
  const byPid = new Map(p.ranked.map((r) => [r.task.pid, r]));
  const worst = new Map<number, RankedTask<ProcessCandidate>>();
  for (const o of rows) {
    const w = byPid.get(o.worstPid);
    if (w) worst.set(o.worstPid, w);
  }
  return { rows, worst, groupSize: groupSizes(index, worst.keys()) };
}

/** Owners of the rows about to be shown (the screen's OWNER column). */
export function fillOwners(ctx: CommandContext, snap: LiveSnapshot, rows: readonly LiveRow[], onWarning?: (w: OwnerWarning) => void): void {
  const missing = rows.filter((r) => !snap.rowOwners.has(r.ranked.task.pid)).map((r) => r.ranked.task);
  if (missing.length === 0) return;
  const index = readOwnersOf(ctx.root, missing);
  for (const [pid, o] of index.byPid) snap.rowOwners.set(pid, o);
  if (onWarning) for (const w of index.warnings) onWarning(w);
}

/** The kernel's own oom_score for the rows about to be shown. */
export function fillOomScores(ctx: CommandContext, rows: readonly LiveRow[]): void {
  for (const r of rows) {
    const rec = r.ranked.task.record;
    if (rec.oomScore === undefined) rec.oomScore = readOomScore(ctx.root, rec.pid);
  }
}

// --- the loops -------------------------------------------------------------------

export interface LiveOptions {
  /** Seconds between refreshes. */
  delay: number;
  /** Stop after this many refreshes; undefined = until quit. */
  iterations: number | undefined;
  /** Rows per section; undefined = all (scroll). */
  limit: number | undefined;
  user: string | undefined;
  /** The first sort (--sort); keys change it. */
  sort: LiveSort;
  /** --by: start in the owners view with this grouping. */
  by?: OwnerGrouping | undefined;
  /** The other killers for the header, read after each refresh (asynchronous: systemd-oomd's xattrs). */
  killers?: (p: Prediction) => Promise<KillerView>;
  /** Owner warnings (a container config that does not parse) met while the screen owns the terminal. */
  onOwnerWarning?: (w: OwnerWarning) => void;
}

export interface LiveScreenIO {
  open(h: TerminalHandlers): Terminal;
  chalk: ChalkInstance;
  clock: (d: Date) => string;
  now: () => Date;
}

export interface LiveEnd {
  /** Set when a signal ended the screen: cli.ts re-raises it. */
  signal: NodeJS.Signals | undefined;
}

/** The bookkeeping shared by the live screen and batch mode. */
class Session {
  state: LiveState;
  snapshot: LiveSnapshot | undefined;
  changes: Changes = { rows: new Map(), added: 0, gone: 0, moved: 0, compared: false };
  oom: OomKillTrack = NO_OOM_TRACK;
  private ranks: Map<string, number | null> | undefined;
  refreshes = 0;
  private readonly history: LiveForecastHistory;
  private forecast: LiveForecast | undefined;

  constructor(private readonly ctx: CommandContext, private readonly opts: LiveOptions, private readonly now: () => Date) {
    this.state = { ...INITIAL_STATE, user: opts.user, sort: opts.sort, ...(opts.by ? { view: 'owners' as const, by: opts.by } : {}) };
    this.history = new LiveForecastHistory(readZoneWatermarks(ctx.root));
  }

  refresh(): void {
    const snap = takeSnapshot(this.ctx, this.state.view, this.now(), this.state.by, this.opts.onOwnerWarning);
    const ranks = rankIndex(snap.prediction);
    this.changes = computeChanges(this.ranks, ranks);
    this.ranks = ranks;
    this.oom = trackOomKills(this.oom, snap.oomKillCount, snap.at);
    this.snapshot = snap;
    this.forecast = this.history.add(snap);
    this.refreshes++;
  }

  /** The killers of the latest snapshot, once read; the header shows the last known until then. */
  killers: KillerView | undefined;

  /** Reads the killers for the current snapshot; resolves when they are in. */
  readKillers(): Promise<void> {
    const snap = this.snapshot;
    if (!this.opts.killers || !snap) return Promise.resolve();
    return this.opts.killers(snap.prediction).then((k) => {
      if (this.snapshot === snap) this.killers = k;
    });
  }

  frameInput(clock: (d: Date) => string): FrameInput {
    const snapshot = this.snapshot as LiveSnapshot;
    return {
      snapshot, state: this.state, sections: markVictimAtOom(arrangeSections(snapshot.prediction, this.state), this.forecast), changes: this.changes,
      oom: this.oom, delay: this.opts.delay, limit: this.opts.limit, clock, forecast: this.forecast, killers: this.killers,
    };
  }

  frame(size: FrameSize, chalk: ChalkInstance, clock: (d: Date) => string): string[] {
    const input = this.frameInput(clock);
    const layout = layoutFrame(input, size);
    fillOomScores(this.ctx, visibleRows(layout));
    fillOwners(this.ctx, input.snapshot, visibleRows(layout), this.opts.onOwnerWarning);
    for (const w of visibleOwnerWorst(layout, input.snapshot)) if (w.task.record.oomScore === undefined) w.task.record.oomScore = readOomScore(this.ctx.root, w.task.pid);
    // Keep the clamped scroll, so that PgUp after End moves at once.
    this.state = { ...this.state, scroll: layout.scroll };
    return buildFrame(input, size, chalk, layout);
  }

  bodyHeight(size: FrameSize): number {
    return this.snapshot ? layoutFrame(this.frameInput(() => ''), size).bodyHeight : 1;
  }
}

/** The full-screen view. Resolves when the user quits or a signal arrives. */
export function runLiveTop(ctx: CommandContext, opts: LiveOptions, io: LiveScreenIO): Promise<LiveEnd> {
  const session = new Session(ctx, opts, io.now);
  return new Promise<LiveEnd>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (end: LiveEnd, error?: unknown): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      term.close();
      if (error !== undefined) reject(error);
      else resolve(end);
    };
    const guard = (fn: () => void) => (): void => {
      try { fn(); } catch (error) { finish({ signal: undefined }, error); }
    };
    const draw = (): void => {
      if (done) return;
      term.draw(session.frame(term.size(), io.chalk, io.clock));
    };
    const refresh = guard(() => {
      if (timer) clearTimeout(timer);
      session.refresh();
      draw();
      // The header's killer lines follow when read; a failure to read them leaves the last ones.
      session.readKillers().then(draw, () => undefined);
      if (opts.iterations !== undefined && session.refreshes >= opts.iterations) {
        finish({ signal: undefined });
        return;
      }
      timer = setTimeout(refresh, opts.delay * 1000);
    });
    const term = io.open({
      onData: (data) => guard(() => {
        for (const key of parseKeys(data)) {
          const out = reduceKey(session.state, key, session.bodyHeight(term.size()));
          session.state = out.state;
          if (out.action === 'quit') { finish({ signal: undefined }); return; }
          if (out.action === 'refresh') refresh();
          else if (out.action === 'redraw') draw();
        }
      })(),
      onResize: guard(draw),
      onSignal: (signal) => finish({ signal }),
      onEnd: () => finish({ signal: undefined }),
    });
    refresh();
  });
}

export interface BatchIO {
  write(text: string): void;
  chalk: ChalkInstance;
  clock: (d: Date) => string;
  now: () => Date;
}

/** -b: plain text, one screen per refresh, every row (or --limit), for logs. */
export async function runBatchTop(ctx: CommandContext, opts: LiveOptions, io: BatchIO): Promise<void> {
  const session = new Session(ctx, opts, io.now);
  for (;;) {
    session.refresh();
    await session.readKillers();
    io.write((session.refreshes > 1 ? '\n' : '') + session.frame(undefined, io.chalk, io.clock).join('\n') + '\n');
    if (opts.iterations !== undefined && session.refreshes >= opts.iterations) return;
    await new Promise((r) => setTimeout(r, opts.delay * 1000));
  }
}
