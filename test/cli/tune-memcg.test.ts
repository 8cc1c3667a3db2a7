// protect / adj inside a limited memory cgroup: test/fixtures/vm-6.18-scenario
// (captured from this VM) has /oomctl-fixture, limit 512 MiB = 131072 pages,
// with three python3 processes. Copied to a temp folder, where oom_score_adj
// files are plain files.
//
// Worked by hand from proc/PID/status (4 KiB pages, no swap), v5.9+ badness
// = rss + swap + pgtables pages + adj * (totalpages / 1000), here adj * 131:
//   5899  adj 0:   (105176 + 6628) / 4 + 264 / 4 = 28017
//   5900  adj 300: ( 72408 + 6656) / 4 + 200 / 4 = 19816, + 300 * 131 = 59116
//   5901  adj 0:   ( 39640 + 6664) / 4 + 132 / 4 = 11609
// In the cgroup: 5900 first, 5899, 5901. At adj 0, 5900 (19816) falls behind
// 5899; at adj 100 (32916) it stays first; 5900 drops below 5899 while
// 19816 + adj * 131 < 28017, i.e. up to adj 62 (63 * 131 = 8253 > 8201).

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from '../helpers/run-cli.js';

let root: string;
beforeEach(() => {
  root = copyFixture('vm-6.18-scenario', 'oomctl-tune-memcg-');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const adjOf = (pid: number): string => readFileSync(path.join(root, `proc/${pid}/oom_score_adj`), 'utf8').trim();
const cli = (...args: string[]) => runCli(['--root', root, ...args]);

describe('the effect of a change inside a limited memory cgroup', () => {
  it('adj 0 moves 5900 from first to second inside /oomctl-fixture', () => {
    const r = cli('adj', '5900', '0');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\n  in memory cgroup /oomctl-fixture: rank 1 of 3 → rank 2 of 3\n');
    expect(r.stdout).not.toContain('still the next victim there');
    expect(adjOf(5900)).toBe('0');
  });

  it('says what value would put another process first when it stays the next victim there', () => {
    const r = cli('adj', '5900', '100', '--json');
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).processes[0];
    expect(p.rank_after).not.toBe(1); // globally adj 1000 and 700 processes come first: no global hint
    expect(p.memory_cgroups).toEqual([
      { cgroup: '/oomctl-fixture', totalpages: 131072, rank_before: 1, rank_after: 1, killable: 3, adj_to_drop_below_next: 62 },
    ]);
    // The value it names does what it says.
    const human = cli('adj', '5900', '62');
    expect(human.stdout).toContain('in memory cgroup /oomctl-fixture: rank 1 of 3 → rank 2 of 3');
  });

  it('human output carries the hint for the cgroup', () => {
    const r = cli('adj', '5900', '100', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('  in memory cgroup /oomctl-fixture: rank 1 of 3 → rank 1 of 3\n'
      + '  still the next victim there: oom_score_adj 62 or lower would put another process first\n');
    expect(adjOf(5900)).toBe('300');
  });

  it('protect with a negative value moves 5899 from second to last there', () => {
    // 28017 - 150 * 131 = 8367, below 5901 (11609).
    const r = cli('protect', '5899', '-150', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).processes[0].memory_cgroups).toEqual([
      { cgroup: '/oomctl-fixture', totalpages: 131072, rank_before: 2, rank_after: 3, killable: 3, adj_to_drop_below_next: null },
    ]);
    expect(adjOf(5899)).toBe('-150');
  });

  it('a process without a limited cgroup on its path gets an empty array and no cgroup line', () => {
    // node (5888) is in /process_api/..., which sets no limit, nor does any ancestor.
    const j = JSON.parse(cli('adj', '5888', '200', '--dry-run', '--json').stdout);
    expect(j.processes[0].pid).toBe(5888);
    expect(j.processes[0].memory_cgroups).toEqual([]);
    expect(cli('adj', '5888', '200', '--dry-run').stdout).not.toContain('in memory cgroup');
  });
});
