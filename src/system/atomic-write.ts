// Files are written atomically: a temporary file in the same folder (so the
// rename stays on one file system), fsync, rename, fsync of the folder. A file
// whose content would not change is not touched at all.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { errnoOf, ExitCode, OomctlError, PermissionError, UnsupportedError } from '../errors.js';

export type WriteOutcome = 'written' | 'unchanged';

export interface AtomicWriteOptions {
  mode?: number;
  /** The temporary file's name; must not match what a loader reads (e.g. not *.conf). */
  tempName?: string;
  mkdir?: boolean;
}

/** errno -> words for a file oomctl reads or writes: one line, a documented exit code, never "a bug in oomctl". */
export function fileWriteError(error: unknown, file: string): OomctlError {
  const code = errnoOf(error);
  const opts = { cause: error };
  switch (code) {
    case 'EISDIR': return new OomctlError(`${file} is a directory, not a file`, ExitCode.FAILURE, 'failure', 'move it out of the way', opts);
    case 'ENOTDIR': return new OomctlError(`cannot write ${file}: a part of its path is a file, not a folder`, ExitCode.FAILURE, 'failure', undefined, opts);
    case 'ENOSPC': case 'EDQUOT': return new OomctlError(`no space left to write ${file} (${code}); it is as it was`, ExitCode.FAILURE, 'failure', undefined, opts);
    case 'EROFS': return new UnsupportedError(`${file} is on a read-only file system: cannot write it`, undefined, opts);
    case 'EACCES': case 'EPERM': return new PermissionError(`no permission to write ${file}`, 'run as root', opts);
    default: return new OomctlError(`cannot write ${file}: ${code ?? (error instanceof Error ? error.message : String(error))}`, ExitCode.FAILURE, 'failure', undefined, opts);
  }
}

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    // ENOTDIR: a part of the path is a file, so this file cannot exist either.
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined;
    throw fileWriteError(error, file);
  }
}

export function writeFileAtomic(file: string, content: string, opts: AtomicWriteOptions = {}): WriteOutcome {
  try {
    return writeAtomic(file, content, opts);
  } catch (error) {
    throw error instanceof OomctlError ? error : fileWriteError(error, file);
  }
}

function writeAtomic(file: string, content: string, opts: AtomicWriteOptions): WriteOutcome {
  if (readIfExists(file) === content) return 'unchanged';
  const dir = path.dirname(file);
  if (opts.mkdir) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const temp = path.join(dir, opts.tempName ?? `.${path.basename(file)}.oomctl-${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', opts.mode ?? 0o644);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    // Left by a process of the same pid that was killed mid-write (or planted: O_EXCL never
    // follows it). Unlinking removes the name only, then the file is created afresh.
    rmSync(temp, { force: true });
    fd = openSync(temp, 'wx', opts.mode ?? 0o644);
  }
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
  sweepStaleTemps(dir, path.basename(file));
  return 'written';
}

/** A temporary file this old is never one being written: a write is an open, one write, fsync and rename. */
export const STALE_TEMP_MS = 10_000;

/**
 * Removes the temporary files of this file that writers killed mid-write left
 * (`.NAME.oomctl-PID.tmp`; no loader reads them, but they pile up): only those
 * whose pid no longer runs here (no /proc/PID) and that were last changed more
 * than STALE_TEMP_MS ago. The age keeps a live writer's file safe when its pid
 * is not ours to see (another pid namespace sharing the folder) or was reused
 * between our look and the unlink; the worst such a writer could meet is a
 * failed rename it reports, never a partial file. Best effort: errors are ignored.
 */
export function sweepStaleTemps(dir: string, base: string, now = Date.now()): number {
  if (!existsSync('/proc/self')) return 0; // no /proc to tell the dead from the living
  let removed = 0;
  try {
    const prefix = `.${base}.oomctl-`;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const pid = name.slice(prefix.length, -4);
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid || existsSync(`/proc/${pid}`)) continue;
      const p = path.join(dir, name);
      try {
        const st = statSync(p);
        if (!st.isFile() || now - st.mtimeMs < STALE_TEMP_MS) continue;
        rmSync(p, { force: true });
        removed++;
      } catch { /* gone already, or not ours to remove */ }
    }
  } catch { /* the folder cannot be listed: nothing to sweep */ }
  return removed;
}
