// A real OOM kill in a fresh memory cgroup, then `oomctl events --source kmsg`
// must report it with the pid, name, cgroup and numbers /dev/kmsg shows.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, writableMemcgParent } from '../helpers/live.js';
import { followsKmsg } from '../helpers/procs.js';
import { BIN, runCli, runCliJson } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { waitUntil } from '../helpers/wait.js';

const memcg = isRoot() ? writableMemcgParent() : undefined;
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const reason = !isRoot() ? 'not root' : memcg === undefined ? 'no writable memory cgroup' : !hasPython ? 'python3 is not installed (Debian package python3)' : undefined;


/** The kernel's own text: every /dev/kmsg record now in the ring buffer. */
function readKmsg(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(64 * 1024);
  const out: string[] = [];
  try {
    for (;;) {
      try {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        const rec = buf.toString('utf8', 0, n);
        out.push(rec.slice(rec.indexOf(';') + 1).split('\n')[0] as string);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue;
        throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

describe('oomctl events on a real OOM kill', skipWith(reason), () => {
  const name = `oomctl-events-live-${process.pid}`;
  const dir = path.join(memcg?.parent ?? '/nonexistent', name);
  afterAll(() => {
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try { rmdirSync(dir); } catch { spawnSync('sleep', ['0.1']); }
    }
  });

  it('reports the kill with the numbers /dev/kmsg shows', () => {
    const startSec = Math.floor(Date.now() / 1000) - 2; // btime has 1 s resolution
    mkdirSync(dir);
    if (memcg?.version === 1) writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    else writeFileSync(path.join(dir, 'memory.max'), String(64 * 1024 * 1024));
    const r = spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs; exec python3 -c "a=bytearray(200*1024*1024)"`], { timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    const pid = r.pid as number;

    const killed = readKmsg().find((l) => l.includes(`Killed process ${pid} (`));
    expect(killed, 'the kernel logged the kill').toBeDefined();
    const num = (key: string): number => Number(new RegExp(`${key}:(\\d+)`).exec(killed as string)?.[1]);

    const j = runCliJson(['events', '--source', 'kmsg', '--since', `@${startSec}`, '--victim', 'python3']);
    expect(j.source).toBe('/dev/kmsg');
    const ev = j.events.find((e: { victim: { pid: number } | null }) => e.victim?.pid === pid);
    expect(ev, `event for pid ${pid}`).toBeDefined();
    expect(ev.victim).toMatchObject({
      pid, comm: 'python3', uid: 0,
      total_vm_kb: num('total-vm'), anon_rss_kb: num('anon-rss'), file_rss_kb: num('file-rss'), shmem_rss_kb: num('shmem-rss'), pgtables_kb: num('pgtables'),
    });
    expect(ev.oom_memcg).toBe(`/${name}`);
    expect(ev.scope).toBe('memcg');
    expect(ev.memcg.limit_kb).toBe(65536);
    expect(ev.table.rows.map((row: { pid: number }) => row.pid)).toContain(pid);
    expect(ev.analysis.victim_rank).toBe(1);
    // wall time from the boot offset: within a few seconds of the kill
    expect(Math.abs(ev.time_ms - Date.now())).toBeLessThan(60_000);
  });

  it('names a victim that is running again now, with its pid, adj and the protect command', async () => {
    // It says "ready" once it runs (python3 on PATH may be a shim that execs the real one).
    const again = spawn('python3', ['-c', 'import time; print("ready", flush=True); time.sleep(30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let said = '';
    again.stdout.on('data', (d: Buffer) => { said += d.toString(); });
    try {
      await waitUntil(() => said.includes('ready'), 'python3 to start');
      const r = runCli(['events', '--source', 'kmsg', '--victim', 'python3', '-n', '1']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`python3 is running now: .*pid ${again.pid} \\(oom_score_adj 0\\).*; to protect it: oomctl protect python3`));
      const j = runCliJson(['events', '--source', 'kmsg', '--victim', 'python3', '-n', '1']);
      expect(j.events[0].running_now).toContainEqual({ pid: again.pid, oom_score_adj: 0 });
    } finally {
      again.kill('SIGKILL');
    }
  });

  it('--follow prints a new kill as it happens, and none of the old ones', async () => {
    const startMs = Date.now();
    const follower = spawn(process.execPath, [BIN, 'events', '--follow', '--source', 'kmsg', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout.setEncoding('utf8');
    follower.stdout.on('data', (d: string) => { out += d; });
    try {
      await waitUntil(() => followsKmsg(follower.pid as number), 'events --follow to read /dev/kmsg');
      const r = spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs; exec python3 -c "a=bytearray(200*1024*1024)"`], { timeout: 30_000 });
      expect(r.signal).toBe('SIGKILL');
      for (let i = 0; i < 40 && !out.includes(`"pid":${r.pid}`); i++) await new Promise((res) => setTimeout(res, 100));
      const lines = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      // other tests may OOM their own cgroups meanwhile: only ours must be exactly this kill
      const ours = lines.filter((e: { oom_memcg: string }) => e.oom_memcg === `/${name}`);
      expect(ours.map((e: { victim: { pid: number } }) => e.victim.pid)).toEqual([r.pid]);
      // nothing from before the follower started (the first test's kill is in the ring buffer)
      expect(lines.every((e: { time_ms: number }) => e.time_ms >= startMs - 2000)).toBe(true);
    } finally {
      follower.kill('SIGTERM');
    }
  });
});
