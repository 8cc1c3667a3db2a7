// metrics, doctor and completion through the bundled binary: against the
// captured tree (test/fixtures/vm-6.18-scenario), against copies of it
// changed to provoke each doctor finding, and on this machine.

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { findTool } from '../helpers/tools.js';
import { TOP_SORT_KEYS } from '../../src/commands/top.js';

const FIXTURE = path.join(FIXTURES, 'vm-6.18-scenario');
const at = ['--root', FIXTURE];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oomctl-fleet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
/** A copy of the captured tree with some files replaced (path under the root -> content). */
function fixtureWith(files: Record<string, string | null>): string {
  const root = path.join(tmp, `root-${++copies}`);
  cpSync(FIXTURE, root, { recursive: true });
  for (const [p, content] of Object.entries(files)) {
    const file = path.join(root, p);
    if (content === null) rmSync(file, { force: true });
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
  return root;
}

const PROMTOOL = findTool('promtool');

describe('oomctl metrics', () => {
  const r = runCli(['metrics', ...at, '--top', '20']);

  it('exports the captured tree\'s numbers', () => {
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('\noomctl_oom_kills_total 2\n');
    expect(r.stdout).toContain('\noomctl_sysctl_kernel_panic_seconds 1\n');
    expect(r.stdout).toContain(`\noomctl_commit_headroom_bytes ${(12342044 - 440368) * 1024}\n`);
    expect(r.stdout).toContain('\noomctl_memory_pressure_stalled_seconds_total{kind="some"} 0.003951\n');
  });

  it('lists the top N in kill order, the hostile name escaped', () => {
    const badness = r.stdout.split('\n').filter((l) => l.startsWith('oomctl_process_badness_pages{'));
    const j = runCliJson(['top', ...at]);
    expect(badness).toHaveLength(Math.min(20, j.processes.length));
    expect(badness[0]).toMatch(new RegExp(`^oomctl_process_badness_pages\\{rank="1",pid="${j.processes[0].pid}",comm="python3",user="root"\\} ${j.processes[0].badness_pages}$`));
    expect(r.stdout).toContain('comm="ev\\\\x1b[31mil\\\\x07"');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(runCli(['metrics', ...at, '--top', '2']).stdout.split('\n').filter((l) => l.startsWith('oomctl_process_oom_score{'))).toHaveLength(2);
    expect(runCli(['metrics', ...at, '--top', '0']).stdout).not.toContain('oomctl_process_');
  });

  it('rejects a bad --top', () => {
    const bad = runCli(['metrics', ...at, '--top', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^oomctl: --top must be a whole number/);
  });

  it('--output replaces the file atomically and leaves no temporary file', () => {
    const dir = path.join(tmp, 'textfile');
    mkdirSync(dir);
    const file = path.join(dir, 'oomctl.prom');
    writeFileSync(file, 'old\n');
    const w = runCli(['metrics', ...at, '--output', file]);
    expect(w.status).toBe(0);
    expect(w.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(runCli(['metrics', ...at]).stdout);
    expect(readdirSync(dir)).toEqual(['oomctl.prom']);
    const missing = runCli(['metrics', ...at, '--output', path.join(tmp, 'nope', 'x.prom')]);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/^oomctl: cannot write .*: no folder /);
  });

  describe('promtool', skipWith(PROMTOOL ? undefined : 'promtool is not installed (Debian package prometheus)'), () => {
    it.each([['the captured tree', at], ['this machine', []]])('accepts the output for %s', (_n, args) => {
      const out = runCli(['metrics', ...args, '--top', '50']);
      expect(out.status).toBe(0);
      const c = spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: out.stdout, encoding: 'utf8' });
      expect(c.stdout + c.stderr).toBe('');
      expect(c.status).toBe(0);
    });
  });
});

