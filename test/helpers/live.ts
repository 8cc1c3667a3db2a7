// Guards for tests that need the real kernel: they skip with a printed reason (./skip.js).

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmdirSync } from 'node:fs';
import { parseCgroupMounts } from '../../src/parse/cgroup.js';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface MemcgRoot {
  version: 1 | 2;
  /** Directory under which a test may create its own cgroup. */
  parent: string;
}

/** A writable memory-cgroup directory where a test can mkdir its own group. */
export function writableMemcgParent(): MemcgRoot | undefined {
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const v1 = mounts.find((m) => m.version === 1 && m.controllers.includes('memory') && canWrite(m.mountPoint));
  if (v1) return { version: 1, parent: v1.mountPoint };
  for (const m of mounts.filter((x) => x.version === 2)) {
    const file = `${m.mountPoint}/cgroup.subtree_control`;
    const ctl = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (ctl.split(/\s+/).includes('memory') && canWrite(m.mountPoint)) return { version: 2, parent: m.mountPoint };
  }
  return undefined;
}

function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Logs why a suite is skipped, for `describe.skipIf(skipReason(...))`.
 * @deprecated use skipWith(reason) from ./skip.js: it keeps the reason with the test, so the
 * report lists it (test/helpers/skip-reporter.ts); no test here uses this any more.
 */
export function skipReason(reason: string | undefined, suite: string): boolean {
  if (reason !== undefined) {
    // eslint-disable-next-line no-console
    console.log(`SKIP ${suite}: ${reason}`);
    return true;
  }
  return false;
}

/**
 * Removes cgroup folders made by a test, deepest last-made first, retrying while
 * their last task exits; throws naming any left behind.
 */
export function removeCgroupDirs(made: readonly string[]): void {
  for (const d of [...made].reverse()) {
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(d);
        break;
      } catch {
        spawnSync('sleep', ['0.1']);
      }
    }
  }
  const left = made.filter((d) => existsSync(d));
  if (left.length > 0) throw new Error(`cgroups left behind: ${left.join(', ')}`);
}
