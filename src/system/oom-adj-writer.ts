// Writes /proc/PID/oom_score_adj, checking first that the pid still names the
// same process: between listing and writing, a process may exit and its pid
// be given to another.

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { errnoOf } from '../errors.js';
import { readPidStartTime as readStartTime } from './procfs.js';
import type { SystemRoot } from './root.js';

export type AdjWriteOutcome =
  | { kind: 'written' }
  /** The process exited, or its pid now names another process. */
  | { kind: 'gone'; reused: boolean }
  | { kind: 'denied'; errno: string };

export function writeOomScoreAdj(root: SystemRoot, pid: number, starttime: number, value: number): AdjWriteOutcome {
  const now = readStartTime(root, pid);
  if (now === undefined) return { kind: 'gone', reused: false };
  if (now !== starttime) return { kind: 'gone', reused: true };
  let fd: number;
  try {
    // No O_CREAT: a vanished /proc/PID must fail, not create a file. O_TRUNC
    // matters only in a fixture tree, where the file is a plain file.
    fd = openSync(root.path(`/proc/${pid}/oom_score_adj`), constants.O_WRONLY | constants.O_TRUNC);
  } catch (error) {
    return classify(error);
  }
  try {
    writeSync(fd, `${value}\n`);
    return { kind: 'written' };
  } catch (error) {
    return classify(error);
  } finally {
    closeSync(fd);
  }
}

function classify(error: unknown): AdjWriteOutcome {
  const code = errnoOf(error);
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', errno: code };
  if (code === 'ENOENT' || code === 'ESRCH') return { kind: 'gone', reused: false };
  throw error;
}
