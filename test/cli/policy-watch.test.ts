// apply --watch against a copy of the captured tuning root: processes that
// appear later, a fresh fork that execs, a reused pid, an impostor, SIGHUP
// reloads. In the serial group (vitest.config.ts): a change the test makes
// must land between two passes of the watch, 0.5 s apart.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, copyFixture } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { waitUntil } from '../helpers/wait.js';

const LONG = 30850; // my-very-long-daemon-name: its files are copied for each new process

let root: string;
let dir: string;
beforeEach(() => {
  root = copyFixture('tuning/root', 'oomctl-policy-watch-root-');
  dir = mkdtempSync(path.join(tmpdir(), 'oomctl-policy-watch-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const adjOf = (pid: number): string => readFileSync(path.join(root, `proc/${pid}/oom_score_adj`), 'utf8').trim();
function policy(text: string): string {
  const file = path.join(dir, 'policy.yml');
  writeFileSync(file, text);
  return file;
}

/** Whether a folder's access time moves when it is listed, on the file system of the temporary folders. */
function listingMovesAtime(): boolean {
  const d = mkdtempSync(path.join(tmpdir(), 'oomctl-policy-atime-'));
  try {
    utimesSync(d, 0, statSync(d).mtime);
    readdirSync(d);
    return statSync(d).atimeMs > 0;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
const NO_ATIME = listingMovesAtime() ? undefined : `${tmpdir()} is on a file system that does not record access times (noatime): the test cannot see when apply --watch lists /proc`;

describe('apply --watch against a fixture root', () => {
  /** A new process: a copy of pid 30850's files under a new pid, name, start time, exe and uid. */
  function addProcess(pid: number, comm: string, exe: string, starttime: number, uid = 0): void {
    const src = path.join(root, `proc/${LONG}`);
    const dst = path.join(root, `proc/${pid}`);
    mkdirSync(dst, { recursive: true });
    for (const f of ['cgroup', 'cmdline', 'oom_score', 'oom_score_adj', 'status']) {
      let text = readFileSync(path.join(src, f), 'utf8');
      if (f === 'status') text = text.replace(/^Uid:.*$/m, `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`).replace(/^Name:.*$/m, `Name:\t${comm}`);
      writeFileSync(path.join(dst, f), f === 'oom_score_adj' ? '0\n' : text);
    }
    rmSync(path.join(dst, 'exe'), { force: true });
    symlinkSync(exe, path.join(dst, 'exe'));
    // stat last, atomically: a pass sees the process once it is complete.
    setStat(pid, comm, starttime);
  }
  function setStat(pid: number, comm: string, starttime: number): void {
    const fields = readFileSync(path.join(root, `proc/${LONG}/stat`), 'utf8').split(') ')[1]?.split(' ') as string[];
    fields[19] = String(starttime);
    const tmp = path.join(root, `proc/${pid}/stat.tmp`);
    writeFileSync(tmp, `${pid} (${comm}) ${fields.join(' ')}`);
    renameSync(tmp, path.join(root, `proc/${pid}/stat`));
  }

  /** `apply --watch --json` on the root, its output gathered as it comes. */
  function startWatch(file: string, interval: string) {
    const child = spawn(process.execPath, [BIN, '--root', root, 'apply', '-f', file, '--yes', '--watch', '--interval', interval, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const w = { child, out: '', err: '', closed: new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))) };
    child.stdout.on('data', (d: Buffer) => { w.out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { w.err += d.toString(); });
    return w;
  }
  /** A process /usr/bin/COMM appears; the watch must set its oom_score_adj to ADJ. */
  async function startsAndIsSet(pid: number, comm: string, starttime: number, adj: string): Promise<void> {
    addProcess(pid, comm, `/usr/bin/${comm}`, starttime);
    await until(() => adjOf(pid) === adj);
    expect(adjOf(pid)).toBe(adj);
  }
  async function until(what: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
  }
  /**
   * Waits until the watch has listed <root>/proc `n` more times. Each pass reads the folder
   * (readdir), which sets its access time when that is not newer than its change time
   * (relatime; strictatime always): set it back to 1970 and wait for the kernel to move it.
   * Two passes, so that the listing seen cannot be one that began before the wait did.
   */
  async function passesOverProc(n: number): Promise<void> {
    const proc = path.join(root, 'proc');
    for (let i = 0; i < n; i++) {
      utimesSync(proc, 0, statSync(proc).mtime);
      await waitUntil(() => statSync(proc).atimeMs > 0, `apply --watch to list ${proc} again`);
    }
  }

  it('sets processes that appear later, looks twice at a fresh fork (exec), treats a reused pid as new, logs an impostor', skipWith(NO_ATIME), async () => {
    const file = policy('processes:\n  - match: { name: worker, user: root }\n    oom_score_adj: 400\n  - match: { name: lonely }\n    oom_score_adj: 150\n');
    const w = startWatch(file, '0.5');
    const { child, closed } = w;
    await until(() => w.err.includes('watching'));
    expect(w.err).toContain('watching for new processes every 0.5 s (2 rules)');
    const first = JSON.parse(w.out.split('\n')[0] as string);
    expect(first).toMatchObject({ changed: false, mode: 'apply' });

    addProcess(40000, 'worker', '/usr/bin/worker', 90000);
    // A fresh fork still named after its parent, which execs "worker" a moment later.
    addProcess(40001, 'bash', '/usr/bin/bash', 90001);
    await until(() => adjOf(40000) === '400');
    expect(adjOf(40000)).toBe('400');
    // The exec, before the next pass (passes are 0.5 s apart).
    rmSync(path.join(root, 'proc/40001/exe'));
    symlinkSync('/usr/bin/worker', path.join(root, 'proc/40001/exe'));
    setStat(40001, 'worker', 90001);
    await until(() => adjOf(40001) === '400');
    expect(adjOf(40001)).toBe('400');

    // pid 40000 exits and, passes later, its pid is reused (another start time): a new process, set again.
    // (A pid reused within one interval is not seen: docs/policy.md.)
    rmSync(path.join(root, 'proc/40000'), { recursive: true });
    await passesOverProc(2);
    addProcess(40000, 'worker', '/usr/bin/worker', 95000);
    await until(() => adjOf(40000) === '400');
    expect(adjOf(40000)).toBe('400');

    // An impostor "lonely" of another user next to root's: the rule names no user, so neither is set.
    addProcess(40002, 'lonely', '/usr/bin/lonely', 90002);
    await until(() => adjOf(40002) === '150');
    addProcess(40003, 'lonely', '/home/eve/lonely', 90003, 65534);
    await until(() => w.out.includes('"warning"'));
    expect(adjOf(40003)).toBe('0');

    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    const events = w.out.trim().split('\n').slice(1).map((l) => JSON.parse(l));
    expect(events.filter((e) => e.what).map((e) => [e.what, e.from, e.to, e.rule])).toEqual([
      ['pid 40000 (worker): oom_score_adj', 0, 400, 1],
      ['pid 40001 (worker): oom_score_adj', 0, 400, 1],
      ['pid 40000 (worker): oom_score_adj', 0, 400, 1],
      ['pid 40002 (lonely): oom_score_adj', 0, 150, 2],
    ]);
    for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(events.find((e) => e.warning)?.warning).toContain('processes[2] (line 4) not applied to pid 40003 (lonely): "lonely" matches 2 processes with different users');
    expect(w.err).toMatch(/stopped after \d+ looks at \/proc, 4 changes/);
  });

  it('reloads the policy on SIGHUP and applies all of it; a policy that does not load leaves the old one in force', async () => {
    const file = policy('processes:\n  - match: { name: worker }\n    oom_score_adj: 400\n');
    const w = startWatch(file, '0.3');
    const { child, closed } = w;
    await until(() => w.err.includes('(1 rule)'));
    expect(w.err).toContain('watching for new processes every 0.3 s (1 rule); stop with SIGTERM or Ctrl-C, reload the policy with SIGHUP');
    await startsAndIsSet(40010, 'worker', 91000, '400');

    // A new policy: the running worker is set again (the whole policy is applied), and a new rule watches.
    writeFileSync(file, 'processes:\n  - match: { name: worker }\n    oom_score_adj: 300\n  - match: { name: helper }\n    oom_score_adj: 120\n');
    child.kill('SIGHUP');
    await until(() => w.err.includes('(2 rules)'));
    expect(adjOf(40010)).toBe('300');
    await startsAndIsSet(40011, 'helper', 91001, '120');

    // A broken policy: reported, and the one read before still applies to new processes.
    writeFileSync(file, 'processes:\n  - match: { name: [\n');
    child.kill('SIGHUP');
    await until(() => w.out.includes('not reloaded'));
    await startsAndIsSet(40012, 'helper', 91002, '120');

    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    const lines = w.out.trim().split('\n').map((l) => JSON.parse(l));
    const applies = lines.filter((l) => l.mode === 'apply');
    expect(applies).toHaveLength(2);
    expect(applies[1].changes).toContainEqual(expect.objectContaining({ what: 'pid 40010 (worker): oom_score_adj', from: 400, to: 300 }));
    expect(lines.filter((l) => l.what).map((l) => [l.what, l.to])).toEqual([
      ['pid 40010 (worker): oom_score_adj', 400],
      ['pid 40011 (helper): oom_score_adj', 120],
      ['pid 40012 (helper): oom_score_adj', 120],
    ]);
    expect(lines.find((l) => l.warning)?.warning).toMatch(new RegExp(`^SIGHUP: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} not reloaded \\(`));
    expect(w.err).toMatch(/policy\.yml:\d+:\d+/);
    expect(w.err).toMatch(/stopped after \d+ looks at \/proc, 3 changes/);
  });
});
