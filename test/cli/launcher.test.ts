// bin/oomctl.js loads dist/cli.cjs with a per-user code cache: Node's own
// compile cache on Node 22.1+, V8 cached data in a vm.Script on Node 20. The
// cache lives in ${XDG_CACHE_HOME:-~/.cache}/oomctl, never in the package;
// a folder another user could write is not used; a cache from another build,
// or a damaged one, is replaced; no cache is no error. A missing bundle is one
// line and exit 70. Stack traces name the bundle inside the package, not the
// folder it was built or installed in. Start-up loads none of what only some
// commands need (docs/performance.md).
//
// Which of the two caches is tested depends on the Node that runs the suite:
// .ci/run runs it on Node 20 and on Node 24 (.ci/node-matrix.sh).

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, openModes, REPO, whyUidCannotRun } from '../helpers/run-cli.js';
import { skipNow, skipWith } from '../helpers/skip.js';

const VERSION = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
const isRoot = process.getuid?.() === 0;
const nodeCache = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const TOP = ['top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')];

let dir: string;

function run(args: string[], opts: { uid?: number; nodeArgs?: string[]; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', HOME: path.join(dir, 'home'), XDG_CACHE_HOME: path.join(dir, 'cache'), ...opts.env };
  delete env.NODE_COMPILE_CACHE;
  if (opts.env?.NODE_DISABLE_COMPILE_CACHE === undefined) delete env.NODE_DISABLE_COMPILE_CACHE;
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), path.join(dir, 'bin/oomctl.js'), ...args], { encoding: 'utf8', env, input: '', uid: opts.uid });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bundle = (): string => path.join(dir, 'dist/cli.cjs');
const cacheDir = (): string => path.join(dir, 'cache/oomctl');
/** Node 20's cache file. */
const cache = (): string => path.join(cacheDir(), `cli-${process.version}.cache`);
const headerOf = (file: string): string => readFileSync(file, 'latin1').split('\n', 1)[0] as string;
const identity = (file: string): string => { const s = statSync(file); return `${s.ino}:${s.mtimeMs}`; };
/** Every file under a folder, with its size and identity. */
function tree(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(folder)) return out;
  for (const f of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(path.join(folder, f));
    if (s.isFile()) out[f] = `${s.size}:${identity(path.join(folder, f))}`;
  }
  return out;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oomctl-runtime-launcher-'));
  cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
  cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (f) => !path.basename(f).startsWith('oomctl') });
  openModes(dir);
  mkdirSync(path.join(dir, 'home'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the code cache, either kind', () => {
  it('is made per user at the first run, outside the package, in a folder only that user can write', () => {
    const before = tree(path.join(dir, 'dist'));
    expect(run(TOP).status).toBe(0);
    expect(tree(path.join(dir, 'dist'))).toEqual(before);
    expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
    expect(Object.keys(tree(cacheDir())).length).toBeGreaterThan(0);
    // A second run uses it as it is: nothing is written again.
    const made = tree(cacheDir());
    expect(run(['--version'])).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(tree(cacheDir())).toEqual(made);
  });

  it('goes to ~/.cache/oomctl without XDG_CACHE_HOME', () => {
    expect(run(['--version'], { env: { XDG_CACHE_HOME: '' } }).status).toBe(0);
    expect(Object.keys(tree(path.join(dir, 'home/.cache/oomctl'))).length).toBeGreaterThan(0);
    expect(existsSync(cacheDir())).toBe(false);
  });

  it('is not used in a folder others can write, nor with NODE_DISABLE_COMPILE_CACHE=1', () => {
    mkdirSync(cacheDir(), { recursive: true });
    chmodSync(cacheDir(), 0o777);
    expect(run(TOP)).toMatchObject({ status: 0, stderr: '' });
    expect(tree(cacheDir())).toEqual({});
    chmodSync(cacheDir(), 0o700);
    expect(run(TOP, { env: { NODE_DISABLE_COMPILE_CACHE: '1' } })).toMatchObject({ status: 0, stderr: '' });
    expect(tree(cacheDir())).toEqual({});
    // The control: the same folder, ours alone, gets a cache.
    expect(run(TOP).status).toBe(0);
    expect(Object.keys(tree(cacheDir())).length).toBeGreaterThan(0);
  });

  it('is not used in a folder owned by another user (root with a user\'s HOME)', skipWith(isRoot ? undefined : 'needs root to give the cache folder to another user'), () => {
    mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
    chownSync(cacheDir(), 65534, 65534);
    expect(run(TOP)).toMatchObject({ status: 0, stderr: '' });
    expect(tree(cacheDir())).toEqual({});
  });

  it('cannot be made (a home the user cannot write): oomctl works all the same', (ctx) => {
    skipNow(ctx, whyUidCannotRun(dir, 65534));
    chmodSync(dir, 0o755);
    const r = run(['--version'], { uid: 65534 });
    expect(r).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(existsSync(cacheDir())).toBe(false);
  });
});

