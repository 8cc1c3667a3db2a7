// dist/oomctl-VERSION-linux-x64.tar.gz (npm run release): its exact content,
// each file as in the tree it came from, the README's install section inside,
// and docs/ansible/playbook.yml installing it on a host (localhost) with no
// npm involved. .ci/run makes the archive; without it these skip.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactProblem } from '../helpers/artifacts.js';
import { skipWith } from '../helpers/skip.js';
import { FIXTURES, REPO } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; oomctl: { standalone: string } };
const NAME = `oomctl-${pkg.version}-linux-x64`;
const ARCHIVE = path.join(REPO, 'dist', `${NAME}.tar.gz`);
const problem = artifactProblem(ARCHIVE, 'npm run release');
const hasAnsible = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).status === 0;

describe('the release archive', skipWith(problem), () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oomctl-runtime-release-'));
    expect(spawnSync('tar', ['-xzf', ARCHIVE, '-C', dir]).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds one folder: the executable, man page, completions, unit and README, owned by root, nothing else', () => {
    const list = spawnSync('tar', ['-tzvf', ARCHIVE], { encoding: 'utf8' }).stdout.trim().split('\n');
    const entries = list.map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[1]} ${f[5]}`; });
    expect(entries).toEqual([
      `drwxr-xr-x 0/0 ${NAME}/`,
      `-rw-r--r-- 0/0 ${NAME}/README.md`,
      `drwxr-xr-x 0/0 ${NAME}/completion/`,
      `-rw-r--r-- 0/0 ${NAME}/completion/_oomctl`,
      `-rw-r--r-- 0/0 ${NAME}/completion/oomctl.bash`,
      `-rw-r--r-- 0/0 ${NAME}/completion/oomctl.fish`,
      `-rwxr-xr-x 0/0 ${NAME}/oomctl`,
      `-rw-r--r-- 0/0 ${NAME}/oomctl-watch.service`,
      `-rw-r--r-- 0/0 ${NAME}/oomctl.8`,
    ]);
  });

  it('each file is the one in the tree: the standalone, docs/, dist/completion', () => {
    const same = (inArchive: string, source: string): void => expect(readFileSync(path.join(dir, NAME, inArchive)).equals(readFileSync(path.join(REPO, source))), inArchive).toBe(true);
    same('oomctl', pkg.oomctl.standalone);
    same('oomctl.8', 'docs/oomctl.8');
    same('oomctl-watch.service', 'docs/oomctl-watch.service');
    for (const f of ['oomctl.bash', '_oomctl', 'oomctl.fish']) same(`completion/${f}`, `dist/completion/${f}`);
    const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/nonexistent', path.join(dir, NAME, 'oomctl'), '--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('README.md is the README\'s install section, and names this version\'s archive', () => {
    const readme = readFileSync(path.join(dir, NAME, 'README.md'), 'utf8');
    const main = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Install on a server without Node'));
    expect(section.length).toBeGreaterThan(500);
    expect(main).toContain(section.trimEnd());
    expect(section).toContain(`tar -xzf ${NAME}.tar.gz && cd ${NAME}`);
  });

  it('docs/ansible/playbook.yml installs it with oomctl_release, checks and applies through it; a second run changes nothing', { ...skipWith(hasAnsible ? undefined : 'ansible-playbook is not installed (.ci/install-test-tools.sh installs it)'), timeout: 180_000 }, () => {
    const work = path.join(dir, 'ansible');
    const root = path.join(work, 'root');
    mkdirSync(root, { recursive: true });
    cpSync(path.join(FIXTURES, 'sysctl-debian12/proc'), path.join(root, 'proc'), { recursive: true });
    writeFileSync(path.join(work, 'policy.yml'), 'sysctl:\n  vm.oom_dump_tasks: 0\n');
    const prefix = path.join(work, 'prefix');
    const vars = {
      oomctl_target: 'localhost',
      oomctl_become: false,
      oomctl_release: ARCHIVE,
      oomctl_release_prefix: prefix,
      oomctl_policy: path.join(work, 'policy.yml'),
      oomctl_policy_dest: path.join(work, 'etc/policy.yml'),
      oomctl_root: root,
      oomctl_top_dir: path.join(work, 'top'),
      ansible_python_interpreter: '/usr/bin/python3',
    };
    writeFileSync(path.join(work, 'vars.json'), JSON.stringify(vars));
    const play = (): { status: number | null; out: string } => {
      const r = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', path.join(REPO, 'docs/ansible/playbook.yml'), '-e', `@${path.join(work, 'vars.json')}`], {
        encoding: 'utf8', cwd: work, env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'default', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(work, 'tmp') },
      });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const first = play();
    expect(first.status, first.out).toBe(0);
    expect(first.out).toMatch(/TASK \[Unpack the release archive\][^\n]*\n(changed|ok): /);
    expect(first.out).toMatch(/TASK \[Install oomctl with npm\][^\n]*\nskipping: /);
    expect(readlinkSync(path.join(prefix, 'bin/oomctl'))).toBe(path.join(prefix, 'lib', NAME, 'oomctl'));
    expect(readlinkSync(path.join(prefix, 'share/man/man8/oomctl.8'))).toBe(path.join(prefix, 'lib', NAME, 'oomctl.8'));
    expect(readFileSync(path.join(root, 'proc/sys/vm/oom_dump_tasks'), 'utf8').trim()).toBe('0');
    const second = play();
    expect(second.status, second.out).toBe(0);
    expect(second.out).toMatch(/TASK \[Check the host against the policy\][^\n]*\nok: /);
    expect(second.out).toMatch(/TASK \[Apply the policy\][^\n]*\nskipping: /);
    expect(second.out).toMatch(/TASK \[Unpack the release archive\][^\n]*\nskipping: /);
    expect(second.out).toMatch(/TASK \[Link the release.s files into place\][^\n]*\n(ok: [^\n]*\n)+\n/);
  });
});
