// `oomctl events` as a user runs it: the built binary on real logs, through
// --file, stdin and a fixture --root with rotated and gzipped syslog files.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';

const LOGS = path.join(FIXTURES, 'logs');
const log = (f: string): string => path.join(LOGS, f);
let root: string;

beforeAll(() => {
  // A root whose syslog family is kern.log.2.gz (oldest), kern.log.1, kern.log: all real logs.
  root = mkdtempSync(path.join(tmpdir(), 'oomctl-events-'));
  mkdirSync(path.join(root, 'var/log'), { recursive: true });
  writeFileSync(path.join(root, 'var/log/kern.log.2.gz'), gzipSync(readFileSync(log('docker-for-linux-1001-syslog-reaper.log'))));
  copyFileSync(log('ltp-1080-syslog-memcg-uid.log'), path.join(root, 'var/log/kern.log.1'));
  copyFileSync(log('aks-syslog-oom-group.log'), path.join(root, 'var/log/kern.log'));
  // syslog prints no year: it comes from the file's mtime
  const t = new Date(2025, 8, 1);
  for (const f of ['kern.log.2.gz', 'kern.log.1', 'kern.log']) utimesSync(path.join(root, 'var/log', f), t, t);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('oomctl events', () => {
  it('lists the kill of a real log with pid, name, user, RSS, adj, scope and trigger', () => {
    const r = runCli(['events', '--file', log('machine-6.18-memcg-v1.dmesg-T.log')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // the # column (which shifted as kills arrived) became a stable ID; KILLER is the verdict's (issue 17)
    expect(lines[0]).toMatch(/^ID\s+TIME\s+KILLER\s+PID\s+COMM\s+USER\s+RSS\s+ADJ\s+SCOPE\s+TRIGGER$/);
    expect(lines[1]).toMatch(/^t\d+-4460\s+2026-11-25 23:35:17\s+kernel-memcg\s+4460\s+python3\s+0\s+67\.2M\s+0\s+memcg \/oomctl-capture-3579\s+python3 pid 4460 order=0$/);
  });

  it('--json: every parsed field, the table, the recomputed ranking', () => {
    const j = runCliJson(['events', '--file', log('oomanalyser-ubuntu-5.13.log')]);
    expect(j.events).toHaveLength(1);
    const e = j.events[0];
    expect(e.victim).toMatchObject({ pid: 651, comm: 'unattended-upgr', uid: 0, anon_rss_kb: 8380, total_vm_kb: 108020, pgtables_kb: 104, oom_score_adj: 0 });
    expect(e.table.rows).toHaveLength(23);
    expect(e.table.rows[0]).toMatchObject({ pid: 323, pgtables_bytes: 77824, oom_score_adj: -250, name: 'systemd-journal' });
    expect(e.analysis).toMatchObject({ victim_rank: 1, margin_pages: 558, adj_to_spare: -2, kernel_rules: 'v5.9+' });
    expect(e.running_now).toBeNull(); // a log from another machine
  });

  it('reads the rotated and gzipped syslog family under --root, oldest first', () => {
    const j = runCliJson(['events', '--root', root]);
    expect(j.source).toBe('/var/log/kern.log (+2 rotated)');
    const pids = j.events.map((e: { victim: { pid: number } | null }) => e.victim?.pid);
    expect(pids).toEqual([401, 15784, 15925, 15783, 15934, 42452, 42453, 42474, 42471, 42468, 68061]);
    expect(j.events[0].time).toBe(new Date(2025, 4, 15, 23, 9, 30).toISOString());
  });

  it('--since/--until/--victim/-n narrow the list', () => {
    let j = runCliJson(['events', '--root', root, '--since', '2025-06-01', '--until', '2025-12-31 23:59']);
    expect(j.events.map((e: { victim: { pid: number } }) => e.victim.pid)).toEqual([42452, 42453, 42474, 42471, 42468, 68061]);
    j = runCliJson(['events', '--root', root, '--victim', 'python3']);
    expect(j.events.map((e: { victim: { pid: number } }) => e.victim.pid)).toEqual([15784, 15783]);
    const r = runCli(['events', '--root', root, '-n', '2']);
    expect(r.stdout).toContain('(2 of 11 shown; -n 0 for all)');
    expect(r.stdout).toMatch(/\n\S+-68061\s+2025-06-24 18:49:43\s+kernel-\S+\s+68061\s+stress/);
  });

  it('--details: the memory state, the ranking, the margin and the adj that would have spared the victim', () => {
    const r = runCli(['events', '--file', log('oomanalyser-rhel7-3.10.log'), '--details']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('killed      pid 6576 (mysqld)');
    expect(r.stdout).toContain('Ranking recomputed from the task table (kernel rules v3.5-v3.13; page size 4096)');
    expect(r.stdout).toMatch(/the victim ranked 1 of \d+; runner-up pid 27502 \(java\)/);
    expect(r.stdout).toContain('kernel printed score 651; recomputed 651');
    expect(r.stdout).toMatch(/oom_score_adj -\d+ or lower would have spared it/);
  });

  it('reads stdin with --file -', () => {
    const r = runCli(['events', '--file', '-', '--json'], { input: readFileSync(log('earlyoom-309-journal.log'), 'utf8') });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.events.map((e: { killer: string; victim: { pid: number } }) => [e.killer, e.victim.pid])).toEqual([['earlyoom', 29410], ['earlyoom', 11567]]);
  });

  it('reads journal JSON from stdin (real kernel messages of this machine in journal field names)', () => {
    // the kmsg fixture's records, each wrapped as journalctl -o json prints a kernel entry
    const input = readFileSync(log('machine-6.18-memcg-v1.kmsg.log'), 'utf8').trim().split('\n').map((rec) => {
      const usec = Number(rec.split(',')[2]);
      return JSON.stringify({ __REALTIME_TIMESTAMP: String(1795649296000000 + usec), _SOURCE_MONOTONIC_TIMESTAMP: String(usec), _TRANSPORT: 'kernel', _HOSTNAME: 'build', MESSAGE: rec.slice(rec.indexOf(';') + 1) });
    }).join('\n');
    const j = JSON.parse(runCli(['events', '--file', '-', '--json'], { input }).stdout);
    expect(j.events).toHaveLength(1);
    expect(j.events[0]).toMatchObject({ source_format: 'journal-json', host: 'build', uptime_sec: 420.892079, time_ms: Math.round(1795649296000 + 420892.079) });
    expect(j.events[0].victim).toMatchObject({ pid: 4460, comm: 'python3', anon_rss_kb: 65260 });
    expect(j.events[0].table.rows).toHaveLength(1);
  });

  it('escapes control characters from the log before the terminal', () => {
    const evil = 'Out of memory: Killed process 77 (ev\x1b[31mil) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n';
    const r = runCli(['events', '--file', '-'], { input: evil });
    expect(r.stdout).toContain('ev\\x1b[31mil');
    expect(r.stdout).not.toContain('\x1b');
  });

  it.each([
    [['--source', 'carrier-pigeon'], 2, /--source must be one of/],
    [['--since', 'soonish'], 2, /--since "soonish" is not a date/],
    [['--follow', '--file', 'x'], 2, /--follow reads \/dev\/kmsg or the journal/],
    [['--details', '99', '--file', log('netdata-10875-dmesg-memcg.log')], 3, /there is no event #99 \(1 matched\)/],
    [['--file', '/nonexistent/kern.log'], 3, /no such file/],
    [['--file', '/'], 2, /\/ is a directory, not a log file/],
  ])('%j exits %i', (args, status, message) => {
    const r = runCli(['events', ...args]);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
  });
});
