// systemd ships /usr/bin/oomctl (systemd-oomd's client: verbs "dump" and
// "help", option --no-pager). A global npm install of ours shadows it on
// PATH, so its invocations (and only those) are handed over to it, unchanged.

import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OomctlBinaryKind } from '../kernel/doctor.js';
import type { SystemRoot } from './root.js';

const CANDIDATES = ['/usr/bin/oomctl', '/bin/oomctl'];

// systemd src/oom/oomctl.c run()/parse_argv() (v247+): verbs "help" and
// "dump" (the default), options -h/--help, --version, --no-pager. Ours has
// help, -h, --help and --version too, so only two calls are systemd's beyond
// doubt: the verb "dump", or no verb at all with --no-pager among nothing but
// systemd's options (its default verb, dump). Every other call is ours;
// `oomctl top --no-pager` runs our top (cli.ts takes --no-pager and ignores it).
const SYSTEMD_ONLY_VERBS = new Set(['dump']);
const SYSTEMD_OPTIONS = new Set(['-h', '--help', '--version', '--no-pager']);

export function isSystemdOomctlInvocation(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  const verb = before.find((a) => !a.startsWith('-'));
  if (verb !== undefined) return SYSTEMD_ONLY_VERBS.has(verb) && before.every((a) => a === verb || SYSTEMD_OPTIONS.has(a));
  return end === -1 && before.includes('--no-pager') && before.every((a) => SYSTEMD_OPTIONS.has(a));
}

/** systemd's binary, if present and not this very program. */
export function findSystemdOomctl(candidates: readonly string[] = CANDIDATES): string | undefined {
  let self: string | undefined;
  try {
    self = realpathSync(fileURLToPath(import.meta.url));
  } catch {
    self = undefined;
  }
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    try {
      const real = realpathSync(c);
      // Ours is a Node script; /usr/bin/oomctl may be a symlink to our bin.
      if (self !== undefined && (real === self || real.endsWith('/bin/oomctl.js'))) continue;
      return c;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Runs it with the same arguments and terminal; returns its exit status. */
export async function runSystemdOomctl(binary: string, args: readonly string[]): Promise<number> {
  // Imported here: node:child_process (with net and dgram) is ~1 ms of every start-up otherwise.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(binary, args, { stdio: 'inherit' });
  if (r.error) return 1;
  if (r.signal) return 128 + (r.signal === 'SIGINT' ? 2 : r.signal === 'SIGTERM' ? 15 : 1);
  return r.status ?? 1;
}

/** Tells this oomctl (a Node script loading dist/cli.cjs) from systemd's (an ELF linked to libsystemd). */
export function classifyOomctlBinary(file: string): OomctlBinaryKind {
  let real = file;
  try { real = realpathSync(file); } catch { /* keep the name */ }
  if (real.endsWith('/bin/oomctl.js')) return 'ours';
  let head: Buffer;
  try {
    head = readFileSync(real);
  } catch {
    return 'other';
  }
  if (head.subarray(0, 2).toString('latin1') === '#!') {
    return head.subarray(0, 4096).toString('utf8').includes('dist/cli.') ? 'ours' : 'other';
  }
  if (head.subarray(0, 4).toString('latin1') === '\x7fELF' && head.includes('systemd')) return 'systemd';
  return 'other';
}

/** The first executable NAME on a PATH, looked up under a root; returns the system path and the real file. */
export function findOnPath(root: SystemRoot, name: string, pathVar: string | undefined): { path: string; file: string } | undefined {
  for (const dir of (pathVar ?? '').split(':')) {
    if (!dir.startsWith('/')) continue; // relative PATH entries depend on the caller's cwd
    const systemPath = posix.join(dir, name);
    const file = root.path(systemPath);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return { path: systemPath, file };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** systemd's oomctl under a root, wherever a distribution puts it. */
export function findSystemdOomctlUnder(root: SystemRoot): string | undefined {
  for (const c of CANDIDATES) {
    const file = root.path(c);
    if (existsSync(file) && classifyOomctlBinary(file) !== 'ours') return c;
  }
  return undefined;
}
