// Guards for tests that need the real kernel: they skip with a printed reason.

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';

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
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mp = left[4];
    if (!mp) continue;
    if (right[0] === 'cgroup' && (right[2] ?? '').split(',').includes('memory')) {
      if (canWrite(mp)) return { version: 1, parent: mp };
    }
  }
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mp = left[4];
    if (!mp || right[0] !== 'cgroup2') continue;
    const ctl = existsSync(`${mp}/cgroup.subtree_control`) ? readFileSync(`${mp}/cgroup.subtree_control`, 'utf8') : '';
    if (ctl.split(/\s+/).includes('memory') && canWrite(mp)) return { version: 2, parent: mp };
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

/** Logs why a suite is skipped, so CI output says it. */
export function skipReason(reason: string | undefined, suite: string): boolean {
  if (reason !== undefined) {
    // eslint-disable-next-line no-console
    console.log(`SKIP ${suite}: ${reason}`);
    return true;
  }
  return false;
}
