// apply / check / apply --watch against the real kernel, with process rules
// only (this machine's sysctls are never touched). The rules name a copy of
// sleep with a name nothing else uses, narrowed by its path; values are at or
// above 0, which root without CAP_SYS_RESOURCE may set.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot } from '../helpers/live.js';
import { BIN, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const skip = !isRoot() ? 'not root' : undefined;
const NAME = 'oomctlpolsleep';
const started: ChildProcess[] = [];
let dir: string | undefined;
const records: string[] = [];
const hadState = existsSync('/run/oomctl/adj');
const hadRoot = existsSync('/run/oomctl');

function folder(): string {
  if (dir === undefined) {
    dir = mkdtempSync(path.join(tmpdir(), 'oomctl-live-policy-'));
    chmodSync(dir, 0o755);
    copyFileSync('/bin/sleep', path.join(dir, NAME));
    chmodSync(path.join(dir, NAME), 0o755);
  }
  return dir;
}

const adjOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim());
const starttimeOf = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
};

async function startSleeper(): Promise<number> {
  const child = spawn(path.join(folder(), NAME), ['300'], { stdio: 'ignore' });
  started.push(child);
  const pid = child.pid as number;
  for (let i = 0; i < 100 && !existsSync(`/proc/${pid}/stat`); i++) await new Promise((r) => setTimeout(r, 10));
  records.push(`${pid}-${starttimeOf(pid)}`);
  return pid;
}

function policyFile(adj: number): string {
  const file = path.join(folder(), 'policy.yml');
  writeFileSync(file, `processes:\n  - match: { name: ${NAME}, exe: ${path.join(folder(), NAME)} }\n    oom_score_adj: ${adj}\n`);
  return file;
}

describe('live policy', skipWith(skip), () => {
  afterAll(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const r of records) rmSync(`/run/oomctl/adj/${r}.json`, { force: true });
    for (const [d, had] of [['/run/oomctl/adj', hadState], ['/run/oomctl', hadRoot]] as const) {
      if (!had) {
        try { rmdirSync(d); } catch { /* not empty or gone */ }
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('apply raises a sleep copy to 300; check exits 0; a change by hand makes check exit 1', async () => {
    const pid = await startSleeper();
    const file = policyFile(300);
    expect(runCli(['check', '-f', file]).status).toBe(1);
    const r = runCli(['apply', '-f', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).changes).toEqual([{ what: `pid ${pid} (${NAME}): oom_score_adj`, from: 0, to: 300 }]);
    expect(adjOf(pid)).toBe(300);
    const again = runCli(['apply', '-f', file, '--json']);
    expect(JSON.parse(again.stdout).changed).toBe(false);
    expect(runCli(['check', '-f', file]).status).toBe(0);
    writeFileSync(`/proc/${pid}/oom_score_adj`, '400\n');
    const drift = runCli(['check', '-f', file]);
    expect(drift.status).toBe(1);
    expect(drift.stdout).toContain(`pid ${pid} (${NAME}): oom_score_adj 400 → 300`);
  });

  it('apply --watch sets a process started after it, logs it with a timestamp, and exits 0 on SIGTERM', async () => {
    const file = policyFile(250);
    const watch = spawn(process.execPath, [BIN, 'apply', '-f', file, '--yes', '--watch', '--interval', '0.2'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    started.push(watch);
    let out = '';
    let err = '';
    watch.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    watch.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((resolve) => watch.on('close', (code) => resolve(code)));
    for (let i = 0; i < 100 && !err.includes('watching for new processes'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(err).toContain('watching for new processes every 0.2 s');
    const pid = await startSleeper();
    expect(adjOf(pid)).toBe(0);
    for (let i = 0; i < 50 && adjOf(pid) !== 250; i++) await new Promise((r) => setTimeout(r, 100));
    expect(adjOf(pid)).toBe(250);
    expect(out).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z pid ${pid} \\(${NAME}\\): oom_score_adj 0 → 250 \\(processes\\[1\\]\\)$`, 'm'));
    watch.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err, err).toMatch(/stopped after \d+ looks? at \/proc, [1-9]\d* changes?/);
  });
});