describe('oomctl doctor', () => {
  it('finds the cgroup v1 controller and the 2 OOM kills of /proc/vmstat in the captured tree, and passes', () => {
    const r = runCli(['doctor', ...at]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^WARNING {3}OOM011 {2}cgroup v1 memory controller\n/);
    expect(r.stdout).toMatch(/^WARNING {3}OOM017 {2}2 OOM kills since boot\n {17}\/proc\/vmstat oom_kill = 2: /m);
    expect(r.stdout).toContain('2 findings: 0 critical, 2 warning, 0 info; --fail-on critical: pass\n');
    expect(runCliJson(['doctor', ...at]).facts.oom_kills).toBe(2);
    // No oom_kill line (a kernel before 4.13): the count is unknown, and no finding guesses one.
    const old = fixtureWith({ 'proc/vmstat': readFileSync(path.join(FIXTURE, 'proc/vmstat'), 'utf8').replace(/^oom_kill .*\n/m, '') });
    const j = runCliJson(['doctor', '--root', old]);
    expect(j.facts.oom_kills).toBeNull();
    expect(j.findings.map((f: any) => f.code)).toEqual(['OOM011']);
  });

  it('provokes each finding in a changed copy of the tree', () => {
    const meminfo = readFileSync(path.join(FIXTURE, 'proc/meminfo'), 'utf8').replace(/^Committed_AS:.*$/m, 'Committed_AS:   13000000 kB');
    const stat5901 = readFileSync(path.join(FIXTURE, 'proc/5901/stat'), 'utf8').replace('(python3)', '(kubelet)');
    const root = fixtureWith({
      'proc/sys/vm/overcommit_memory': '2\n',
      'proc/sys/vm/panic_on_oom': '1\n',
      'proc/sys/kernel/panic': '0\n',
      'proc/sys/vm/oom_kill_allocating_task': '1\n',
      'proc/sys/vm/oom_dump_tasks': '0\n',
      'proc/meminfo': meminfo,
      'proc/pressure/memory': null,
      'proc/5904/oom_score_adj': '-1000\n',
      // The kernel shows one name in both; doctor finds kubelet by /proc/PID/comm (or argv[0]), as sysctl does.
      'proc/5901/stat': stat5901,
      'proc/5901/comm': 'kubelet\n',
    });
    const r = runCli(['doctor', '--root', root]);
    expect(r.status).toBe(1);
    const found = [...r.stdout.matchAll(/^(\w+) +(OOM\d{3}) /gm)].map((m) => `${m[2]}:${(m[1] as string).toLowerCase()}`);
    expect(found).toEqual([
      'OOM004:critical', 'OOM016:critical',
      'OOM003:warning', 'OOM008:warning', 'OOM009:warning', 'OOM011:warning', 'OOM014:warning', 'OOM015:warning', 'OOM017:warning',
      // The kubelet this copy runs comes with OOM018 (issue 11): no root memory cgroup here, so its eviction distance is unknown.
      'OOM018:warning',
      'OOM005:info', 'OOM007:info',
    ]);
    expect(r.stdout).toContain('5904 (ev\\x1b[31mil\\x07, root,');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain('Committed_AS 12695 MiB > CommitLimit 12053 MiB (105.3%)');
    expect(r.stdout).toContain('kubelet (pid 5901)');

    const j = runCliJson(['doctor', '--root', root, '--fail-on', 'none']);
    expect(j.summary).toEqual({ info: 2, warning: 8, critical: 2 });
    expect(j.findings.find((f: any) => f.code === 'OOM018').detail).toMatch(/^the root memory cgroup could not be read/);
    expect(j.failed).toBe(false);
    const adj = j.findings.find((f: any) => f.code === 'OOM007');
    expect(adj.processes).toEqual([{ pid: 5904, comm: 'ev\x1b[31mil\x07', user: 'root', rss_kb: expect.any(Number) }]);
    expect(j.facts).toMatchObject({ psi: false, memory_cgroup_version: 1, kubelet_pids: [5901], oom_score_adj_min_pids: [5904] });
  });

  it('finds kubelet by argv[0] when its comm was renamed, as sysctl does', () => {
    const root = fixtureWith({ 'proc/5901/cmdline': '/usr/local/bin/kubelet\0--v=2\0' });
    expect(runCliJson(['doctor', '--root', root, '--fail-on', 'none']).facts.kubelet_pids).toEqual([5901]);
    expect(runCliJson(['sysctl', '--root', root]).kubelet_pid).toBe(5901);
    // doctor only reads: the captured tree itself, not a copy of it.
    expect(runCliJson(['doctor', '--root', FIXTURE, '--fail-on', 'none']).facts.kubelet_pids).toEqual([]);
  });

  it('tells this oomctl from systemd\'s on PATH', () => {
    const root = fixtureWith({});
    // A stand-in for systemd's binary: an ELF header and the library name it links.
    mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    writeFileSync(path.join(root, 'usr/bin/oomctl'), Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(64), Buffer.from('libsystemd-shared-252.so')]));
    chmodSync(path.join(root, 'usr/bin/oomctl'), 0o755);
    mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
    symlinkSync(BIN, path.join(root, 'usr/local/bin/oomctl'));
    const first = runCliJson(['doctor', '--root', root], { env: { PATH: `/usr/local/bin:/usr/bin:${path.dirname(process.execPath)}` } });
    expect(first.findings.map((f: any) => f.code)).toEqual(['OOM011', 'OOM017', 'OOM001']);
    expect(first.facts).toMatchObject({ systemd_oomctl: '/usr/bin/oomctl', path_oomctl: { path: '/usr/local/bin/oomctl', kind: 'ours' } });
    const second = runCliJson(['doctor', '--root', root], { env: { PATH: `/usr/bin:/usr/local/bin:${path.dirname(process.execPath)}` } });
    expect(second.findings.map((f: any) => f.code)).toEqual(['OOM002', 'OOM011', 'OOM017']);
    expect(second.facts.path_oomctl).toEqual({ path: '/usr/bin/oomctl', kind: 'systemd' });
  });

  it('--fail-on sets the exit status', () => {
    expect(runCli(['doctor', ...at, '--fail-on', 'warning']).status).toBe(1);
    expect(runCli(['doctor', ...at, '--fail-on', 'critical']).status).toBe(0);
    expect(runCli(['doctor', ...at, '--fail-on', 'info']).status).toBe(1);
    const bad = runCli(['doctor', ...at, '--fail-on', 'severe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("option '--fail-on <severity>' argument 'severe' is invalid");
  });
});

