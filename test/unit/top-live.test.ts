import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/core/context.js';
import { predict } from '../../src/core/prediction.js';
import {
  arrangeSections, computeChanges, INITIAL_STATE, NO_OOM_TRACK, rankIndex, readCgroupPressure, reduceKey, trackOomKills,
  type LiveState,
} from '../../src/core/top-live.js';
import type { Key } from '../../src/parse/keys.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';

const c = (ch: string): Key => ({ name: 'char', ch });
const k = (name: Exclude<Key['name'], 'char'>): Key => ({ name } as Key);
const S = INITIAL_STATE;

describe('reduceKey', () => {
  it.each<[string, LiveState, Key, Partial<LiveState>, string]>([
    ['q quits', S, c('q'), {}, 'quit'],
    ['Ctrl-C quits', S, k('ctrl-c'), {}, 'quit'],
    ['Ctrl-C quits even while typing', { ...S, input: { kind: 'name', text: 'x' } }, k('ctrl-c'), {}, 'quit'],
    ['m sorts by memory', S, c('m'), { sort: 'memory' }, 'redraw'],
    ['a sorts by adj', S, c('a'), { sort: 'adj' }, 'redraw'],
    ['p sorts by pid', { ...S, scroll: 9 }, c('p'), { sort: 'pid', scroll: 0 }, 'redraw'],
    ['s sorts by score', { ...S, sort: 'pid' }, c('s'), { sort: 'score' }, 'redraw'],
    ['? opens help', S, c('?'), { help: true }, 'redraw'],
    ['any key closes help', { ...S, help: true }, c('x'), { help: false }, 'redraw'],
    ['q quits from help', { ...S, help: true }, c('q'), {}, 'quit'],
    ['space refreshes', S, c(' '), {}, 'refresh'],
    ['c switches to cgroups and refreshes', S, c('c'), { view: 'cgroups' }, 'refresh'],
    ['c switches back', { ...S, view: 'cgroups' }, c('c'), { view: 'processes' }, 'refresh'],
    ['down scrolls', S, k('down'), { scroll: 1 }, 'redraw'],
    ['up stops at 0', S, k('up'), { scroll: 0 }, 'redraw'],
    ['PgDn moves a page less one line', S, k('pagedown'), { scroll: 9 }, 'redraw'],
    ['PgUp', { ...S, scroll: 12 }, k('pageup'), { scroll: 3 }, 'redraw'],
    ['u opens the user input with the current filter', { ...S, user: 'root' }, c('u'), { input: { kind: 'user', text: 'root' } }, 'redraw'],
    ['/ opens the name input', S, c('/'), { input: { kind: 'name', text: '' } }, 'redraw'],
    ['typing adds to the input, not a command', { ...S, input: { kind: 'name', text: 'my' } }, c('q'), { input: { kind: 'name', text: 'myq' } }, 'redraw'],
    ['backspace', { ...S, input: { kind: 'name', text: 'my' } }, k('backspace'), { input: { kind: 'name', text: 'm' } }, 'redraw'],
    ['enter sets the filter', { ...S, input: { kind: 'name', text: ' sql ' } }, k('enter'), { input: undefined, name: 'sql' }, 'redraw'],
    ['enter with nothing clears it', { ...S, user: 'x', input: { kind: 'user', text: '' } }, k('enter'), { input: undefined, user: undefined }, 'redraw'],
    ['Esc cancels the input', { ...S, input: { kind: 'user', text: 'ro' } }, k('escape'), { input: undefined, user: undefined }, 'redraw'],
    ['Esc clears the filters', { ...S, user: 'a', name: 'b' }, k('escape'), { user: undefined, name: undefined }, 'redraw'],
    ['unknown keys do nothing', S, c('z'), {}, 'none'],
  ])('%s', (_what, state, key, expected, action) => {
    const out = reduceKey(state, key, 10);
    expect(out.action).toBe(action);
    expect(out.state).toEqual({ ...state, ...expected });
  });
});

