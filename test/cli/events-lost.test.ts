// `events` says how many kills the log lost: /proc/vmstat oom_kill (this boot) against the kernel's
// kills this boot found in the log (issue 17: vmstat said 38, the log held 29, nothing said 9 are gone).

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'killlog-lost-'));
  mkdirSync(path.join(root, 'var/log'), { recursive: true });
  mkdirSync(path.join(root, 'proc'), { recursive: true });
  // a real syslog with 2 kills on 2025-06-24 (the memory.oom.group victim printed twice counts once)
  copyFileSync(path.join(FIXTURES, 'logs', 'aks-syslog-oom-group.log'), path.join(root, 'var/log/kern.log'));
  const t = new Date('2025-06-25T00:00:00Z');
  utimesSync(path.join(root, 'var/log/kern.log'), t, t);
  // booted 2025-06-24 00:00 UTC; the kernel counted 38 kills since
  writeFileSync(path.join(root, 'proc/stat'), `cpu  1 2 3 4\nbtime ${Date.parse('2025-06-24T00:00:00Z') / 1000}\n`);
  writeFileSync(path.join(root, 'proc/vmstat'), 'nr_free_pages 1\noom_kill 38\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lost kills', () => {
  it('--json: kills_this_boot with the count the log does not hold', () => {
    const j = runCliJson(['events', '--root', root]);
    const inLog = j.kills_this_boot.in_log;
    expect(inLog).toBeGreaterThan(0);
    expect(j.kills_this_boot).toMatchObject({ vmstat_oom_kill: 38, not_in_log: 38 - inLog });
    expect(j.kills_this_boot.note).toBe(`${38 - inLog} kill(s) not in the log (log rotated or ring buffer overwritten): /proc/vmstat oom_kill counts 38 this boot, the log holds ${inLog}`);
    // every event has a stable id and one shape
    for (const e of j.events) {
      expect(e.id).toMatch(/^(t|l|b)/);
      expect(e).toHaveProperty('verdict.killer');
      // owner: null where no record names the victim's cgroup, else the owner the path shows (a --file-like
      // log of other machines here, so no names from disk were found)
      expect(e).toHaveProperty('owner');
      if (e.owner !== null) expect(['unit', 'container', 'pod', 'none']).toContain(e.owner.kind);
      expect(Array.isArray(e.sources)).toBe(true);
    }
  });

  it('human: the same sentence on stderr', () => {
    const r = runCli(['events', '--root', root]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\d+ kill\(s\) not in the log \(log rotated or ring buffer overwritten\): \/proc\/vmstat oom_kill counts 38 this boot/);
  });

  it('says nothing for --file logs (another machine\'s, maybe)', () => {
    const j = runCliJson(['events', '--root', root, '--file', path.join(root, 'var/log/kern.log')]);
    expect(j.kills_this_boot).toBeNull();
  });

  it('--details takes an id', () => {
    const j = runCliJson(['events', '--root', root]);
    const id = j.events[0].id as string;
    const d = runCli(['events', '--root', root, '--details', id]);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain(`OOM kill ${id} (#1)`);
    expect(d.stdout).toMatch(/Verdict\n  killer      kernel-/);
    const bad = runCli(['events', '--root', root, '--details', 'nosuchid']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/no event with id nosuchid/);
  });
});
