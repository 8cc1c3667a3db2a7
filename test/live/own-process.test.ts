// oomctl never ranks itself (issue 17, issue 14): its own process, and the
// Node 20 `run` wrapper waiting for it, show as "(oomctl)", take no rank, and
// are never the next victim nor the rival of a what-if. To make the test able
// to fail, oomctl runs at oom_score_adj 1000: the kernel's own choice would be
// oomctl itself.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isRoot } from '../helpers/live.js';
import { BIN } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { waitUntil } from '../helpers/wait.js';

const env = { ...process.env, NO_COLOR: '1' };
/** oomctl ARGS at adj 1000, through a shell that sets it and execs node (same pid). */
function oomctlAt1000(args: string[]): { pid: number; status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', 'echo 1000 > /proc/self/oom_score_adj && exec "$@"', 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', env });
  return { pid: r.pid as number, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const started: ChildProcess[] = [];
afterEach(() => { for (const c of started.splice(0)) c.kill('SIGKILL'); });

describe('oomctl does not rank itself', skipWith(isRoot() ? undefined : 'not root: raising and reading every process needs it'), () => {
  it('top --json --all: its own row is oomctl, unranked, killable; rank 1 is another process', () => {
    const r = oomctlAt1000(['top', '--once', '--json', '--all']);
    expect(r.status, r.stderr).toBe(0);
    const procs = JSON.parse(r.stdout).processes as { pid: number; rank: number | null; oomctl: boolean; killable: boolean; oom_score_adj: number }[];
    const own = procs.find((p) => p.pid === r.pid);
    expect(own).toMatchObject({ rank: null, oomctl: true, killable: true, oom_score_adj: 1000 });
    expect(procs.filter((p) => p.oomctl).map((p) => p.pid)).toEqual([r.pid]);
    expect(procs.find((p) => p.rank === 1)?.pid).not.toBe(r.pid);
  });

  it('top, its live-screen header (--batch) and metrics name another next victim; --all shows it as (oomctl)', () => {
    const once = oomctlAt1000(['top', '--once', '--all', '-n', '0']);
    expect(once.stdout).toMatch(/^next victim: pid \d+/m);
    expect(once.stdout).not.toContain(`next victim: pid ${once.pid} `);
    expect(once.stdout).toMatch(new RegExp(`^ +- +${once.pid} +\\S+ +\\(oomctl\\) .*oomctl itself, not ranked( +\\S+)?$`, 'm'));
    const batch = oomctlAt1000(['top', '-b', '-i', '1']);
    expect(batch.stdout).toMatch(/next victim: pid \d+/);
    expect(batch.stdout).not.toContain(`next victim: pid ${batch.pid} `);
    const metrics = oomctlAt1000(['metrics']);
    expect(metrics.status, metrics.stderr).toBe(0);
    expect(metrics.stdout).not.toContain(`pid="${metrics.pid}"`);
  });

  it('explain: the what-if names a rival that stays, not oomctl', async () => {
    // The sleep at adj 999 is second to oomctl at 1000 in the kernel's order, first without it.
    const sleep = spawn('sh', ['-c', 'echo 999 > /proc/self/oom_score_adj && exec sleep 30'], { stdio: 'ignore' });
    started.push(sleep);
    const pid = sleep.pid as number;
    await waitUntil(() => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8') === 'sleep\n' && readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim() === '999'; } catch { return false; } }, 'the sleep at adj 999');
    const r = oomctlAt1000(['explain', String(pid)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(`pid ${r.pid} `);
    expect(r.stdout).toMatch(/rank 1 of \d+ killable/);
  });

  it('the Node 20 run wrapper waiting for oomctl is oomctl too', skipWith(typeof (process as unknown as { execve?: unknown }).execve === 'function' ? 'this Node execs: no wrapper' : undefined), () => {
    const r = oomctlAt1000(['run', '--adj', '1000', '--', process.execPath, BIN, 'top', '--once', '--json', '--all']);
    expect(r.status, r.stderr).toBe(0);
    const procs = JSON.parse(r.stdout).processes as { pid: number; ppid?: number; oomctl: boolean; rank: number | null }[];
    const own = procs.filter((p) => p.oomctl).map((p) => p.pid);
    expect(own).toContain(r.pid); // the wrapper, whose pid spawnSync knows
    expect(own).toHaveLength(2);
    expect(procs.filter((p) => p.oomctl).every((p) => p.rank === null)).toBe(true);
  });
});
