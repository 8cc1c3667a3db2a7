// Under hidepid, an unprivileged user sees only its own processes (or cannot
// read the others): the ranking is partial, and oomctl names no victim it
// cannot know (issue 17). A fresh proc is mounted with hidepid in a private
// mount namespace (unshare -m), on a folder that --root points at: since
// Linux 5.8 each proc mount has its own options, so the machine's /proc is
// never touched. uid 65534 runs a copy of the build it can read.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { isRoot } from '../helpers/live.js';
import { binaryForUid } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const canUnshare = isRoot() && spawnSync('unshare', ['-m', 'true']).status === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const skip = !isRoot() ? 'not root: mounting proc and switching uid need it' : !canUnshare ? 'unshare -m is refused here' : !hasSetpriv ? 'setpriv is not installed (util-linux)' : undefined;

const tree = mkdtempSync(path.join(tmpdir(), 'oomctl-w-fixes2-hidepid-'));
mkdirSync(path.join(tree, 'proc'));
chmodSync(tree, 0o755);
afterAll(() => rmSync(tree, { recursive: true, force: true }));

/** oomctl ARGS as uid 65534 with --root on a proc mounted with `hidepid`. */
function asNobody(ctx: TestContext, hidepid: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const bin = binaryForUid(ctx, 65534);
  const script = 'mount --make-rprivate / && mount -t proc -o "hidepid=$1" proc "$2/proc" && shift 2 && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"';
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', hidepid, tree, process.execPath, bin, '--root', tree, ...args], { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('top, explain and metrics under hidepid as uid 65534', skipWith(skip), () => {
  for (const hidepid of ['invisible', 'noaccess']) it(`hidepid=${hidepid}: top says the ranking is partial and names no victim`, (ctx) => {
    const human = asNobody(ctx, hidepid, ['top', '--once', '-n', '0']);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toContain('next victim: unknown (the ranking is partial)');
    expect(human.stdout).toContain(`the ranking is partial (/proc is mounted with hidepid=${hidepid}`);
    expect(human.stdout).not.toMatch(/next victim: pid/);
    const json = JSON.parse(asNobody(ctx, hidepid, ['top', '--once', '--json']).stdout);
    expect(json.partial_view).toMatchObject({ hidepid, next_victim_known: false });
    if (hidepid === 'noaccess') expect(json.partial_view.unreadable_processes).toBeGreaterThan(0);
    const batch = asNobody(ctx, hidepid, ['top', '-b', '-i', '1']);
    expect(batch.stdout).toMatch(/^next victim: unknown \(the ranking is partial\); /m);
    expect(batch.stdout).toContain('the ranking is partial (/proc is mounted');
  });

  it('metrics: view_complete 0, no process ranked', (ctx) => {
    const r = asNobody(ctx, 'invisible', ['metrics']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^oomctl_view_complete 0$/m);
    expect(r.stdout).not.toContain('oomctl_process_badness_pages{');
    expect(r.stdout).not.toContain('oomctl_killable_processes ');
  });

  it('explain of a process it cannot read: exit 4 and why, not "no process"', (ctx) => {
    const r = asNobody(ctx, 'noaccess', ['explain', '1']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^oomctl: cannot read process 1: its \/proc files are refused to this user \(\/proc is mounted with hidepid=noaccess\)$/m);
  });

  it('hidepid=off: the same run names a victim (the test can tell the two apart)', (ctx) => {
    const r = asNobody(ctx, 'off', ['top', '--once', '--json']);
    expect(JSON.parse(r.stdout).partial_view).toBeNull();
  });
});
