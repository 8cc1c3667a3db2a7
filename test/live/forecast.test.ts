// `oomctl forecast` against real memory-cgroup OOM kills. In a fresh cgroup
// with a limit, a process grows at a steady rate next to a bigger one that
// does not. The forecast, taken after a few seconds, must name the grower as
// the victim at OOM and the still one as the next victim now, and its time to
// OOM must fall within 25 % of when the kernel really kills (the cgroup's
// memory.oom_control oom_kill counter, polled every 50 ms). Each measured
// error is printed (FORECAST-ERROR lines) for the report.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/run-cli.js';
import { isRoot, skipReason, writableMemcgParent, type MemcgRoot } from '../helpers/live.js';
import { killAll, PYTHON, startGrower, startHog, type Hog } from '../helpers/procs.js';

const MiB = 1024 * 1024;

function why(): string | undefined {
  if (!isRoot()) return 'needs root to create a memory cgroup';
  const m = writableMemcgParent();
  if (!m) return 'no writable memory cgroup controller';
  if (m.version !== 1) return 'the kill counter read here is cgroup v1 memory.oom_control';
  if (!PYTHON) return 'needs python3 for the growing process';
  return undefined;
}

function oomKills(dir: string): number {
  const m = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(dir, 'memory.oom_control'), 'utf8'));
  return m ? Number(m[1]) : 0;
}

function runForecastAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Case { rate: number; limitMib: number; stillMib: number; window: number }
const CASES: Case[] = [
  { rate: 8, limitMib: 320, stillMib: 120, window: 5 },
  { rate: 16, limitMib: 512, stillMib: 150, window: 5 },
  { rate: 5, limitMib: 256, stillMib: 80, window: 6 },
];

const reason = why();

