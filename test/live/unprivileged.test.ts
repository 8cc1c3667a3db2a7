// As an ordinary user some /proc files may be unreadable (hidepid, a
// hardened kernel): oomctl shows what it can read and says once what it missed.

import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryForUid, FIXTURES, openModes } from '../helpers/run-cli.js';
import { isRoot } from '../helpers/live.js';
import { skipWith } from '../helpers/skip.js';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const reason = !isRoot() ? 'needs root to switch to nobody' : !SETPRIV ? 'setpriv is not installed (Debian package util-linux)' : undefined;

describe('as nobody', skipWith(reason), () => {
  // Made in beforeAll: a skipped suite runs no hook, so it would leave a folder made here behind.
  let tmp: string;
  beforeAll(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'oomctl-unpriv-')); });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('shows what it can read and says once what is missing', (ctx) => {
    // nobody runs a copy of the build it can read: the checkout may be out of its reach.
    const bin = binaryForUid(ctx, 65534);
    const root = path.join(tmp, 'root');
    cpSync(path.join(FIXTURES, 'vm-6.18-scenario'), root, { recursive: true });
    openModes(root); // whatever the umask of the checkout
    chmodSync(tmp, 0o755);
    const pids = readdirSync(path.join(root, 'proc')).filter((d) => /^\d+$/.test(d));
    const hidden = pids.slice(0, 3);
    for (const p of hidden) chmodSync(path.join(root, 'proc', p, 'status'), 0o000);
    const r = spawnSync(SETPRIV as string, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, '--root', root, 'top', '--all', '-n', '0', '--json'], {
      encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.processes.length).toBe(pids.length - hidden.length);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^oomctl: could not read 3 files for lack of permission \(first: \/proc\/\d+\/status\)/);
  });
});
