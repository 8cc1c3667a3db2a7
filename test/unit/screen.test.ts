import path from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/core/context.js';
import {
  arrangeSections, computeChanges, INITIAL_STATE, NO_OOM_TRACK, rankIndex, takeSnapshot, trackOomKills, type LiveState,
} from '../../src/core/top-live.js';
import { fillOomScores } from '../../src/core/top-live.js';
import { buildFrame, layoutFrame, renderOomKills, visibleRows, type FrameInput } from '../../src/render/screen.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';

const root = new SystemRoot(path.join(FIXTURES, 'live-top'));
const ctx: CommandContext = { root, env: {}, stdoutIsTTY: false, stdinIsTTY: false, rows: undefined, columns: undefined, warn: () => {} };
const plain = new Chalk({ level: 0 });
const at = new Date('2026-11-25T23:50:00Z');
const clock = (d: Date): string => d.toISOString().slice(11, 19);

function input(state: LiveState = INITIAL_STATE, over: Partial<FrameInput> = {}): FrameInput {
  const snapshot = takeSnapshot(ctx, state.view, at);
  // As the live loop does for the rows on screen: the kernel's oom_score.
  const sections = arrangeSections(snapshot.prediction, state);
  fillOomScores(ctx, sections.flatMap((s) => s.rows));
  return {
    snapshot, state, sections: arrangeSections(snapshot.prediction, state),
    changes: computeChanges(undefined, rankIndex(snapshot.prediction)),
    oom: trackOomKills(NO_OOM_TRACK, snapshot.oomKillCount, at), delay: 3, limit: undefined, clock, ...over,
  };
}