describe.skipIf(skipReason(reason, 'forecast against real OOM kills'))('oomctl forecast, live', () => {
  let procs: Hog[] = [];
  let dir: string | undefined;

  afterEach(() => {
    killAll(procs);
    procs = [];
    if (dir) {
      for (let i = 0; i < 50; i++) {
        try { rmdirSync(dir); break; } catch { spawnSync('sleep', ['0.1']); }
      }
      expect(existsSync(dir), 'the test cgroup is removed').toBe(false);
    }
    dir = undefined;
  });

  function makeCgroup(name: string, limitMib?: number): { dir: string; path: string; procs: string } {
    const m = writableMemcgParent() as MemcgRoot;
    const d = path.join(m.parent, name);
    mkdirSync(d);
    dir = d;
    if (limitMib !== undefined) writeFileSync(path.join(d, 'memory.limit_in_bytes'), String(limitMib * MiB));
    return { dir: d, path: `/${name}`, procs: path.join(d, 'cgroup.procs') };
  }

  // The cases run at once, each in its own cgroup with its own processes and clean-up: each
  // waits for a real kill 15-25 s away, and one after the other they took ~80 s of the suite.
  it.concurrent.for(CASES)('grows $rate MiB/s toward a $limitMib MiB limit next to a still $stillMib MiB process', { timeout: 120_000 }, async (c, { expect }) => {
    const m = writableMemcgParent() as MemcgRoot;
    const cg = { dir: path.join(m.parent, `oomctl-forecast-${process.pid}-${c.rate}-${c.limitMib}`), path: `/oomctl-forecast-${process.pid}-${c.rate}-${c.limitMib}`, procs: '' };
    cg.procs = path.join(cg.dir, 'cgroup.procs');
    mkdirSync(cg.dir);
    const mine: Hog[] = [];
    try {
      writeFileSync(path.join(cg.dir, 'memory.limit_in_bytes'), String(c.limitMib * MiB));
      const still = await startHog(c.stillMib, 0, cg.procs);
      mine.push(still);
      const grower = await startGrower(c.rate, cg.procs);
      mine.push(grower);
      await sleep(2000);
      expect(oomKills(cg.dir)).toBe(0);

      // Poll the kernel's kill counter while the forecast samples.
      let killedAt: number | undefined;
      const poll = setInterval(() => { if (killedAt === undefined && oomKills(cg.dir) > 0) killedAt = Date.now(); }, 50);
      try {
        const r = await runForecastAsync(['forecast', '--cgroup', cg.path, '--window', String(c.window), '--json']);
        expect(r.status, r.stderr).toBe(0);
        const f = JSON.parse(r.stdout);
        const forecastAt = Date.parse(f.forecast_at);
        expect(killedAt, 'no kill before the forecast ends').toBeUndefined();
        expect(f.scope).toMatchObject({ type: 'memcg', cgroup: cg.path, limit_bytes: c.limitMib * MiB });
        expect(f.killer).toBe('kernel');
        expect(f.victim_at_oom.pid, 'the grower dies at OOM').toBe(grower.pid);
        expect(f.victim_at_oom.rank_now, 'the grower is not rank 1 now').toBe(2);
        expect(f.next_victim_now.pid, 'the still one is the next victim now').toBe(still.pid);
        expect(f.top_growers[0].pid).toBe(grower.pid);
        expect(f.confidence.level).toBe('high');
        const predicted = f.seconds_to_oom as number;
        expect(predicted).toBeGreaterThan(0);
        const deadline = Date.now() + predicted * 3000 + 10_000;
        while (killedAt === undefined && Date.now() < deadline) await sleep(50);
        expect(killedAt, 'the kernel killed within 3x the forecast').toBeDefined();
        const actual = ((killedAt as number) - forecastAt) / 1000;
        const error = (predicted - actual) / actual;
        // eslint-disable-next-line no-console
        console.log(`FORECAST-ERROR rate=${c.rate}MiB/s limit=${c.limitMib}MiB still=${c.stillMib}MiB window=${c.window}s predicted=${predicted.toFixed(2)}s actual=${actual.toFixed(2)}s error=${(error * 100).toFixed(1)}% growth=${(f.growth_bytes_per_second / MiB).toFixed(2)}MiB/s`);
        expect(Math.abs(error), `predicted ${predicted.toFixed(2)} s, killed after ${actual.toFixed(2)} s`).toBeLessThanOrEqual(0.25);
        const outcome = await Promise.race([grower.exited, sleep(5000).then(() => null)]);
        expect(outcome?.signal, 'the kernel killed the grower').toBe('SIGKILL');
      } finally {
        clearInterval(poll);
      }
    } finally {
      killAll(mine);
      for (let i = 0; i < 50; i++) {
        try { rmdirSync(cg.dir); break; } catch { await sleep(100); }
      }
      expect(existsSync(cg.dir), 'the test cgroup is removed').toBe(false);
    }
  });

  it('the tightest ancestor counts: a 1 GiB cgroup under a 320 MiB parent runs out at the parent', async () => {
    const parent = makeCgroup(`oomctl-forecast-${process.pid}-parent`, 320);
    const childDir = path.join(parent.dir, 'child');
    mkdirSync(childDir);
    try {
      writeFileSync(path.join(childDir, 'memory.limit_in_bytes'), String(1024 * MiB));
      const childProcs = path.join(childDir, 'cgroup.procs');
      const still = await startHog(120, 0, childProcs);
      procs.push(still);
      const grower = await startGrower(8, childProcs);
      procs.push(grower);
      await sleep(2000);
      let killedAt: number | undefined;
      const poll = setInterval(() => { if (killedAt === undefined && oomKills(childDir) + oomKills(parent.dir) > 0) killedAt = Date.now(); }, 50);
      try {
        const r = await runForecastAsync(['forecast', '--cgroup', `${parent.path}/child`, '--window', '5', '--json']);
        expect(r.status, r.stderr).toBe(0);
        const f = JSON.parse(r.stdout);
        expect(f.scope).toMatchObject({ type: 'memcg', cgroup: parent.path, requested_cgroup: `${parent.path}/child`, limit_bytes: 320 * MiB });
        expect(f.killers.filter((k: any) => k.watches.startsWith('memory cgroup')).map((k: any) => k.watches)).toEqual([`memory cgroup ${parent.path}/child`, `memory cgroup ${parent.path}`]);
        expect(f.victim_at_oom.pid).toBe(grower.pid);
        expect(f.next_victim_now.pid).toBe(still.pid);
        const deadline = Date.now() + f.seconds_to_oom * 3000 + 10_000;
        while (killedAt === undefined && Date.now() < deadline) await sleep(50);
        const actual = ((killedAt as number) - Date.parse(f.forecast_at)) / 1000;
        const error = (f.seconds_to_oom - actual) / actual;
        // eslint-disable-next-line no-console
        console.log(`FORECAST-ERROR ancestor rate=8MiB/s parent-limit=320MiB child-limit=1024MiB still=120MiB window=5s predicted=${f.seconds_to_oom.toFixed(2)}s actual=${actual.toFixed(2)}s error=${(error * 100).toFixed(1)}%`);
        expect(Math.abs(error)).toBeLessThanOrEqual(0.25);
      } finally {
        clearInterval(poll);
      }
    } finally {
      killAll(procs);
      for (const h of procs) await Promise.race([h.exited, sleep(2000)]);
      for (let i = 0; i < 50; i++) {
        try { rmdirSync(childDir); break; } catch { spawnSync('sleep', ['0.1']); }
      }
    }
  }, 120_000);

  it('nothing grows: seconds_to_oom is null and the exit status 0, even with --fail-below', async () => {
    const cg = makeCgroup(`oomctl-forecast-${process.pid}-still`, 256);
    procs.push(await startHog(60, 0, cg.procs));
    const r = runCli(['forecast', '--cgroup', cg.path, '--window', '3', '--json', '--fail-below', '86400']);
    expect(r.status, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.seconds_to_oom).toBeNull();
    expect(f.victim_at_oom).toBeNull();
    expect(f.killer).toBeNull();
    expect(f.confidence.level).toBe('none');
    expect(f.next_victim_now.pid).toBe(procs[0]?.pid);
  });

  it('a cgroup without a limit: the scope is the machine, said on stderr', async () => {
    const cg = makeCgroup(`oomctl-forecast-${process.pid}-nolimit`);
    const r = runCli(['forecast', '--cgroup', cg.path, '--window', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`memory cgroup ${cg.path} sets no memory limit, nor do its ancestors: the scope is the whole machine`);
    expect(JSON.parse(r.stdout).scope.type).toBe('machine');
  });

  it('--fail-below: exit 1 when the OOM is forecast within it', async () => {
    const cg = makeCgroup(`oomctl-forecast-${process.pid}-fail`, 400);
    procs.push(await startGrower(10, cg.procs));
    await sleep(1000);
    const r = runCli(['forecast', '--cgroup', cg.path, '--window', '3', '--fail-below', '600']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^memory cgroup ${cg.path} runs out in ~\\d+ s \\(\\+\\d+(\\.\\d)? MiB/s, mostly pid ${procs[0]?.pid} python3\\); the kernel would then kill pid ${procs[0]?.pid} python3 \\(now rank 1\\); next victim now: pid ${procs[0]?.pid} python3`));
  });
});
