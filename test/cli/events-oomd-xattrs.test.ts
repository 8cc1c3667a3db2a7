// events reads systemd-oomd's own counters, the xattrs user.oomd_ooms and user.oomd_kill that
// src/oom/oomd-util.c oomd_cgroup_kill() keeps on each cgroup it acted on (issue 16): they outlive
// the log. A root with a cgroup v2 tree whose folders carry real user.* xattrs, and systemd-oomd's
// socket folder (/run/systemd/oom), which is when events reads them.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';
import { PYTHON } from '../helpers/procs.js';
import { skipNow } from '../helpers/skip.js';

let root: string;
let why: string | undefined;
const UNIT = '/system.slice/leaky.service';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'oomctl-oomd-xattrs-'));
  mkdirSync(path.join(root, 'var/log'), { recursive: true });
  copyFileSync(path.join(FIXTURES, 'logs', 'aks-syslog-oom-group.log'), path.join(root, 'var/log/kern.log'));
  const cg = path.join(root, 'sys/fs/cgroup');
  for (const rel of ['', '/system.slice', UNIT, '/system.slice/quiet.service']) {
    mkdirSync(cg + rel, { recursive: true });
    writeFileSync(path.join(cg + rel, 'cgroup.procs'), '');
    writeFileSync(path.join(cg + rel, 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
  }
  writeFileSync(path.join(cg, 'cgroup.controllers'), 'cpu io memory pids\n');
  mkdirSync(path.join(root, 'run/systemd/oom'), { recursive: true });
  if (!PYTHON) { why = 'python3 is not installed (it sets the test xattrs)'; return; }
  const set = spawnSync(PYTHON, ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.oomd_ooms", b"2"); os.setxattr(sys.argv[1], "user.oomd_kill", b"5")', cg + UNIT], { encoding: 'utf8' });
  if (set.status !== 0) why = `cannot set user xattrs under ${tmpdir()}: ${set.stderr.trim()}`;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('systemd-oomd xattrs as a source of events', () => {
  it('--json: the cgroup it acted on, with its counts; cgroups without them are left out', (ctx) => {
    skipNow(ctx, why);
    const j = runCliJson(['events', '--root', root]);
    const mine = j.cgroup_counters.filter((c: { cgroup: string }) => c.cgroup === UNIT);
    expect(mine).toEqual([expect.objectContaining({ cgroup: UNIT, file: 'memory.events', oomd_ooms: 2, oomd_kill: 5 })]);
    expect(j.cgroup_counters.some((c: { cgroup: string }) => c.cgroup === '/system.slice/quiet.service')).toBe(false);
  });

  it('the human list says it on stderr, and not without systemd-oomd\'s socket folder', (ctx) => {
    skipNow(ctx, why);
    const r = runCli(['events', '--root', root]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`systemd-oomd acted on ${UNIT} 2 time(s) and killed 5 process(es) there (xattrs user.oomd_ooms, user.oomd_kill)`);
    rmSync(path.join(root, 'run/systemd/oom'), { recursive: true });
    try {
      const j = runCliJson(['events', '--root', root]);
      expect(j.cgroup_counters.some((c: { cgroup: string }) => c.cgroup === UNIT)).toBe(false);
    } finally {
      mkdirSync(path.join(root, 'run/systemd/oom'), { recursive: true });
    }
  });

  it('events --file reads no counters of this machine', () => {
    const j = runCliJson(['events', '--root', root, '--file', path.join(root, 'var/log/kern.log')]);
    expect(j.cgroup_counters).toBeNull();
  });
});
