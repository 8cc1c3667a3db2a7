// dist/oomctl (npm run build:standalone): one file that runs with no Node on
// the host. Copied alone into an empty folder, run with an empty environment
// and a PATH where nothing is, it must do what the npm-installed oomctl does,
// byte for byte on fixture roots. .ci/run builds it; without it these skip.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactProblem } from '../helpers/artifacts.js';
import { skipWith } from '../helpers/skip.js';
import { FIXTURES, REPO, runCli } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; oomctl: { standalone: string } };
const BUILT = path.join(REPO, pkg.oomctl.standalone);
const problem = artifactProblem(BUILT, 'npm run build:standalone');
const LOG = path.join(FIXTURES, 'logs/earlyoom-309-journal.log');
const ROOT = path.join(FIXTURES, 'vm-6.18-scenario');

describe('the standalone executable', skipWith(problem), () => {
  let dir: string;
  let exe: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oomctl-runtime-standalone-'));
    exe = path.join(dir, 'oomctl');
    copyFileSync(BUILT, exe);
    expect(statSync(BUILT).mode & 0o111).not.toBe(0);
    copyFileSync(BUILT, exe);
    spawnSync('chmod', ['755', exe]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** ./oomctl ARGS in its folder, under `env -i PATH=/nonexistent`. */
  const standalone = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/nonexistent', './oomctl', ...args], { cwd: dir, encoding: 'utf8', input: '', maxBuffer: 16 << 20 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('is alone in its folder', () => {
    expect(readdirSync(dir)).toEqual(['oomctl']);
  });

  it('--version', () => {
    expect(standalone(['--version'])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('top --once on this machine, and on a fixture root byte for byte as the npm package', () => {
    const live = standalone(['top', '--once']);
    expect(live.status, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/^RANK +PID +USER +COMM /m);
    const fixture = standalone(['top', '--once', '--root', ROOT]);
    expect(fixture).toEqual({ ...runCli(['top', '--once', '--root', ROOT]), status: 0 });
    expect(fixture.stdout).toContain('next victim: pid');
  });

  it('explain: pid 1 here, and a fixture process as the npm package explains it', () => {
    const live = standalone(['explain', '1']);
    expect(live.status, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/^pid 1 \(/);
    const pid = /next victim: pid (\d+)/.exec(runCli(['top', '--once', '--root', ROOT]).stdout)?.[1] as string;
    const r = standalone(['explain', pid, '--root', ROOT]);
    expect(r).toEqual({ ...runCli(['explain', pid, '--root', ROOT]), status: 0 });
  });

  it('events --file, table and --json, as the npm package (execa, yaml and cli-table3 are inside)', () => {
    for (const extra of [[], ['--json']]) {
      const args = ['events', '--file', LOG, ...extra];
      const r = standalone(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r).toEqual(runCli(args));
    }
    expect(standalone(['events', '--file', LOG]).stdout).toContain('earlyoom');
  });

  it('check on a policy (yaml inside the executable)', () => {
    const args = ['check', '--file', path.join(REPO, 'docs/ansible/policy.yml'), '--root', path.join(FIXTURES, 'sysctl-debian12'), '--json'];
    const r = standalone(args);
    expect([0, 1]).toContain(r.status);
    expect(r).toEqual(runCli(args));
  });

  it('--debug stack traces name the bundle, not the folder it was built in', () => {
    const r = standalone(['explain', '999999', '--root', ROOT, '--debug']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('(oomctl/standalone.cjs:');
    expect(r.stderr).not.toContain(REPO);
    // Nor does the file: the blob and its code cache were made under relative names.
    const bytes = readFileSync(BUILT);
    for (const p of [REPO, '/oomctl-sea-']) expect(bytes.indexOf(p), p).toBe(-1);
  });
});
