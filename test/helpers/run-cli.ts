// Spawns the bundled binary, as a user would, with colour off.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return dir;
}
