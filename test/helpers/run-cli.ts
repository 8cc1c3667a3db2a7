// Spawns the bundled binary, as a user would, with colour off.

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';
import { skipNow } from './skip.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin/oomctl.js');
export const FIXTURES = path.join(REPO, 'test/fixtures');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...opts.env },
    input: opts.input ?? '',
    cwd: opts.cwd ?? REPO,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runCliJson<T = any>(args: string[], opts: { env?: Record<string, string> } = {}): T {
  const r = runCli([...args, '--json'], opts);
  if (r.status !== 0) throw new Error(`oomctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * A private, writable copy of a fixture root (test/fixtures/NAME) in a new
 * temporary folder: tests that write through --root never touch the fixture.
 * The caller removes it.
 */
export function copyFixture(name: string, prefix = 'oomctl-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  openModes(dir);
  chmodSync(dir, 0o700); // as mkdtemp made it: a test that lets another uid in says so
  return dir;
}

/**
 * Folders 0755, files 0644 (0755 where the owner may execute), symlinks untouched, under
 * `dir`: git keeps no other mode, so what a checkout has is its umask's (077 would lock
 * another uid out of a fixture copy).
 */
export function openModes(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) openModes(p);
    else if (e.isFile()) chmodSync(p, statSync(p).mode & 0o100 ? 0o755 : 0o644);
  }
}

/**
 * A copy of the build (bin/ and dist/) in a new temporary folder that every
 * user may read, for tests that run oomctl as another uid: the checkout itself
 * may sit in a folder that uid cannot enter (as `mktemp -d` makes them) or
 * have been cloned with a umask that leaves its files unreadable to others.
 * Returns the folder; the caller removes it.
 */
export function copyBuild(prefix = 'oomctl-build-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const sub of ['bin', 'dist']) cpSync(path.join(REPO, sub), path.join(dir, sub), { recursive: true });
  openModes(dir);
  return dir;
}

/**
 * Why `uid` cannot run bin/oomctl.js of the build copy in `dir` (see
 * copyBuild), or undefined when it can: switching uid needs root, and the
 * temporary folder's parents and node itself must be open to that uid.
 */
export function whyUidCannotRun(dir: string, uid: number): string | undefined {
  if (process.getuid?.() !== 0) return `needs root to run oomctl as uid ${uid}`;
  const r = spawnSync(process.execPath, [path.join(dir, 'bin/oomctl.js'), '--version'], { encoding: 'utf8', uid, gid: uid, cwd: '/', env: { PATH: process.env.PATH ?? '' } });
  if (r.status === 0) return undefined;
  const why = r.error?.message ?? r.stderr.split('\n').find((l) => /Error|EACCES|oomctl:/.test(l)) ?? `exit ${r.status}`;
  return `uid ${uid} cannot run ${process.execPath} ${path.join(dir, 'bin/oomctl.js')} (${why.trim()})`;
}

/**
 * bin/oomctl.js of a build copy that `uid` can run (copyBuild), removed when the test ends;
 * when that uid cannot run it, the test skips with the reason.
 */
export function binaryForUid(ctx: TestContext, uid: number): string {
  const dir = copyBuild(`oomctl-build-${uid}-`);
  ctx.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  skipNow(ctx, whyUidCannotRun(dir, uid));
  return path.join(dir, 'bin/oomctl.js');
}