describe('buildFrame', () => {
  it('shows the header: memory, commit, PSI, OOM kills, sysctls, next victim', () => {
    const lines = buildFrame(input(), { columns: 200, rows: 30 }, plain);
    const text = lines.join('\n');
    expect(lines[0]).toContain('oomctl top - 23:50:00, every 3s, kernel 6.18.44-fc-v657');
    expect(text).toMatch(/^Mem: 23\.5 GiB total, 22\.1 GiB available \(6\.1% used\)\s+Swap: 0 B total/m);
    expect(text).toMatch(/^Commit: 1\.7 GiB of 11\.8 GiB CommitLimit \(14\.3%\)\s+PSI memory avg10: some 0\.00%, full 0\.00%/m);
    expect(text).toContain('OOM kills since boot: 63, latest before this view started (time unknown');
    expect(text).toContain('vm.panic_on_oom=0 vm.oom_kill_allocating_task=0 vm.overcommit_memory=0 (heuristic)');
    expect(text).toContain('next victim: pid 1357 (python3), 0.2% of totalpages; 6 processes, 3 killable (0 protected)');
  });

  it('fills exactly the terminal, each line cut to its width, status line last', () => {
    const lines = buildFrame(input(), { columns: 60, rows: 24 }, plain);
    expect(lines).toHaveLength(24);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(lines[23]).toMatch(/^q quit {2}\? help/);
  });

  // 80 and 60 columns: the table gives up whole columns (never cuts a value), header lines cut end in "…".
  it.each([
    [80, ['RANK', 'PID', 'USER', 'COMM', 'OOM', 'OOMADJ', 'RSS', '%TOTAL']],
    [60, ['RANK', 'PID', 'COMM', 'OOM', 'RSS', '%TOTAL']],
  ])('at %d columns the table shows whole columns only: %j', (columns, heads) => {
    const lines = buildFrame(input(), { columns, rows: 24 }, plain);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
    const head = lines.find((l) => /^ +RANK/.test(l)) as string;
    expect(head.trim().split(/\s+/)).toEqual(heads);
    const victim = lines.find((l) => l.startsWith('>')) as string;
    const cells = victim.trim().split(/\s+/);
    expect(cells).toHaveLength(heads.length + 1);
    expect(cells[0]).toBe('>');
    expect(cells[heads.indexOf('%TOTAL') + 1]).toBe('0.2%'); // whole, not "0" or "0."
    expect(cells[heads.indexOf('PID') + 1]).toBe('1357');
    // Every header line longer than the terminal ends in "…"; none is cut silently.
    const full = buildFrame(input(), { columns: 400, rows: 24 }, plain);
    for (let i = 0; i < 6; i++) {
      const whole = (full[i] as string).trimEnd();
      const shown = lines[i] as string;
      if (whole.length > columns) expect(shown).toMatch(/…$/);
      else expect(shown.trimEnd()).toBe(whole);
    }
    expect(lines.slice(0, 6).some((l) => l.endsWith('…'))).toBe(true);
  });

  it('marks the next victim and sets the never-killed apart', () => {
    const lines = buildFrame(input(), { columns: 120, rows: 30 }, plain);
    const victim = lines.findIndex((l) => l.startsWith('>'));
    expect(lines[victim]).toMatch(/^>\s+1\s+1357\s+root\s+python3\s+668\s+0\s+53\.2M/);
    const never = lines.findIndex((l) => l.startsWith('-- never killed'));
    expect(never).toBeGreaterThan(victim);
    expect(lines.slice(never + 1, never + 4).map((l) => l.trim().split(/\s+/)[1])).toEqual(['1', '2', '10']);
    expect(lines[never + 2]).toContain('kthread');
  });

  it('shows what changed since the last refresh', () => {
    const base = input();
    const now = rankIndex(base.snapshot.prediction);
    const key = (pid: number): string => [...now.keys()].find((k) => k.startsWith(`${pid}:`)) as string;
    // Before: sh first, python3 second, a process 999 third, no sleep yet.
    const before = new Map<string, number | null>([[key(1352), 1], [key(1357), 2], ['999:1', 3], [key(1), null], [key(2), null], [key(10), null]]);
    const changes = computeChanges(before, now);
    const lines = buildFrame({ ...base, changes }, { columns: 200, rows: 30 }, plain);
    expect(lines.join('\n')).toContain('since last refresh: 1 new, 1 gone, 2 moved');
    expect(lines.find((l) => /^[> ]\s+\d+\s+1358\s/.test(l))).toMatch(/new$/);
    expect(lines.find((l) => /^[> ]\s+\d+\s+1352\s/.test(l))).toMatch(/down 2$/);
    expect(lines.find((l) => /^[> ]\s+\d+\s+1357\s/.test(l))).toMatch(/up 1$/);
  });

  it('scrolls, clamped to the last page', () => {
    const inp = input({ ...INITIAL_STATE, scroll: 1000 });
    const lay = layoutFrame(inp, { columns: 100, rows: 11 });
    // 11 rows: 6 header + blank + table head + status leave 2 body lines
    expect(lay.bodyHeight).toBe(2);
    expect(lay.scroll).toBe(lay.items.length - 2);
    expect(visibleRows(lay).map((r) => r.ranked.task.pid)).toEqual([2, 10]);
    expect(buildFrame(inp, { columns: 100, rows: 11 }, plain)[10]).toContain(`[${lay.items.length - 1}-${lay.items.length} of ${lay.items.length}]`);
  });

  it('shows the input line while a filter is typed, and the filter in the header', () => {
    const lines = buildFrame(input({ ...INITIAL_STATE, name: 'py', input: { kind: 'user', text: 'ro' } }), { columns: 120, rows: 20 }, plain);
    expect(lines[19]).toMatch(/^show user \(name or uid, empty = all, Esc cancels\): ro_/);
    expect(lines[0]).toContain('filter name~py');
    expect(lines.filter((l) => /^[> ]\s+\d+\s+\d+/.test(l))).toHaveLength(1);
  });

  it('shows the help on ?', () => {
    const lines = buildFrame(input({ ...INITIAL_STATE, help: true }), { columns: 120, rows: 30 }, plain);
    expect(lines.join('\n')).toContain('s m a p        sort by score (kill order), memory (RSS + swap), oom_score_adj, pid');
  });

  it('shows memory cgroups nearest their limit with their next victim', () => {
    const lines = buildFrame(input({ ...INITIAL_STATE, view: 'cgroups' }), { columns: 120, rows: 20 }, plain);
    const row = lines.find((l) => l.includes('/oomctl-fixture'));
    expect(row).toMatch(/^\s*73\.9%\s+47\.3 MiB\s+64\.0 MiB\s+2\s+1357 python3 \d+\.\d%\s+\/oomctl-fixture$/);
  });

  it('batch mode: every line, no status line, no colour', () => {
    const lines = buildFrame(input(), undefined, plain);
    expect(lines.some((l) => l.startsWith('q quit'))).toBe(false);
    expect(lines.filter((l) => /^[> ]\s+(\d+|-)\s+\d+\s/.test(l))).toHaveLength(6);
    expect(lines.join('')).not.toContain('\x1b');
  });

  it('colours whole lines and never cuts an escape sequence', () => {
    const red = new Chalk({ level: 1 });
    const lines = buildFrame(input(), { columns: 30, rows: 20 }, red);
    const victim = lines.find((l) => l.replace(/\x1b\[[0-9;]*m/g, '').startsWith('>')) as string;
    expect(victim.startsWith('\x1b[31m\x1b[1m')).toBe(true);
    expect(victim.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(30);
  });

  it('escapes control characters in names', () => {
    const inp = input();
    const r = inp.snapshot.prediction.ranked.find((x) => x.task.pid === 1358);
    if (!r) throw new Error('fixture changed');
    r.task.record.comm = 'ev\x1b[2Jil';
    const text = buildFrame(inp, { columns: 120, rows: 30 }, plain).join('\n');
    expect(text).toContain('ev\\x1b[2Jil');
    expect(text).not.toContain('\x1b[2J');
  });
});

describe('renderOomKills', () => {
  const t = new Date('2026-11-25T10:00:00Z');
  it.each([
    [{ count: undefined, atStart: undefined, latest: undefined, lastReadAt: t }, 'OOM kills: not counted by this kernel (/proc/vmstat oom_kill is v4.13+)'],
    [{ count: 0, atStart: 0, latest: undefined, lastReadAt: t }, 'OOM kills since boot: 0'],
    [{ count: 4, atStart: 3, latest: { after: t, by: new Date(t.getTime() + 3000), kills: 1 }, lastReadAt: t }, 'OOM kills since boot: 4, latest 1 kill between 10:00:00 and 10:00:03'],
  ])('%#', (track, text) => {
    expect(renderOomKills(track, clock)).toBe(text);
  });
});
