// Whether /proc under the root shows oomctl every process: a proc mounted with
// hidepid hides (or locks) other users' processes from an unprivileged caller,
// and a ranking of what is left names the wrong victim (issue 17).

import { realpathSync } from 'node:fs';
import { parseProcMount, type ProcMount } from '../parse/proc-mount.js';
import { seesEveryProcess } from './process-identity.js';
import type { SystemRoot } from './root.js';

export interface ProcView {
  /** The proc mount's options; undefined when mountinfo does not list it (a fixture tree). */
  mount: ProcMount | undefined;
  /** hidepid is on and oomctl is neither in its gid group nor holds CAP_SYS_PTRACE. */
  hidden: boolean;
}

/**
 * The proc mount that `root`'s /proc is, from /proc/self/mountinfo under the
 * root (the real one when /proc there is a real proc): the entry at the real
 * path of root/proc, else (a captured tree) the one at /proc.
 */
export function readProcView(root: SystemRoot): ProcView {
  const text = root.readText('/proc/self/mountinfo');
  if (text === undefined) return { mount: undefined, hidden: false };
  let at = root.path('/proc');
  try { at = realpathSync(at); } catch { /* as given */ }
  const mount = parseProcMount(text, at) ?? (at === '/proc' ? undefined : parseProcMount(text, '/proc'));
  return { mount, hidden: mount !== undefined && !seesEveryProcess(mount.hidepid, mount.gid) };
}

/** The pids whose /proc files were refused (EACCES/EPERM) so far: `root.denied` holds their paths. */
export function deniedPids(root: SystemRoot): Set<number> {
  const pids = new Set<number>();
  for (const p of root.denied) {
    const m = /^\/proc\/(\d+)\//.exec(p);
    if (m) pids.add(Number(m[1]));
  }
  return pids;
}
