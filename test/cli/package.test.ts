// The npm package: what `npm pack` puts in it (exactly what a user needs:
// bundle, launcher, man page, docs, completion scripts, unit file; no code
// cache, no standalone, no sources, no tests), no runtime dependencies, and an
// install of the packed tarball into an empty prefix that fetches nothing
// (offline, with an empty npm cache) and runs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string>; engines: { node: string } };
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env } });

describe('the npm package', () => {
  let dir: string;
  let files: { path: string; size: number }[];
  let tarball: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oomctl-runtime-package-'));
    // --ignore-scripts: pack the dist/ the suite built, without `prepare` rebuilding it under other tests.
    const r = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], REPO);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { filename: string; files: { path: string; size: number }[] }[];
    files = out[0]?.files ?? [];
    tarball = path.join(dir, out[0]?.filename ?? '');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the bundle, the launcher, dist/completion and docs/ as git has them, and nothing else', () => {
    const docs = spawnSync('git', ['ls-files', 'docs'], { cwd: REPO, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(docs).toContain('docs/oomctl.8');
    expect(docs).toContain('docs/oomctl-watch.service');
    expect(files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'bin/oomctl.js',
      'bin/package.json',
      'dist/cli.cjs',
      'dist/completion/_oomctl',
      'dist/completion/oomctl.bash',
      'dist/completion/oomctl.fish',
      'dist/vendor-cli-table3.cjs',
      'dist/vendor-execa.cjs',
      'dist/vendor-yaml.cjs',
      ...docs,
      'package.json',
    ].sort());
  });

  it('has no runtime dependencies, and says which Node versions it runs on', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.engines.node).toBe('^20 || ^22 || ^24 || ^26');
    // Nothing in the bundle requires a package: only built-ins and its own vendored files.
    const builtins = new Set(builtinModules);
    for (const f of readdirSync(path.join(REPO, 'dist')).filter((n) => n.endsWith('.cjs'))) {
      const text = readFileSync(path.join(REPO, 'dist', f), 'utf8');
      const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string);
      expect(required.filter((m) => !m.startsWith('node:') && !builtins.has(m) && !m.startsWith('./vendor-')), f).toEqual([]);
      if (f === 'cli.cjs') expect(required).toContain('./vendor-yaml.cjs');
    }
  });

  it('installs into an empty prefix offline with an empty npm cache (so it fetched nothing), and runs', () => {
    expect(existsSync(tarball)).toBe(true);
    const prefix = path.join(dir, 'prefix');
    const r = npm(['install', '--global', '--prefix', prefix, '--offline', '--cache', path.join(dir, 'npm-cache'), '--registry', 'http://127.0.0.1:9/', tarball], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/added 1 package/);
    expect(readdirSync(path.join(prefix, 'lib/node_modules'))).toEqual(['oomctl']);
    expect(existsSync(path.join(prefix, 'lib/node_modules/oomctl/node_modules'))).toBe(false);
    expect(existsSync(path.join(prefix, 'share/man/man8/oomctl.8'))).toBe(true);
    const exe = path.join(prefix, 'bin/oomctl');
    const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(dir, 'xdg') };
    expect(spawnSync(exe, ['--version'], { encoding: 'utf8', env }).stdout).toBe(`${pkg.version}\n`);
    const top = spawnSync(exe, ['top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')], { encoding: 'utf8', env });
    expect(top.status, top.stderr).toBe(0);
    expect(top.stdout).toContain('next victim: pid');
  }, 60_000);
});
