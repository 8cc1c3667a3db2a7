// The bundled binary against a /proc tree captured from this VM
// (test/fixtures/vm-6.18-scenario, made by scripts/capture-fixture.mjs
// --scenario): the kernel's own oom_score values are in the capture.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';

const ROOT = path.join(FIXTURES, 'vm-6.18-scenario');
const at = ['--root', ROOT];

describe('oomctl top on a captured tree', () => {
  const j = runCliJson(['top', ...at, '--all']);

  it('predicts the oom_score the kernel printed, for every killable process', () => {
    const killable = j.processes.filter((p: any) => p.killable);
    expect(killable.length).toBeGreaterThan(10);
    for (const p of killable) expect({ pid: p.pid, score: p.predicted_oom_score }).toEqual({ pid: p.pid, score: p.oom_score });
  });

  it('reads 0 for what the kernel never kills, and says why', () => {
    const init = j.processes.find((p: any) => p.pid === 1);
    expect(init).toMatchObject({ killable: false, unkillable_reason: 'init', oom_score: 0, predicted_oom_score: 0, rank: null });
    const kthreads = j.processes.filter((p: any) => p.unkillable_reason === 'kernel-thread');
    expect(kthreads.length).toBeGreaterThan(10);
    for (const k of kthreads) expect(k.oom_score).toBe(0);
  });

  it('ranks by badness: adj 1000 first, then 700, 300, then the biggest', () => {
    const ranked = j.processes.filter((p: any) => p.killable);
    expect(ranked.slice(0, 3).map((p: any) => p.oom_score_adj)).toEqual([1000, 700, 300]);
    expect(ranked.map((p: any) => p.rank)).toEqual(ranked.map((_: unknown, i: number) => i + 1));
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].badness_pages).toBeGreaterThanOrEqual(ranked[i].badness_pages);
  });

  it('carries the documented JSON shape', () => {
    expect(j.kernel).toEqual({ release: '6.18.44-fc-v657', page_size: 4096, page_size_source: 'auxv', score_era: 'v5.9+', tie_rule: 'last-scanned' });
    expect(j.scope).toMatchObject({ type: 'global', totalpages: 6171023, cgroup: null });
    expect(Object.keys(j.memory)).toEqual(['mem_total_kb', 'mem_available_kb', 'swap_total_kb', 'swap_free_kb', 'commit_limit_kb', 'committed_as_kb', 'psi']);
    expect(j.sysctl['vm.panic_on_oom']).toBe(0);
    for (const key of ['rank', 'pid', 'comm', 'user', 'uid', 'oom_score', 'predicted_oom_score', 'oom_score_adj', 'badness_pages', 'rss_anon_kb', 'rss_file_kb', 'rss_shmem_kb', 'swap_kb', 'pgtables_kb', 'killable']) {
      expect(j.processes[0]).toHaveProperty(key);
    }
  });

  it('inside a memory cgroup: its processes, its limit, adj scaled by it', () => {
    const c = runCliJson(['top', ...at, '--cgroup', '/oomctl-fixture']);
    expect(c.scope).toMatchObject({ type: 'memcg', cgroup: '/oomctl-fixture', cgroup_version: 1, totalpages: 131072, limit_bytes: 512 * 1024 * 1024 });
    expect(c.processes.map((p: any) => p.oom_score_adj)).toEqual([300, 0, 0]);
    // Globally the 300 one is third; inside 512 MiB its adj is worth 300*131 pages only, and still first.
    expect(c.processes[0].badness_pages).toBe(c.processes[0].memory_pages + 300 * 131);
  });

  it('accepts the cgroup path with a trailing slash, rejects .. and unknown ones', () => {
    expect(runCli(['top', ...at, '--cgroup', '/oomctl-fixture/']).status).toBe(0);
    const bad = runCli(['top', ...at, '--cgroup', '/../etc']);
    expect(bad.status).toBe(2);
    const missing = runCli(['top', ...at, '--cgroup', '/nope']);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/^oomctl: no memory cgroup \/nope\n/);
  });

  it('escapes a hostile process name in human output, keeps it raw in JSON', () => {
    const human = runCli(['top', ...at, '-n', '0']);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('ev\\x1b[31mil\\x07');
    // eslint-disable-next-line no-control-regex
    expect(human.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(j.processes.some((p: any) => p.comm === 'ev\x1b[31mil\x07')).toBe(true);
  });

  it('--limit, --user and --sort', () => {
    const two = runCliJson(['top', ...at, '-n', '2']);
    expect(two.processes).toHaveLength(2);
    const nobody = runCliJson(['top', ...at, '--user', 'nobody']);
    expect(nobody.processes).toHaveLength(0);
    const byPid = runCliJson(['top', ...at, '--sort', 'pid', '-n', '0']);
    const pids = byPid.processes.map((p: any) => p.pid);
    expect(pids).toEqual([...pids].sort((a: number, b: number) => a - b));
    // A name /etc/passwd does not know: one line, exit 3 (not found), in every mode of top.
    for (const mode of [['--once'], ['--once', '--json'], ['-b', '-i', '1']]) {
      const none = runCli(['top', ...at, ...mode, '--user', 'nosuchuser']);
      expect({ status: none.status, stderr: none.stderr, stdout: none.stdout }).toEqual({ status: 3, stderr: 'oomctl: no user "nosuchuser" in /etc/passwd\n', stdout: '' });
    }
    // A uid with no name is valid: an empty list, exit 0.
    expect(runCli(['top', ...at, '--once', '--user', '4242']).status).toBe(0);
    const bad = runCli(['top', ...at, '--sort', 'bogus']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown sort key "bogus"');
  });

  it('human header names the next victim and the sysctls', () => {
    const h = runCli(['top', ...at, '-n', '3']);
    expect(h.stdout).toMatch(/next victim: pid \d+ \(python3\)/);
    expect(h.stdout).toContain('vm.panic_on_oom=0 kernel.panic=1');
    expect(h.stdout).toMatch(/^RANK +PID +USER +COMM +OOM +OOMADJ +RSS +SWAP +%TOTAL +OWNER$/m);
  });
});

