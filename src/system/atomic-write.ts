// Files are written atomically: a temporary file in the same folder (so the
// rename stays on one file system), fsync, rename, fsync of the folder. A file
// whose content would not change is not touched at all.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { errnoOf } from '../errors.js';

export type WriteOutcome = 'written' | 'unchanged';

export interface AtomicWriteOptions {
  mode?: number;
  /** The temporary file's name; must not match what a loader reads (e.g. not *.conf). */
  tempName?: string;
  mkdir?: boolean;
}

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

export function writeFileAtomic(file: string, content: string, opts: AtomicWriteOptions = {}): WriteOutcome {
  if (readIfExists(file) === content) return 'unchanged';
  const dir = path.dirname(file);
  if (opts.mkdir) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const temp = path.join(dir, opts.tempName ?? `.${path.basename(file)}.oomctl-${process.pid}.tmp`);
  const fd = openSync(temp, 'wx', opts.mode ?? 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  }
  return 'written';
}
