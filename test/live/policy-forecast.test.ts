// apply --watch with on_forecast on the real kernel: a process grows at a
// steady rate in a fresh memory cgroup with a limit (prefix oomctl-wfc-).
// The forecast of that cgroup drops below below_seconds at the first window,
// the command runs once with the forecast in its environment, and it is not
// run again while the condition holds (hysteresis: re-armed only above twice
// below_seconds). Everything made is removed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-cli.js';
import { isRoot, writableMemcgParent } from '../helpers/live.js';
import { killAll, PYTHON, startGrower, type Hog } from '../helpers/procs.js';
import { skipWith } from '../helpers/skip.js';
import { waitUntil } from '../helpers/wait.js';

const MiB = 1024 * 1024;

function why(): string | undefined {
  if (!isRoot()) return 'needs root to create a memory cgroup';
  const m = writableMemcgParent();
  if (!m) return 'no writable memory cgroup controller';
  if (!PYTHON) return 'needs python3 for the growing process';
  return undefined;
}

const reason = why();

describe('apply --watch on_forecast, live', skipWith(reason), () => {
  const procs: Hog[] = [];
  let watch: ChildProcess | undefined;
  let dir: string | undefined;
  let tmp: string | undefined;

  afterEach(async () => {
    if (watch && watch.exitCode === null) {
      const gone = new Promise((r) => watch?.once('exit', r));
      watch.kill('SIGTERM');
      await gone;
    }
    killAll(procs);
    if (dir) {
      for (let i = 0; i < 50; i++) {
        try { rmdirSync(dir); break; } catch { spawnSync('sleep', ['0.1']); }
      }
      expect(existsSync(dir), 'the test cgroup is removed').toBe(false);
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a grower in a limited cgroup: the command runs exactly once, with the forecast in its environment', async () => {
    const m = writableMemcgParent() as NonNullable<ReturnType<typeof writableMemcgParent>>;
    const name = `oomctl-wfc-${process.pid}`;
    dir = path.join(m.parent, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, m.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'), String(768 * MiB));
    tmp = mkdtempSync(path.join(os.tmpdir(), 'oomctl-wfc-'));
    const out = path.join(tmp, 'fired');
    const policy = path.join(tmp, 'policy.yml');
    writeFileSync(policy, [
      'on_forecast:',
      '  below_seconds: 3600',
      '  window_seconds: 2',
      `  cgroup: /${name}`,
      `  exec: [/bin/sh, -c, 'printf "%s|%s|%s|%s|%s\\n" "$OOMCTL_FORECAST_SECONDS" "$OOMCTL_FORECAST_KILLER" "$OOMCTL_FORECAST_SCOPE" "$OOMCTL_FORECAST_VICTIM_PID" "$0" >> ${out}', from-oomctl]`,
      '',
    ].join('\n'));
    const grower = await startGrower(4, path.join(dir, 'cgroup.procs'));
    procs.push(grower);

    let stdout = '';
    let stderr = '';
    watch = spawn(process.execPath, [BIN, 'apply', '-f', policy, '--watch', '--yes', '--json'], { env: { ...process.env, NO_COLOR: '1' } });
    watch.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    watch.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const usage = (): number => Number(readFileSync(path.join(dir as string, m.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'), 'utf8'));

    await waitUntil(() => existsSync(out) && readFileSync(out, 'utf8').endsWith('\n'), 'the on_forecast command ran', 30_000);
    // Three more windows' worth of growth (2 s each at 4 MiB/s), the condition holding all along.
    const after = usage();
    await waitUntil(() => usage() >= after + 3 * 2 * 4 * MiB, 'three more windows of growth', 30_000, 100);
    await waitUntil(() => stdout.includes('"event":"exit"'), 'the command\'s exit is logged', 10_000);

    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    const [seconds, killer, scope, victim, arg0] = (lines[0] as string).split('|');
    expect(Number(seconds)).toBeGreaterThan(0);
    expect(Number(seconds)).toBeLessThanOrEqual(3600);
    expect(killer).toBe('kernel');
    expect(scope).toBe(`/${name}`);
    expect(Number(victim)).toBe(grower.pid);
    expect(arg0).toBe('from-oomctl');
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.on_forecast);
    expect(events.map((e) => e.on_forecast.event)).toEqual(['run', 'exit']);
    expect(events[1].on_forecast).toMatchObject({ status: 'exit 0', killer: 'kernel', victim_pid: grower.pid, exec: ['/bin/sh', '-c', expect.any(String), 'from-oomctl'] });
    expect(usage()).toBeLessThan(768 * MiB);
  }, 90_000);
});
