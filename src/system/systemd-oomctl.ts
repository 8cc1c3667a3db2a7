// systemd ships /usr/bin/oomctl (systemd-oomd's client: verbs "dump" and
// "help", option --no-pager). A global npm install of ours shadows it on
// PATH, so its invocations are handed over to it, unchanged.

import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/bin/oomctl', '/bin/oomctl'];

export function isSystemdOomctlInvocation(args: readonly string[]): boolean {
  const verb = args.find((a) => !a.startsWith('-'));
  return verb === 'dump' || args.includes('--no-pager');
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
export function runSystemdOomctl(binary: string, args: readonly string[]): number {
  const r = spawnSync(binary, args, { stdio: 'inherit' });
  if (r.error) return 1;
  if (r.signal) return 128 + (r.signal === 'SIGINT' ? 2 : r.signal === 'SIGTERM' ? 15 : 1);
  return r.status ?? 1;
}
