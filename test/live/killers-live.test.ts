// Live: (1) a real v1 memory-cgroup OOM kill seen once by `events --follow`, its /dev/kmsg report and
// the cgroup's memory.oom_control counter joined into one death, within 2 s; (2) a kill by earlyoom,
// run by this test in its own PID namespace (so its /proc shows only this test's processes), reported
// as earlyoom's and not the kernel's.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, skipReason } from '../helpers/live.js';
import { followsKmsg } from '../helpers/procs.js';
import { BIN, runCliJson } from '../helpers/run-cli.js';
import { waitUntil } from '../helpers/wait.js';

const V1 = '/sys/fs/cgroup/memory';
const hasV1 = existsSync(`${V1}/memory.oom_control`);
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const reason1 = !isRoot() ? 'not root' : !hasV1 ? 'no cgroup v1 memory controller at /sys/fs/cgroup/memory' : !hasPython ? 'python3 not installed' : undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe.skipIf(skipReason(reason1, 'live memcg OOM kill joined across kmsg and memory.oom_control'))('events --follow joins kmsg and the cgroup counter', () => {
  const name = `killlog-follow-${process.pid}`;
  const dir = path.join(V1, name);
  let follower: ChildProcess | undefined;
  afterAll(() => {
    follower?.kill('SIGTERM');
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try { rmdirSync(dir); } catch { spawnSync('sleep', ['0.1']); }
    }
  });

  it('reports the kill once, from both sources, within 2 s', async () => {
    follower = spawn(process.execPath, [BIN, 'events', '--follow', '--json', '--source', 'kmsg'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const lines: { at: number; text: string }[] = [];
    let buf = '';
    follower.stdout?.setEncoding('utf8');
    follower.stdout?.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) { lines.push({ at: Date.now(), text: buf.slice(0, nl) }); buf = buf.slice(nl + 1); }
    });
    // the follower reads the ring buffer's backlog and the counters' baseline first
    await waitUntil(() => followsKmsg(follower?.pid as number), 'events --follow to read /dev/kmsg');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(48 * 1024 * 1024));
    const r = spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs; exec python3 -c "a=bytearray(200*1024*1024)"`], { timeout: 30_000 });
    const diedAt = Date.now();
    expect(r.signal).toBe('SIGKILL');
    const pid = r.pid as number;
    expect(readFileSync(path.join(dir, 'memory.oom_control'), 'utf8')).toMatch(/oom_kill 1/);
    for (let i = 0; i < 40 && !lines.some((l) => l.text.includes(`"pid":${pid}`)); i++) await sleep(100);
    // a little longer: a second report of the same death would come now
    await sleep(1500);
    const mine = lines.filter((l) => { try { return (JSON.parse(l.text) as { victim?: { pid: number } }).victim?.pid === pid; } catch { return false; } });
    expect(mine, `one line for pid ${pid}`).toHaveLength(1);
    const first = mine[0] as { at: number; text: string };
    const ev = JSON.parse(first.text) as { id: string; verdict: { killer: string }; sources: { source: string; cgroup: string | null }[] };
    expect(ev.verdict.killer).toBe('kernel-memcg');
    expect(ev.sources.map((s) => s.source).sort()).toEqual(['kernel', 'memory.oom_control']);
    expect(ev.sources.find((s) => s.source === 'memory.oom_control')?.cgroup).toBe(`/${name}`);
    expect(ev.id).toMatch(new RegExp(`^[0-9a-f]{8}-\\d+-${pid}$`));
    // spawnSync returns once the victim is reaped; the report arrives within 2 s of that
    expect(first.at - diedAt).toBeLessThan(2000);
    // the same death listed afterwards keeps its id
    const j = runCliJson(['events', '--source', 'kmsg', '--victim', 'python3']);
    expect(j.events.map((e: { id: string }) => e.id)).toContain(ev.id);
  }, 30_000);
});

const hasEarlyoom = spawnSync('earlyoom', ['-v']).status === 0;
const hasUnshare = spawnSync('unshare', ['--help']).status === 0;
const reason2 = !isRoot() ? 'not root' : !hasEarlyoom ? 'earlyoom not installed (apt-get install earlyoom)' : !hasUnshare ? 'unshare not installed' : !hasPython ? 'python3 not installed' : undefined;

/**
 * Runs `script` as PID 1 of a new PID namespace with its own /proc: earlyoom started there sees only
 * the namespace's processes, so it cannot pick anyone else's on this shared machine.
 */
function inPidNamespace(script: string, timeoutMs: number): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { timeout: timeoutMs, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe.skipIf(skipReason(reason2, 'live earlyoom kill'))('a kill by earlyoom', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'killlog-earlyoom-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('first, confined: earlyoom --dryrun in the namespace sees only the namespace', () => {
    // /proc in the namespace: sh (pid 1), the victim, earlyoom; nothing of the host
    const r = inPidNamespace('python3 -c "import time; time.sleep(5)" & sleep 0.3; ls /proc | grep -c "^[0-9]"; timeout 2 earlyoom -m 99 -s 100 -r 0 --dryrun 2>&1; true', 15_000);
    const count = Number(r.stdout.split('\n')[0]);
    expect(count).toBeLessThanOrEqual(5);
    expect(r.stdout).toMatch(/dryrun, not actually sending any signal/);
    expect(r.stdout).toMatch(/sending SIGTERM to process \d+ uid 0 "python3"/);
  });

  it('kills the namespace\'s victim, and `events` says earlyoom did it', () => {
    const canary = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const log = path.join(tmp, 'earlyoom.log');
      // -m 99 -s 100: earlyoom acts at once (mem available <= 99 %); the only process it may pick is the victim
      // (sh is pid 1, which earlyoom never takes; once the victim is gone it may take `timeout`, also ours)
      const r = inPidNamespace(`python3 -c "a=bytearray(64<<20); import time; time.sleep(20)" & V=$!; sleep 0.5; timeout 4 earlyoom -m 99 -s 100 -r 0 > ${log} 2>&1; wait $V; echo "victim-status $?"`, 30_000);
      // SIGTERM: 128 + 15
      expect(r.stdout).toMatch(/victim-status 143/);
      // nothing outside the namespace died
      expect(canary.exitCode).toBeNull();
      expect(existsSync(`/proc/${canary.pid}`)).toBe(true);
      const text = readFileSync(log, 'utf8');
      expect(text).toMatch(/sending SIGTERM to process \d+ uid 0 "python3": badness \d+, VmRSS \d+ MiB/);
      const j = runCliJson(['events', '--file', log]);
      // every kill is of a process of the namespace: the victim, or `timeout` after it
      for (const x of j.events) expect(['python3', 'timeout'], text).toContain(x.victim.comm);
      const mine = j.events.filter((x: { victim: { comm: string } }) => x.victim.comm === 'python3');
      expect(mine, text).toHaveLength(1);
      const e = mine[0];
      expect(e.killer).toBe('earlyoom');
      expect(e.verdict.killer).toBe('earlyoom');
      expect(e.victim.comm).toBe('python3');
      expect(e.userspace.signal).toBe('SIGTERM');
      expect(e.userspace.outcome).toBe('exited');
      expect(e.verdict.trigger.detail).toMatch(/low memory! at or below SIGTERM limits/);
      expect(e.sources.map((s: { source: string }) => s.source)).toEqual(['earlyoom']);
    } finally {
      canary.kill('SIGKILL');
    }
  }, 40_000);
});