describe('oomctl explain on a captured tree', () => {
  it('explains every term, both scopes, and the thresholds', () => {
    const top = runCliJson(['top', ...at, '--cgroup', '/oomctl-fixture']);
    const pid = top.processes[0].pid as number;
    const e = runCliJson(['explain', ...at, String(pid)]);
    const p = e.processes[0];
    expect(p.pid).toBe(pid);
    expect(p.terms.memory_pages).toBe(p.terms.rss_anon.pages + p.terms.rss_file.pages + p.terms.rss_shmem.pages + p.terms.swap.pages + p.terms.pgtables.pages);
    expect(p.predicted_oom_score).toBe(p.oom_score);
    expect(p.global.rank).toBe(3);
    expect(p.memory_cgroups).toHaveLength(1);
    expect(p.memory_cgroups[0]).toMatchObject({ cgroup: '/oomctl-fixture', rank: 1, totalpages: 131072 });
    // Thresholds hold against the kernel rule: at adj_to_drop_below_next it is no longer first.
    const m = p.memory_cgroups[0];
    const below = p.terms.memory_pages + m.adj_to_drop_below_next * m.adj_unit_pages;
    const above = p.terms.memory_pages + (m.adj_to_drop_below_next + 1) * m.adj_unit_pages;
    expect(below).toBeLessThanOrEqual(m.next.badness_pages);
    expect(above).toBeGreaterThan(m.next.badness_pages);
    const h = runCli(['explain', ...at, String(pid)]);
    expect(h.stdout).toMatch(/oom_score_adj 300 ≈ \+7\.\d GiB here/);
    expect(h.stdout).toContain('this is the next victim');
  });

  it('a name that matches several explains each', () => {
    const e = runCliJson(['explain', ...at, 'python3']);
    expect(e.processes.length).toBe(5);
  });

  it('unknown pid or name: one line, exit 3', () => {
    const r = runCli(['explain', ...at, '999999']);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('oomctl: no process with pid 999999\n');
    const n = runCli(['explain', ...at, 'pytho']);
    expect(n.status).toBe(3);
    expect(n.stderr).toContain('did you mean: python3?');
  });

  it('explains why init is never chosen', () => {
    const r = runCli(['explain', ...at, '1']);
    expect(r.stdout).toContain('it is init (pid 1)');
  });
});

describe('the command line', () => {
  it('usage errors exit 2 with one line and no stack', () => {
    const r = runCli(['top', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^oomctl: unknown option '--bogus'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(runCli(['top', '-n', 'x']).status).toBe(2);
    expect(runCli(['--color', 'sometimes', 'top']).status).toBe(2);
  });

  it('--version and --help', () => {
    const v = runCli(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = runCli(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('Examples:');
    expect(h.stdout).toContain('--root <dir>');
  });

  it('a missing root is one line with exit 7, and --debug adds the stack', () => {
    const r = runCli(['--root', '/nonexistent-root', 'top']);
    expect(r.status).toBe(7);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^oomctl: cannot read .*osrelease/);
    const d = runCli(['--debug', '--root', '/nonexistent-root', 'top']);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('systemd\'s oomctl verbs: handed over, or one line saying this is another oomctl', () => {
    const r = runCli(['dump']);
    if (r.stderr.includes('not installed')) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/systemd's oomctl .* this is a different oomctl/);
    } else {
      // systemd's oomctl ran: whatever it printed, it was not our usage error.
      expect(r.stderr).not.toContain('unknown command');
    }
  });
});

describe('handing over to systemd\'s oomctl', () => {
  it('runs the other binary with the same arguments and exits with its status', async () => {
    const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oomctl-fake-'));
    try {
      const fake = path.join(dir, 'oomctl');
      writeFileSync(fake, '#!/bin/sh\necho "systemd-oomctl: $*"\nexit 3\n');
      chmodSync(fake, 0o755);
      const r = runCli(['dump', '--no-pager'], { env: { OOMCTL_SYSTEMD_OOMCTL: fake } });
      expect(r.stdout).toBe('systemd-oomctl: dump --no-pager\n');
      expect(r.status).toBe(3);
      const missing = runCli(['dump'], { env: { OOMCTL_SYSTEMD_OOMCTL: path.join(dir, 'absent') } });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toBe('oomctl: "dump" belongs to systemd\'s oomctl (systemd-oomd), which is not installed here; this is a different oomctl (see oomctl --help)\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--no-pager after a verb of ours runs ours and is ignored (oomctl never pages); no hand-over', () => {
    const env = { OOMCTL_SYSTEMD_OOMCTL: path.join(ROOT, 'no-such-systemd-oomctl') };
    const r = runCli(['--root', ROOT, 'top', '--no-pager', '--once', '-n', '1'], { env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^RANK +PID/m);
    const plain = runCli(['--root', ROOT, 'top', '--once', '-n', '1'], { env });
    expect(r.stdout).toBe(plain.stdout);
  });

  it('bare oomctl shows the ranking', () => {
    const j = runCliJson(['--root', ROOT]);
    expect(j.processes[0].rank).toBe(1);
  });
});