const BASH = findTool('bash');
const ZSH = findTool('zsh');
const FISH = findTool('fish');

describe('oomctl completion', () => {
  const scripts = { bash: runCli(['completion', 'bash']), zsh: runCli(['completion', 'zsh']), fish: runCli(['completion', 'fish']) };

  it('prints a script for each shell, rejects others', () => {
    for (const r of Object.values(scripts)) {
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('complete targets'); // __complete targets/users/sysctl through one helper per shell
    }
    expect(runCli(['completion', 'tcsh']).status).toBe(2);
  });

  it('includes every visible command and its options, not the hidden one', () => {
    const help = runCli(['--help']).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] as string).filter((c) => c !== 'oomctl');
    expect(commands).toEqual(expect.arrayContaining(['top', 'explain', 'metrics', 'doctor', 'completion']));
    for (const c of commands) expect(scripts.bash.stdout).toContain(`    ${c})`);
    expect(scripts.bash.stdout).not.toContain('__complete)');
    expect(scripts.bash.stdout).toContain("--fail-on) __oomctl_reply_words 'info warning critical none'");
  });

  for (const [shell, bin] of [['bash', BASH], ['zsh', ZSH], ['fish', FISH]] as const) {
    it(`${shell} -n accepts the script`, skipWith(bin ? undefined : `${shell} is not installed (Debian package ${shell})`), () => {
      const file = path.join(tmp, `completion.${shell}`);
      writeFileSync(file, scripts[shell].stdout);
      const r = spawnSync(bin as string, ['-n', file], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }

  describe('in bash', skipWith(BASH ? undefined : 'bash is not installed (Debian package bash)'), () => {
    const file = path.join(tmp, 'oomctl.bash');
    writeFileSync(file, scripts.bash.stdout);
    /** Runs the completion function for the words typed so far (the last is the current one). */
    const complete = (...words: string[]): string[] => {
      const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _oomctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync(BASH as string, ['-c', script, 'bash', file, ...words], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '');
    };

    it('proposes the commands, then their options and the global ones', () => {
      expect(complete('oomctl', '')).toEqual(expect.arrayContaining(['top', 'explain', 'metrics', 'doctor', 'completion']));
      expect(complete('oomctl', 'ex')).toEqual(['explain']);
      expect(complete('oomctl', 'top', '--')).toEqual(expect.arrayContaining(['--json', '--limit', '--all', '--root']));
      expect(complete('oomctl', 'top', '--')).not.toContain('--fail-on');
      expect(complete('oomctl', '--color', '')).toEqual(['auto', 'always', 'never']);
      expect(complete('oomctl', 'completion', 'f')).toEqual(['fish']);
      expect(complete('oomctl', '--root', '/tmp', 'doctor', '--fail-on', 'c')).toEqual(['critical']);
    });

    it('completes the value of --opt=value (bash splits the word at "=")', () => {
      // The cursor just after "=": bash may hand over "=" or an empty word after it.
      expect(complete('oomctl', '--color', '=')).toEqual(['auto', 'always', 'never']);
      expect(complete('oomctl', '--color', '=', '')).toEqual(['auto', 'always', 'never']);
      expect(complete('oomctl', 'doctor', '--fail-on', '=', 'c')).toEqual(['critical']);
      // A value given as --opt=value is not taken for the command or an argument.
      expect(complete(BIN, '--root', '=', FIXTURE, 'explain', 'pyth')).toEqual(['python3']);
      expect(complete('oomctl', '--color', '=', 'never', 'completion', 'f')).toEqual(['fish']);
    });

    it('after run [--], commands from PATH, then the command\'s own arguments; never oomctl\'s commands', () => {
      expect(complete('oomctl', 'run', '--', 'ech')).toContain('echo');
      expect(complete('oomctl', 'run', '--adj', '5', '--', '')).not.toContain('explain');
      expect(complete('oomctl', 'run', '--adj', '5', 'ech')).toContain('echo');
      // After the command: what completes for it (here file names; bash-completion's _command_offset where loaded).
      const files = complete('oomctl', 'run', '--adj', '5', '--', 'ls', path.join(FIXTURE, 'pr'));
      expect(files).toEqual([path.join(FIXTURE, 'proc')]);
      expect(complete('oomctl', 'run', '--', 'ls', '--')).not.toContain('--adj');
    });

    it('values for --sort, --source, --user (the root\'s /etc/passwd) and sysctl KEY / KEY=', () => {
      expect(complete('oomctl', 'top', '--sort', '')).toEqual([...TOP_SORT_KEYS]);
      expect(complete('oomctl', 'top', '--sort', '=', 'r')).toEqual(['rank', 'rss']);
      expect(complete('oomctl', 'events', '--source', '')).toEqual(['journal', 'kmsg', 'dmesg', 'file']);
      expect(complete(BIN, '--root', FIXTURE, 'top', '--user', 'po')).toEqual(['polkitd', 'postgres']);
      expect(complete(BIN, '--root', FIXTURE, 'protect', '--user', 'ro')).toEqual(['root']);
      expect(complete(BIN, 'sysctl', 'vm.oom_')).toEqual(['vm.oom_kill_allocating_task', 'vm.oom_dump_tasks']);
      expect(complete(BIN, 'sysctl', '')).toHaveLength(9);
      expect(complete(BIN, '--root', FIXTURE, 'sysctl', 'vm.panic_on_oom', '=')).toEqual(['0', '1', '2']);
      expect(complete(BIN, '--root', FIXTURE, 'sysctl', 'kernel.panic', '=', '')).toEqual(['1']); // the live value
      expect(complete(BIN, '--root', FIXTURE, 'sysctl', 'vm.panic_on_oom=1', 'kernel.panic', '=', '')).toEqual(['1']);
    });

    it('proposes process names and pids for explain, from the same --root', () => {
      expect(complete(BIN, '--root', FIXTURE, 'explain', 'pyth')).toEqual(['python3']);
      expect(complete(BIN, '--root', FIXTURE, 'explain', '590')).toEqual(['5900', '5901', '5902', '5903', '5904']);
      // the hostile name is not proposed; its pid is
      expect(complete(BIN, '--root', FIXTURE, 'explain', 'ev')).toEqual([]);
      // a second argument to explain gets nothing
      expect(complete(BIN, '--root', FIXTURE, 'explain', 'python3', '')).toEqual([]);
    });
  });
});

describe('completion offers what the commands accept', () => {
  it('each --source word is one events takes, and no other is', () => {
    const spec = runCli(['completion', 'bash']).stdout;
    const words = /--source\) __oomctl_reply_words '([^']+)'/.exec(spec)?.[1]?.split(' ') ?? [];
    expect(words).toEqual(['journal', 'kmsg', 'dmesg', 'file']);
    for (const w of [...words, 'nosuchsource']) {
      const r = runCli([...at, 'events', '--source', w, '--file', '/dev/null']);
      if (w === 'nosuchsource') expect(r.stderr).toMatch(/--source must be one of/);
      else expect(r.stderr).not.toMatch(/--source must be one of/);
    }
  });
});