describe('computeChanges', () => {
  it('says nothing on the first refresh', () => {
    expect(computeChanges(undefined, new Map([['1:5', 1]]))).toMatchObject({ compared: false, added: 0 });
  });
  it('finds new, gone and moved processes by pid and start time', () => {
    const before = new Map<string, number | null>([['10:1', 1], ['11:1', 2], ['12:1', 3], ['1:0', null]]);
    const after = new Map<string, number | null>([['11:1', 1], ['10:1', 2], ['13:7', 3], ['12:99', 4], ['1:0', null]]);
    const ch = computeChanges(before, after);
    expect(ch).toMatchObject({ compared: true, added: 2, gone: 1, moved: 2 });
    expect(ch.rows.get('11:1')).toEqual({ kind: 'moved', by: 1 });
    expect(ch.rows.get('10:1')).toEqual({ kind: 'moved', by: -1 });
    // pid 12 was reused: a new process, and the old one is gone.
    expect(ch.rows.get('12:99')).toEqual({ kind: 'new' });
    expect(ch.rows.has('1:0')).toBe(false);
  });
});

describe('trackOomKills', () => {
  const t0 = new Date('2026-01-01T10:00:00Z');
  const t1 = new Date('2026-01-01T10:00:03Z');
  const t2 = new Date('2026-01-01T10:00:06Z');
  it('knows no time for kills before the start, and brackets those it sees', () => {
    const a = trackOomKills(NO_OOM_TRACK, 5, t0);
    expect(a).toMatchObject({ count: 5, atStart: 5, latest: undefined });
    const b = trackOomKills(a, 5, t1);
    expect(b.latest).toBeUndefined();
    const c2 = trackOomKills(b, 7, t2);
    expect(c2.latest).toEqual({ after: t1, by: t2, kills: 2 });
    expect(trackOomKills(c2, 7, new Date(t2.getTime() + 3000)).latest).toEqual({ after: t1, by: t2, kills: 2 });
  });
  it('copes with kernels without the counter', () => {
    expect(trackOomKills(trackOomKills(NO_OOM_TRACK, undefined, t0), undefined, t1)).toMatchObject({ count: undefined, latest: undefined });
  });
});

const root = new SystemRoot(path.join(FIXTURES, 'live-top'));
const ctx: CommandContext = { root, env: {}, stdoutIsTTY: false, stdinIsTTY: false, rows: undefined, columns: undefined, warn: () => {} };

describe('arrangeSections (fixture live-top)', () => {
  const p = predict(root, { oomScore: false });
  const pids = (state: LiveState) => arrangeSections(p, state).map((s) => s.rows.map((r) => r.ranked.task.pid));
  it('splits candidates, protected and never killed, each in the chosen order', () => {
    expect(pids(S)).toEqual([[1357, 1358, 1352], [], [1, 2, 10]]);
    expect(pids({ ...S, sort: 'pid' })).toEqual([[1352, 1357, 1358], [], [1, 2, 10]]);
    expect(pids({ ...S, sort: 'memory' })[0]).toEqual([1357, 1358, 1352]);
  });
  it('filters by name (case-insensitive) and user', () => {
    expect(pids({ ...S, name: 'PYTH' })).toEqual([[1357], [], []]);
    expect(pids({ ...S, user: 'nobody' })).toEqual([[], [], []]);
    expect(pids({ ...S, user: '0' })[0]).toHaveLength(3);
  });
  it('puts a killable process with adj < 0 under protected', () => {
    // This machine cannot set adj < 0 (no CAP_SYS_RESOURCE): changed in memory.
    const q = predict(root, { oomScore: false });
    const sh = q.ranked.find((r) => r.task.pid === 1352);
    if (!sh) throw new Error('fixture changed');
    sh.task.oomScoreAdj = -500;
    expect(arrangeSections(q, S).map((s) => s.rows.map((r) => r.ranked.task.pid))).toEqual([[1357, 1358], [1352], [1, 2, 10]]);
  });
  it('rankIndex keys by pid and start time', () => {
    expect(rankIndex(p).get(`1357:${p.ranked[0]?.task.record.starttime}`)).toBe(1);
  });
});

describe('readCgroupPressure (fixture live-top)', () => {
  it('finds the limited cgroup, its usage and its next victim', () => {
    const p = predict(root, { withCgroups: true, oomScore: false });
    const cgs = readCgroupPressure(ctx, p);
    expect(cgs).toHaveLength(1);
    const cg = cgs[0];
    expect(cg?.path).toBe('/oomctl-fixture');
    expect(cg?.limitBytes).toBe(64n * 1024n * 1024n);
    expect(cg?.usageBytes).toBe(49614848n);
    expect(cg?.tasks).toBe(2);
    expect(cg?.nextVictim?.task.pid).toBe(1357);
    expect(cg?.used).toBeCloseTo(49614848 / 67108864, 6);
  });
});
