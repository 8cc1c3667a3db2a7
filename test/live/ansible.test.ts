// docs/ansible/playbook.yml run with ansible-playbook against localhost. The
// sysctls live in a fixture tree (--root via oomctl_root): this machine's are
// never touched. That tree's only process is a link to a real sleep copy the
// test starts, so the process rule raises a real oom_score_adj (to 300: no
// CAP_SYS_RESOURCE needed). oomctl is installed from this folder into a
// temporary npm prefix.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO } from '../helpers/run-cli.js';
import { skipNow, skipWith } from '../helpers/skip.js';

// Looked up on PATH, not run: running it would create ~/.ansible.
const hasAnsible = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).status === 0;
// The playbook installs this checkout with npm, whose prepare step rebuilds dist/ in it.
const writable = (dir: string): boolean => { try { accessSync(dir, constants.W_OK); return true; } catch { return false; } };
const skip = !hasAnsible ? 'ansible-playbook is not installed (Debian package ansible)'
  : !writable(REPO) || !writable(path.join(REPO, 'dist')) ? `this user cannot write ${REPO}: npm install runs its prepare step (the build) there` : undefined;
const NAME = 'oomctlansible';
let dir: string | undefined;
let sleeper: ChildProcess | undefined;
const hadState = existsSync('/run/oomctl/adj');
const hadRoot = existsSync('/run/oomctl');

interface TaskResult { name: string; changed: boolean; skipped: boolean; failed: boolean; rc: number | undefined }

function play(varsFile: string, work: string): { status: number | null; tasks: TaskResult[]; stderr: string } {
  const r = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', path.join(REPO, 'docs/ansible/playbook.yml'), '-e', `@${varsFile}`], {
    encoding: 'utf8',
    env: { ...process.env, HOME: work, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_HOME: path.join(work, 'ansible-home'), ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'), ANSIBLE_REMOTE_TEMP: path.join(work, 'ansible-remote-tmp'), ANSIBLE_NOCOLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  let tasks: TaskResult[] = [];
  try {
    const out = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { changed?: boolean; skipped?: boolean; failed?: boolean; rc?: number }> }[] }[] };
    tasks = (out.plays[0]?.tasks ?? []).map((t) => {
      const h = t.hosts.localhost ?? {};
      return { name: t.task.name, changed: h.changed === true, skipped: h.skipped === true, failed: h.failed === true, rc: h.rc };
    });
  } catch {
    tasks = [];
  }
  return { status: r.status, tasks, stderr: `${r.stderr}\n${r.stdout.slice(0, 4000)}` };
}

const task = (tasks: TaskResult[], name: string): TaskResult | undefined => tasks.find((t) => t.name === name);

describe('ansible playbook (docs/ansible)', skipWith(skip), () => {
  afterAll(() => {
    if (sleeper && sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const [d, had] of [['/run/oomctl/adj', hadState], ['/run/oomctl', hadRoot]] as const) {
      if (!had) {
        try { rmdirSync(d); } catch { /* not empty or gone */ }
      }
    }
  });

  it('installs oomctl, reports drift, applies the policy, gathers top; a second run changes nothing', async (ctx) => {
    dir = mkdtempSync(path.join(tmpdir(), 'oomctl-ansible-'));
    chmodSync(dir, 0o755);
    const exe = path.join(dir, NAME);
    copyFileSync('/bin/sleep', exe);
    chmodSync(exe, 0o755);
    sleeper = spawn(exe, ['300'], { stdio: 'ignore' });
    const pid = sleeper.pid as number;
    for (let i = 0; i < 100 && !existsSync(`/proc/${pid}/stat`); i++) await new Promise((r) => setTimeout(r, 10));

    // The fixture tree: captured sysctls and meminfo, and the sleep copy as its only process.
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    cpSync(path.join(FIXTURES, 'sysctl-debian12/proc'), path.join(root, 'proc'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'tuning/root/etc/passwd'), path.join(root, 'etc/passwd'));
    symlinkSync(`/proc/${pid}`, path.join(root, `proc/${pid}`));

    writeFileSync(path.join(dir, 'policy.yml'), `sysctl:\n  vm.oom_dump_tasks: 0\nprocesses:\n  - match: { name: ${NAME}, exe: ${exe} }\n    oom_score_adj: 300\n`);
    const vars = {
      oomctl_target: 'localhost',
      oomctl_become: false,
      oomctl_package: REPO,
      oomctl_npm_prefix: path.join(dir, 'prefix'),
      oomctl_policy: path.join(dir, 'policy.yml'),
      oomctl_policy_dest: path.join(dir, 'etc-oomctl/policy.yml'),
      oomctl_root: root,
      oomctl_top_dir: path.join(dir, 'top'),
      ansible_python_interpreter: '/usr/bin/python3',
    };
    const varsFile = path.join(dir, 'vars.json');
    writeFileSync(varsFile, JSON.stringify(vars));

    const first = play(varsFile, dir);
    // The report comes through the ansible.posix collection's json callback, which ansible-core alone lacks.
    skipNow(ctx, /Invalid callback for stdout specified: json/.test(first.stderr) ? 'ansible-playbook has no json callback: the ansible.posix collection is not installed (Debian package ansible; ansible-core alone lacks it)' : undefined);
    expect(first.status, first.stderr).toBe(0);
    expect(task(first.tasks, 'Install oomctl with npm')?.changed).toBe(true);
    expect(task(first.tasks, 'Check the host against the policy')).toMatchObject({ changed: true, rc: 1 });
    expect(task(first.tasks, 'Apply the policy')).toMatchObject({ changed: true, rc: 0, skipped: false });
    expect(readFileSync(path.join(root, 'proc/sys/vm/oom_dump_tasks'), 'utf8').trim()).toBe('0');
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('300');
    const top = JSON.parse(readFileSync(path.join(dir, 'top/localhost.json'), 'utf8')) as { processes: { pid: number; oom_score_adj: number }[] };
    expect(top.processes.find((p) => p.pid === pid)?.oom_score_adj).toBe(300);

    const second = play(varsFile, dir);
    expect(second.status, second.stderr).toBe(0);
    expect(task(second.tasks, 'Install oomctl with npm')?.skipped).toBe(true);
    expect(task(second.tasks, 'Check the host against the policy')).toMatchObject({ changed: false, rc: 0 });
    expect(task(second.tasks, 'Apply the policy')?.skipped).toBe(true);
    rmSync(`/run/oomctl/adj/${pid}-${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19]}.json`, { force: true });
  }, 120_000);
});