describe('oomctl completion, run in zsh and fish', () => {
  // The script calls the program by the name typed: put `oomctl` on PATH.
  const binDir = path.join(tmp, 'bin');
  mkdirSync(binDir, { recursive: true });
  symlinkSync(BIN, path.join(binDir, 'oomctl'));
  const env = { ...process.env, NO_COLOR: '1', PATH: `${binDir}:${process.env.PATH ?? ''}` };

  it('zsh: commands with descriptions, options, targets under --root', skipWith(ZSH ? undefined : 'zsh is not installed (Debian package zsh)'), () => {
    const file = path.join(tmp, '_oomctl');
    writeFileSync(file, runCli(['completion', 'zsh']).stdout);
    // Outside a completion widget compadd and _describe do not exist: stubs print what they get.
    const script = [
      'compdef() { :; }',
      'compadd() { if [[ $1 == -a ]]; then print -rl -- "${(@P)2}"; else shift; print -rl -- "$@"; fi; }',
      'compset() { :; }',
      '_describe() { print -rl -- "${(@P)4}"; }',
      '_command_names() { print -r -- "<commands from PATH>"; }',
      '_normal() { print -r -- "<normal: $words[1] at $CURRENT>"; }',
      'source "$1"; shift',
      'words=("$@"); CURRENT=$#; _oomctl',
    ].join('\n');
    const run = (...words: string[]) => {
      const r = spawnSync(ZSH as string, ['-f', '-c', script, 'zsh', file, ...words], { encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '');
    };
    expect(run('oomctl', '')).toEqual(expect.arrayContaining([expect.stringMatching(/^top:list processes/), expect.stringMatching(/^explain:explain one process\\: /)]));
    expect(run('oomctl', 'top', '--')).toEqual(expect.arrayContaining([expect.stringMatching(/^--json:/), expect.stringMatching(/^--limit:/)]));
    expect(run('oomctl', 'doctor', '--fail-on', '')).toEqual(['info', 'warning', 'critical', 'none']);
    const targets = run('oomctl', '--root', FIXTURE, 'explain', '');
    expect(targets).toEqual(expect.arrayContaining(['python3', '5903']));
    expect(targets).not.toContain('kthreadd');
    // run: commands from PATH, then the command's own completion (_normal on the words from it on).
    expect(run('oomctl', 'run', '--', '')).toEqual(['<commands from PATH>']);
    expect(run('oomctl', 'run', '--adj', '5', '')).toEqual(['<commands from PATH>']);
    expect(run('oomctl', 'run', '--adj', '5', '--', 'ls', '-l', '')).toEqual(['<normal: ls at 3>']);
    expect(run('oomctl', 'top', '--sort', '')).toEqual([...TOP_SORT_KEYS]);
    expect(run('oomctl', 'events', '--source', '')).toEqual(['journal', 'kmsg', 'dmesg', 'file']);
    expect(run('oomctl', '--root', FIXTURE, 'top', '--user', '')).toEqual(expect.arrayContaining(['postgres', 'root']));
    expect(run('oomctl', 'sysctl', '')).toHaveLength(9);
    expect(run('oomctl', '--root', FIXTURE, 'sysctl', 'vm.panic_on_oom=')).toEqual(['0', '1', '2']);
    // --opt=value in one word: its value is completed, and --root=DIR counts.
    expect(run('oomctl', 'doctor', '--fail-on=')).toEqual(['info', 'warning', 'critical', 'none']);
    expect(run('oomctl', `--root=${FIXTURE}`, 'explain', '')).toEqual(expect.arrayContaining(['python3', '5903']));
  });

  it('fish: commands, options, choices, targets under --root', skipWith(FISH ? undefined : 'fish is not installed (Debian package fish)'), () => {
    const file = path.join(tmp, 'oomctl.fish');
    writeFileSync(file, runCli(['completion', 'fish']).stdout);
    const run = (line: string) => {
      const r = spawnSync(FISH as string, ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', file, line], { encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]);
    };
    expect(run('oomctl ')).toEqual(expect.arrayContaining(['top', 'explain', 'metrics', 'doctor', 'completion']));
    expect(run('oomctl top --')).toEqual(expect.arrayContaining(['--json', '--limit', '--all']));
    expect(run('oomctl top --')).not.toContain('--fail-on');
    expect(run('oomctl doctor --fail-on ')).toEqual(['critical', 'info', 'none', 'warning']);
    expect(run(`oomctl --root ${FIXTURE} explain 590`)).toEqual(['5900', '5901', '5902', '5903', '5904']);
    expect(run(`oomctl --root ${FIXTURE} explain python3 `)).toEqual([]);
    expect(run('oomctl doctor --fail-on=c')).toEqual(['--fail-on=critical']);
    expect(run(`oomctl --root=${FIXTURE} explain 590`)).toEqual(['5900', '5901', '5902', '5903', '5904']);
    expect(run('oomctl run -- ech')).toContain('echo');
    expect(run('oomctl run --adj 5 ')).not.toContain('explain');
    expect(run(`oomctl run --adj 5 -- ls ${path.join(FIXTURE, 'pr')}`)).toEqual([path.join(FIXTURE, 'proc/')]);
    expect(run('oomctl run -- ls --')).not.toContain('--adj');
    expect(run('oomctl top --sort ')).toEqual([...TOP_SORT_KEYS].sort());
    expect(run('oomctl events --source ')).toEqual(['dmesg', 'file', 'journal', 'kmsg']);
    expect(run(`oomctl --root ${FIXTURE} top --user po`)).toEqual(['polkitd', 'postgres']);
    expect(run('oomctl sysctl vm.oom_')).toEqual(['vm.oom_dump_tasks', 'vm.oom_kill_allocating_task']);
    expect(run(`oomctl --root ${FIXTURE} sysctl vm.panic_on_oom=`)).toEqual(['vm.panic_on_oom=0', 'vm.panic_on_oom=1', 'vm.panic_on_oom=2']);
  });
});

describe('oomctl __complete targets', () => {
  it('prints names with counts, then pids with names, leaving out kernel threads and unprintable names', () => {
    const r = runCli(['__complete', 'targets', ...at]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('python3\t5 processes');
    expect(lines).toContain('5904\tprocess');
    expect(lines.some((l) => l.startsWith('kthreadd'))).toBe(false);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(runCli(['--help']).stdout).not.toContain('__complete');
  });
});
