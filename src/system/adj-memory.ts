// What oom_score_adj a process had before oomctl first changed it, so that
// `unprotect` can give it back. One small file per process under
// /run/oomctl/adj/ (a tmpfs: it dies with the processes at reboot), named
// PID-STARTTIME so that a reused pid never inherits another's record.

import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errnoOf } from '../errors.js';
import { readIfExists, writeFileAtomic } from './atomic-write.js';
import { readPidStartTime as readStartTime } from './procfs.js';
import type { SystemRoot } from './root.js';

export const ADJ_MEMORY_DIR = '/run/oomctl/adj';

export interface RememberedAdj {
  pid: number;
  starttime: number;
  comm: string;
  /** The value before oomctl's first change. */
  original: number;
}

function file(root: SystemRoot, pid: number, starttime: number): string {
  return root.path(`${ADJ_MEMORY_DIR}/${pid}-${starttime}.json`);
}

export function readRememberedAdj(root: SystemRoot, pid: number, starttime: number): RememberedAdj | undefined {
  const text = readIfExists(file(root, pid, starttime));
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<RememberedAdj>;
    return typeof v.original === 'number' && v.pid === pid && v.starttime === starttime ? (v as RememberedAdj) : undefined;
  } catch {
    return undefined;
  }
}

/** Records the original value unless one is already recorded (the first change keeps the original). */
export function rememberOriginalAdj(root: SystemRoot, r: RememberedAdj): void {
  if (readRememberedAdj(root, r.pid, r.starttime) !== undefined) return;
  writeFileAtomic(file(root, r.pid, r.starttime), JSON.stringify(r) + '\n', { mkdir: true, mode: 0o644 });
}

export function forgetRememberedAdj(root: SystemRoot, pid: number, starttime: number): void {
  rmSync(file(root, pid, starttime), { force: true });
}

/** Removes records of processes that no longer exist (or whose pid was reused). */
export function pruneRememberedAdj(root: SystemRoot): number {
  let names: string[];
  try {
    names = readdirSync(root.path(ADJ_MEMORY_DIR));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const m = /^(\d+)-(\d+)\.json$/.exec(name);
    if (!m) continue;
    if (readStartTime(root, Number(m[1])) !== Number(m[2])) {
      rmSync(path.join(root.path(ADJ_MEMORY_DIR), name), { force: true });
      removed++;
    }
  }
  return removed;
}
