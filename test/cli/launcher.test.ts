// bin/oomctl.js compiles dist/cli.cjs with the V8 code cache the build made.
// A cache from another build, or one V8 rejects, is replaced at exit; a
// dist/ it cannot write is no error; a missing bundle is one line and exit 70.
// Start-up loads none of what only some commands need (docs/performance.md).

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyBuild, FIXTURES, REPO, whyUidCannotRun } from '../helpers/run-cli.js';
import { skipNow } from '../helpers/skip.js';

const VERSION = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;

let dir: string;

function run(args: string[], opts: { uid?: number; nodeArgs?: string[] } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), path.join(dir, 'bin/oomctl.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    input: '',
    uid: opts.uid,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bundle = (): string => path.join(dir, 'dist/cli.cjs');
const cache = (): string => path.join(dir, 'dist/cli.cjs.cache');
const headerOf = (file: string): string => readFileSync(file, 'latin1').split('\n', 1)[0] as string;
const identity = (file: string): string => { const s = statSync(file); return `${s.ino}:${s.mtimeMs}`; };

beforeEach(() => {
  dir = copyBuild('oomctl-launcher-');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the code cache', () => {
  it('is made by the build for this very bundle, and used as it is', () => {
    expect(existsSync(cache())).toBe(true);
    const header = headerOf(bundle());
    expect(header).toMatch(new RegExp(`^// oomctl ${VERSION.replace(/\./g, '\\.')} build [0-9a-f]{16}$`));
    expect(headerOf(cache())).toBe(header);
    // Wrapped as a CommonJS module, and strict as the ES modules it was written as.
    expect(readFileSync(bundle(), 'latin1').split('\n').slice(1, 3)).toEqual(['(function (exports, require, module, __filename, __dirname) {', "'use strict';"]);
    const before = identity(cache());
    const r = run(['--version']);
    expect(r).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    // A rejected cache would have been written again (a new file renamed over it).
    expect(identity(cache())).toBe(before);
  });

  it('is replaced when it belongs to another build, and the new one is then used', () => {
    writeFileSync(cache(), '// oomctl 0.0.1 build 0000000000000000\nnot a code cache');
    const r = run(['top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('next victim: pid');
    expect(headerOf(cache())).toBe(headerOf(bundle()));
    expect(statSync(cache()).size).toBeGreaterThan(10_000);
    const before = identity(cache());
    expect(run(['--version']).stdout).toBe(`${VERSION}\n`);
    expect(identity(cache())).toBe(before);
  });

  // Node 20's V8 does not verify a code cache's checksum: this damage made it crash before
  // the launcher checked the length and a sampled sum itself.
  it('is replaced when damaged (a zeroed block, bytes flipped, cut short), not run', () => {
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
  });

  it('is missing and cannot be written (dist/ read-only to this user): oomctl works all the same', (ctx) => {
    skipNow(ctx, whyUidCannotRun(dir, 65534));
    unlinkSync(cache());
    chmodSync(dir, 0o755);
    const r = run(['--version'], { uid: 65534 });
    expect(r).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(existsSync(cache())).toBe(false);
    expect(readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
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
    for (const args of [['--version'], ['top', '--once', '--root', path.join(FIXTURES, 'vm-6.18-scenario')]]) {
      const { builtins, files } = loaded(args);
      expect(builtins).toContain('vm');
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
