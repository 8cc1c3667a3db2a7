// apply -f / check -f against a copy of the captured tuning root (plain files
// stand for /proc/PID/oom_score_adj and /proc/sys): validation, plan, refusals,
// idempotence and check's exit codes. apply --watch: test/cli/policy-watch.test.ts.

import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, binaryForUid, copyFixture, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const REAL = 30848; // root's mysqld in /system.slice/mysql.service
const FAKE = 30849; // nobody's mysqld from another path
const LONG = 30850; // my-very-long-daemon-name

let root: string;
let dir: string;
beforeEach(() => {
  root = copyFixture('tuning/root', 'oomctl-policy-root-');
  dir = mkdtempSync(path.join(tmpdir(), 'oomctl-policy-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const adjOf = (pid: number): string => readFileSync(path.join(root, `proc/${pid}/oom_score_adj`), 'utf8').trim();
const sys = (p: string): string => readFileSync(path.join(root, 'proc/sys', p), 'utf8').trim();
const cli = (...args: string[]) => runCli(['--root', root, ...args]);
function policy(text: string, name = 'policy.yml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
/** Every file under the root with its bytes and modification time. */
function snapshot(withTimes = true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out[r] = `${withTimes ? statSync(path.join(root, r)).mtimeMs : ''} ${readFileSync(path.join(root, r), 'base64')}`;
    }
  };
  walk('.');
  return out;
}

const GOOD = `sysctl:
  vm.panic_on_oom: 0
  overcommit_memory: 1
  vm/oom_dump_tasks: 1
processes:
  - match: { name: mysqld, user: root }
    oom_score_adj: -500
    persist: systemd
  - match: { name: chrome }
    oom_score_adj: 300
  - match: { name: my-very-long-daemon-name }
    oom_score_adj: 200
`;

describe('an invalid policy', () => {
  it('lists every problem as FILE:LINE:COL, exits 2 and changes nothing', () => {
    const file = policy(`sysctl:
  vm.panic_on_oom: 0x1
  vm.swappiness: 10
processes:
  - match: { name: mysqld, colour: red }
    oom_score_adj: 2000
  - match: { pid: ${REAL} }
    oom_score_adj: 100
`);
    const before = snapshot();
    for (const cmd of [['apply', '-f', file, '--yes'], ['check', '-f', file]]) {
      const r = cli(...cmd);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter((l) => l.startsWith(file))).toEqual([
        `${file}:2:20: vm.panic_on_oom: "0x1" is hexadecimal; write a decimal integer`,
        `${file}:3:3: unknown sysctl "vm.swappiness" (oomctl sets only vm.panic_on_oom, kernel.panic, vm.overcommit_memory, vm.overcommit_ratio, vm.overcommit_kbytes, vm.oom_kill_allocating_task, vm.oom_dump_tasks, vm.admin_reserve_kbytes, vm.user_reserve_kbytes)`,
        `${file}:5:28: unknown key "colour" in processes[1].match (expected name, pid, exe, user, unit, cgroup, regex, exact, all_matches)`,
        `${file}:6:20: processes[1].oom_score_adj must be from -1000 to 1000, not 2000`,
      ]);
      expect(r.stderr).toContain(`oomctl: ${file}: 4 problems; nothing was applied`);
    }
    expect(snapshot()).toEqual(before);
  });
  it('a JSON policy gets positions too; a missing file is not-found (3), as for every command', () => {
    const file = policy('{\n  "processes": [{"match": {"name": "x"}, "oom_score_adj": "5"}]\n}\n', 'p.json');
    const r = cli('check', '-f', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:2:59: processes[1].oom_score_adj must be a decimal integer from -1000 to 1000, not a string`);
    const missing = cli('check', '-f', path.join(dir, 'nope.yml'));
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('no policy file');
  });
  it('option misuse is a usage error', () => {
    const file = policy(GOOD);
    expect(cli('apply', '-f', file, '--watch', '--dry-run').status).toBe(2);
    expect(cli('apply', '-f', file, '--interval', '2').status).toBe(2);
    expect(cli('apply', '-f', file, '--watch', '--interval', 'soon').status).toBe(2);
    expect(cli('apply').status).toBe(2);
  });
});

describe('check', () => {
  it('exit 1 on drift, listing each difference; a rule matching nothing is a note, not drift', () => {
    const r = cli('check', '-f', policy(GOOD));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe([
      `4 differences from ${path.join(dir, 'policy.yml')} (live → policy):`,
      '  sysctl vm.overcommit_memory 0 → 1',
      `  pid ${REAL} (mysqld): oom_score_adj 0 → -500`,
      `  pid ${LONG} (my-very-long-da): oom_score_adj 0 → 200`,
      '  /etc/systemd/system/mysql.service.d/50-oomctl.conf: OOMScoreAdjust (none) → -500',
      '',
    ].join('\n'));
    expect(r.stderr).toContain('note: processes[2] (line 9): no process named "chrome": not counted as drift');
    const j = cli('check', '-f', policy(GOOD), '--json');
    expect(j.status).toBe(1);
    const out = JSON.parse(j.stdout);
    expect(out.changed).toBe(true);
    expect(out.changes).toContainEqual({ what: 'sysctl vm.overcommit_memory', from: 0, to: 1 });
    expect(out.rules).toEqual([{ index: 1, line: 6, matched: 1 }, { index: 2, line: 9, matched: 0 }, { index: 3, line: 11, matched: 1 }]);
  });
  it('exit 0 when the machine matches; an impostor rule exits 6 as apply would', () => {
    const ok = cli('check', '-f', policy('sysctl:\n  panic_on_oom: 0\nprocesses:\n  - match: { name: chrome }\n    oom_score_adj: 1\n'));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('the machine matches');
    const amb = cli('check', '-f', policy('processes:\n  - match: { name: mysqld }\n    oom_score_adj: 1\n'));
    expect(amb.status).toBe(6);
    expect(amb.stderr).toContain('processes[1] (line 2): "mysqld" matches 2 processes with different users');
  });
  it('reads the policy from standard input with -f -', () => {
    const r = runCli(['--root', root, 'check', '-f', '-'], { input: `processes:\n  - match: { pid: ${REAL} }\n    oom_score_adj: 0\n` });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('apply', () => {
  it('--dry-run prints the plan and writes nothing', () => {
    const before = snapshot();
    const r = cli('apply', '-f', policy(GOOD), '--dry-run', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ changed: true, dry_run: true, mode: 'apply' });
    expect(j.changes).toHaveLength(4);
    expect(snapshot()).toEqual(before);
  });
  it('several processes changing need --yes without a terminal; nothing is written', () => {
    const before = snapshot();
    const r = cli('apply', '-f', policy(GOOD));
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('refusing without confirmation: 2 processes would change');
    expect(snapshot()).toEqual(before);
  });
  it('applies everything; a second run reports changed=false and leaves every file byte for byte; check then exits 0', () => {
    const file = policy(GOOD);
    const r = cli('apply', '-f', file, '--yes', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.changed).toBe(true);
    expect(j.changes).toEqual([
      { what: 'sysctl vm.overcommit_memory', from: 0, to: 1 },
      { what: `pid ${REAL} (mysqld): oom_score_adj`, from: 0, to: -500 },
      { what: `pid ${LONG} (my-very-long-da): oom_score_adj`, from: 0, to: 200 },
      { what: '/etc/systemd/system/mysql.service.d/50-oomctl.conf: OOMScoreAdjust', from: null, to: -500 },
    ]);
    expect(j.warnings).toEqual(['processes[2] (line 9): no process named "chrome": nothing to do now (apply --watch sets it when one starts)']);
    expect([adjOf(REAL), adjOf(FAKE), adjOf(LONG), sys('vm/overcommit_memory')]).toEqual(['-500', '0', '200', '1']);
    expect(readFileSync(path.join(root, 'etc/systemd/system/mysql.service.d/50-oomctl.conf'), 'utf8')).toContain('OOMScoreAdjust=-500');
    // unprotect can give the value back: apply remembers it as protect does.
    expect(readdirSync(path.join(root, 'run/oomctl/adj')).sort()).toHaveLength(2);

    const before = snapshot();
    const again = cli('apply', '-f', file, '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, changes: [] });
    expect(snapshot()).toEqual(before);
    const human = cli('apply', '-f', file);
    expect(human.stdout).toBe(`nothing changed: the machine matches ${file}\n`);
    expect(cli('check', '-f', file).status).toBe(0);

    // Drift by hand: check sees it, apply puts it back.
    writeFileSync(path.join(root, `proc/${LONG}/oom_score_adj`), '7\n');
    const drift = cli('check', '-f', file);
    expect(drift.status).toBe(1);
    expect(drift.stdout).toContain(`pid ${LONG} (my-very-long-da): oom_score_adj 7 → 200`);
    expect(cli('apply', '-f', file).status).toBe(0);
    expect(adjOf(LONG)).toBe('200');
  });
  it('the impostor rule of protect: an ambiguous name refuses the whole policy (sysctls too)', () => {
    const before = snapshot();
    const r = cli('apply', '-f', policy('sysctl:\n  oom_dump_tasks: 0\nprocesses:\n  - match: { name: mysqld }\n    oom_score_adj: -100\n'), '--yes');
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('anyone can name a process so');
    expect(r.stderr).toContain('nothing was applied');
    expect(snapshot()).toEqual(before);
    const all = cli('apply', '-f', policy('processes:\n  - match: { name: mysqld, all_matches: true }\n    oom_score_adj: -100\n'), '--yes');
    expect(all.status, all.stderr).toBe(0);
    expect([adjOf(REAL), adjOf(FAKE)]).toEqual(['-100', '-100']);
  });
  it('-1000 needs --force; pid 1 is refused', () => {
    const file = policy(`processes:\n  - match: { pid: ${REAL} }\n    oom_score_adj: -1000\n`);
    const r = cli('apply', '-f', file);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('processes[1] (line 2): oom_score_adj -1000 makes a process unkillable');
    expect(adjOf(REAL)).toBe('0');
    const forced = cli('apply', '-f', file, '--force', '--yes');
    expect(forced.status, forced.stderr).toBe(0);
    expect(adjOf(REAL)).toBe('-1000');
    const init = cli('apply', '-f', policy('processes:\n  - match: { pid: 1 }\n    oom_score_adj: 5\n'));
    expect(init.status).toBe(6);
    expect(init.stderr).toContain('pid 1 (init) is never touched');
  });
  it('a sysctl this kernel lacks stops everything with exit 7', () => {
    const r = cli('apply', '-f', policy(`sysctl:\n  overcommit_kbytes: 0\nprocesses:\n  - match: { pid: ${REAL} }\n    oom_score_adj: 10\n`));
    expect(r.status).toBe(7);
    expect(adjOf(REAL)).toBe('0');
  });
  it('a sysctl check refusal (overcommit_memory=2 below Committed_AS) stops everything unless --force', () => {
    const file = policy(`sysctl:\n  overcommit_memory: 2\n  overcommit_ratio: 1\nprocesses:\n  - match: { pid: ${REAL} }\n    oom_score_adj: 10\n`);
    const dry = cli('apply', '-f', file, '--dry-run');
    expect(dry.status).toBe(6);
    const r = cli('apply', '-f', file, '--yes');
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('Committed_AS is already');
    expect([sys('vm/overcommit_memory'), adjOf(REAL)]).toEqual(['0', '0']);
  });
  it('sysctls are all or nothing: a failed write puts back the earlier ones, and no process is touched (unprivileged uid)', (ctx) => {
    // uid 65534 runs a copy of the build it can read: the checkout may be out of its reach.
    const bin = binaryForUid(ctx, 65534);
    chmodSync(root, 0o755);
    chmodSync(path.join(root, 'proc/sys/kernel/panic'), 0o666);
    chmodSync(path.join(root, 'proc/sys/vm/oom_dump_tasks'), 0o444);
    chmodSync(path.join(root, `proc/${LONG}/oom_score_adj`), 0o666);
    const file = policy(`sysctl:\n  kernel.panic: 10\n  oom_dump_tasks: 0\nprocesses:\n  - match: { pid: ${LONG} }\n    oom_score_adj: 10\n`);
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    // Contents only: the put-back rewrites kernel.panic with its old value.
    const before = snapshot(false);
    const r = spawnSync(process.execPath, [bin, '--root', root, 'apply', '-f', file, '--yes'], { encoding: 'utf8', uid: 65534, gid: 65534, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, cwd: '/' });
    expect(r.stderr).toContain('put back kernel.panic=1 after vm.oom_dump_tasks failed: nothing is changed');
    expect(r.status).toBe(4);
    expect(snapshot(false)).toEqual(before);
  });
});

describe('docs/oomctl-watch.service', () => {
  const unit = readFileSync(path.join(path.dirname(BIN), '../docs/oomctl-watch.service'), 'utf8');
  const setting = (key: string): string[] => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1] as string);

  it('is Type=simple, restarts on failure, keeps CAP_SYS_RESOURCE and leaves /proc/sys writable', () => {
    expect(setting('Type')).toEqual(['simple']);
    expect(setting('Restart')).toEqual(['on-failure']);
    expect(setting('CapabilityBoundingSet')[0]?.split(' ')).toContain('CAP_SYS_RESOURCE');
    expect(setting('ProtectKernelTunables')).toEqual([]);
    expect(setting('MemoryDenyWriteExecute')).toEqual([]);
  });

  const ANALYZE = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error ? 'systemd-analyze is not installed (Debian package systemd)' : undefined;
  it('passes systemd-analyze verify', skipWith(ANALYZE), () => {
    const verify = spawnSync('systemd-analyze', ['verify', path.join(path.dirname(BIN), '../docs/oomctl-watch.service')], { encoding: 'utf8' });
    expect(verify.error).toBeUndefined();
    expect(verify.stderr.trim(), verify.stderr).toBe('');
  });

  it('its ExecStart runs (against a fixture root) and exits 0 on SIGTERM, as systemctl stop sends', async () => {
    const exec = setting('ExecStart')[0] as string;
    const args = exec.split(' ');
    expect(args.slice(0, 2)).toEqual(['/usr/bin/env', 'oomctl']);
    const file = policy(`processes:\n  - match: { pid: ${REAL} }\n    oom_score_adj: 10\n`);
    const cmd = args.slice(2).map((a) => (a === '/etc/oomctl/policy.yml' ? file : a));
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, '--root', root, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 100 && !err.includes('watching'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(err).toContain('watching for new processes every 5 s (1 rule)');
    expect(out).toContain(`pid ${REAL} (mysqld): oom_score_adj 0 → 10`);
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(err).toContain('stopped after 0 looks at /proc, 0 changes');
    expect(adjOf(REAL)).toBe('10');
  });
});