describe('Node 20: V8 cached data in a vm.Script', skipWith(nodeCache ? `Node ${process.version} has module.enableCompileCache: the V8 cached data is Node 20's only` : undefined), () => {
  it('carries the bundle\'s build line, and is replaced when it belongs to another build', () => {
    expect(run(['--version']).status).toBe(0);
    const header = headerOf(bundle());
    expect(header).toMatch(new RegExp(`^// oomctl ${VERSION.replace(/\./g, '\\.')} build [0-9a-f]{16}$`));
    expect(headerOf(cache())).toBe(header);
    writeFileSync(cache(), '// oomctl 0.0.1 build 0000000000000000\nnot a code cache');
    const r = run(TOP);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('next victim: pid');
    expect(headerOf(cache())).toBe(header);
    expect(statSync(cache()).size).toBeGreaterThan(10_000);
    const before = identity(cache());
    expect(run(['--version']).stdout).toBe(`${VERSION}\n`);
    expect(identity(cache())).toBe(before);
  });

  // Node 20's V8 does not verify a code cache's checksum: this damage made it crash before
  // the launcher checked the length and a sampled sum itself.
  it('is replaced when damaged (a zeroed block, bytes flipped, cut short), not run', () => {
    expect(run(TOP).status).toBe(0);
    const good = readFileSync(cache());
    const dataStart = good.indexOf(10, good.indexOf(10) + 1) + 1;
    const zeroed = Buffer.from(good);
    zeroed.fill(0, dataStart + 8192, dataStart + 12288);
    const flipped = Buffer.from(good);
    for (let i = dataStart + 64; i < flipped.length; i += 97) flipped[i] = (flipped[i] as number) ^ 0xff;
    const short = good.subarray(0, good.length - 4096);
    for (const damaged of [zeroed, flipped, short]) {
      writeFileSync(cache(), damaged);
      const r = run(['--version']);
      expect(r).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
      expect(readFileSync(cache()).equals(damaged)).toBe(false);
      expect(headerOf(cache())).toBe(headerOf(bundle()));
    }
    expect(readdirSync(cacheDir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('Node 22.1+: module.enableCompileCache', skipWith(nodeCache ? undefined : `Node ${process.version} has no module.enableCompileCache`), () => {
  it('keeps Node\'s cache for this Node version in the folder, and accepts it at the next run', () => {
    expect(run(TOP).status).toBe(0);
    const sub = readdirSync(cacheDir());
    expect(sub).toHaveLength(1);
    expect(sub[0]).toMatch(new RegExp(`^${process.version.replace(/\./g, '\\.')}-${process.arch}-`));
    const r = run(TOP, { env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/V8 code cache for CommonJS .*dist\/cli\.cjs was accepted/);
  });
});

describe('the launcher', () => {
  it('says in one line that the bundle is missing, and exits 70', () => {
    unlinkSync(bundle());
    const r = run(['top']);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`oomctl: cannot read ${bundle()} (ENOENT); build it with: npm run build\n`);
  });

  // issue 17: `at … (/…/dist/cli.cjs:160:153)` showed where it was built or cloned.
  it('--debug stack traces name the bundle inside the package, not its folder, with or without a cache', () => {
    for (let i = 0; i < 2; i++) {
      const r = run(['explain', '999999', '--root', path.join(FIXTURES, 'vm-6.18-scenario'), '--debug']);
      expect(r.status).toBe(3);
      const frames = r.stderr.split('\n').filter((l) => l.trimStart().startsWith('at '));
      expect(frames.some((l) => l.includes('(oomctl/dist/cli.cjs:')), r.stderr).toBe(true);
      expect(r.stderr).not.toContain(dir);
      expect(r.stderr).not.toContain(REPO);
    }
  });
});

describe('start-up', () => {
  // A preload that writes, at exit, the built-in modules loaded and the files required.
  function loaded(args: string[]): { builtins: string[]; files: string[] } {
    const out = path.join(dir, 'loaded.json');
    const preload = path.join(dir, 'preload.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)), files: Object.keys(require.cache) })));\n`);
    const r = run(args, { nodeArgs: ['--require', preload] });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8'));
  }

  it('of `top --once` and `--version` loads neither child_process nor tty, nor a vendored library', () => {
    for (const args of [['--version'], TOP]) {
      const { builtins, files } = loaded(args);
      expect(builtins).toContain('fs');
      expect(builtins.filter((m) => ['child_process', 'tty', 'readline', 'dgram'].includes(m)), args.join(' ')).toEqual([]);
      expect(files.filter((f) => f.includes('vendor-')), args.join(' ')).toEqual([]);
    }
  });

  it('loads a vendored library when a command needs it (the control)', () => {
    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(policy, 'sysctl:\n  vm.panic_on_oom: 0\n');
    const { files } = loaded(['check', '--file', policy, '--root', path.join(FIXTURES, 'sysctl-debian12')]);
    expect(files.map((f) => path.basename(f))).toContain('vendor-yaml.cjs');
  });
});
