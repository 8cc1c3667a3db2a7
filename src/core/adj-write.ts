// The one write path for oom_score_adj changes, used by protect, unprotect,
// adj (core/tune.ts), apply (core/policy.ts) and run: the -1000 refusal, the
// kernel's permission rule checked before a dry run promises anything, the
// write loop that re-checks each process's identity and remembers the old
// value, and the systemd drop-ins with their daemon-reload.
// plan -> show plan -> confirm (core/confirm.ts) -> re-check identity ->
// write -> remember -> persist.

import { errnoOf, OomctlError, PermissionError, RefusedError } from '../errors.js';
import { OOM_SCORE_ADJ_MIN } from '../kernel/badness.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { forgetRememberedAdj, pruneRememberedAdj, readRememberedAdj, rememberOriginalAdj } from '../system/adj-memory.js';
import { writeOomScoreAdj } from '../system/oom-adj-writer.js';
import { explainAdjDenial, readSelfCredentials, type SelfCredentials } from '../system/process-identity.js';
import type { SystemRoot } from '../system/root.js';
import { reloadSystemd, removeDropin, writeDropin, type ReloadOutcome } from '../system/systemd-dropin.js';

export type AdjWriteStatus = 'changed' | 'unchanged' | 'exited' | 'pid-reused' | 'denied';

export interface AdjTarget { pid: number; starttime: number; comm: string; uid: number | undefined }

export const UNKILLABLE_WARNING = 'oom_score_adj -1000: these processes can no longer be chosen by the OOM killer; a leak in one of them makes the kernel kill every other process first and may end in a panic or a hang';

/** The one -1000 refusal: `what` names what would become unkillable ("oom_score_adj -1000", "--adj -1000"). */
export function refuseUnkillable(value: number | undefined, force: boolean, what: string, tail = '', hint = 'add --force if that is what you want, or use -999 (killable as a last resort)'): void {
  if (value !== OOM_SCORE_ADJ_MIN || force) return;
  throw new RefusedError(`${what} makes ${what.startsWith('--adj') ? 'the command' : 'a process'} unkillable by the OOM killer: if it leaks, the kernel kills everything else first, and with nothing left to kill it panics or hangs${tail}`, hint);
}

function label(t: { pid: number; comm: string }): string {
  return `pid ${t.pid} (${escapeUntrusted(t.comm)})`;
}

/**
 * Whether the kernel would refuse the write, for a dry run to say so as the
 * real run would. fs/proc/base.c: the file is 0644, so only its owner or root
 * opens it for writing; __set_oom_adj() refuses a value below the task's
 * oom_score_adj_min without CAP_SYS_RESOURCE. oom_score_adj_min is not in
 * /proc; for a process no privileged writer touched it is 0, and never above
 * the current value, so a value below both is taken as refused.
 */
export function predictAdjDenial(self: SelfCredentials, t: AdjTarget, from: number, to: number): { reason: string; hint: string } | undefined {
  if (from === to) return undefined;
  const notOwner = self.uid !== 0 && t.uid !== undefined && t.uid !== self.uid;
  const belowFloor = to < Math.min(from, 0) && self.capSysResource === false;
  return notOwner || belowFloor ? explainAdjDenial(self, t.uid, from, to) : undefined;
}

/**
 * The error a dry run ends with when the kernel would refuse a planned write;
 * undefined when none would be. Only the host's /proc is the kernel's: under
 * another --root the files are plain files that take any value.
 */
export function dryRunAdjDenial(root: SystemRoot, items: readonly { target: AdjTarget; from: number; to: number }[], self: SelfCredentials = readSelfCredentials()): PermissionError | undefined {
  if (!root.isHost) return undefined;
  const refused = items.map((i) => ({ i, why: predictAdjDenial(self, i.target, i.from, i.to) })).filter((x) => x.why !== undefined);
  const first = refused[0];
  if (!first || !first.why) return undefined;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
  return new PermissionError(`would be refused: cannot set oom_score_adj of ${label(first.i.target)} from ${first.i.from} to ${first.i.to}${more}: ${first.why.reason}`, first.why.hint);
}

/** Writes each change in turn (re-checking the process's identity), remembering old values; returns each status in order. */
export function writeAdjChanges(root: SystemRoot, items: readonly { target: AdjTarget; from: number; to: number }[], restoring: boolean, warnings: string[]): AdjWriteStatus[] {
  if (!restoring && items.some((i) => i.from !== i.to)) {
    try { pruneRememberedAdj(root); } catch { /* best effort */ }
  }
  return items.map((i) => writeAdjRemembering(root, i.target, i.from, i.to, restoring, warnings));
}

/**
 * Writes one oom_score_adj (checking the pid still names the process), first
 * remembering the value it had so that `unprotect` can give it back; when
 * `restoring`, forgets that memory instead.
 */
export function writeAdjRemembering(root: SystemRoot, p: { pid: number; starttime: number; comm: string }, from: number, to: number, restoring: boolean, warnings: string[]): AdjWriteStatus {
  if (from === to) {
    if (restoring) safely(() => forgetRememberedAdj(root, p.pid, p.starttime), warnings);
    return 'unchanged';
  }
  let remembered = false;
  if (!restoring && readRememberedAdj(root, p.pid, p.starttime) === undefined) {
    remembered = safely(() => rememberOriginalAdj(root, { pid: p.pid, starttime: p.starttime, comm: p.comm, original: from }), warnings);
  }
  const outcome = writeOomScoreAdj(root, p.pid, p.starttime, to);
  if (outcome.kind === 'written') {
    if (restoring) safely(() => forgetRememberedAdj(root, p.pid, p.starttime), warnings);
    return 'changed';
  }
  if (remembered) safely(() => forgetRememberedAdj(root, p.pid, p.starttime), warnings);
  if (outcome.kind === 'gone') return outcome.reused ? 'pid-reused' : 'exited';
  return 'denied';
}

/** Runs a bookkeeping step; a failure becomes a warning, not an abort. */
function safely(fn: () => void, warnings: string[]): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    warnings.push(`cannot record the previous value under /run/oomctl: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

export interface DropinChange { unit: string; path: string; to: number | undefined; status: string }

/** Writes (to: a value) or removes (to: undefined) each drop-in, then reloads systemd once if any file changed. */
export function persistDropins(root: SystemRoot, items: DropinChange[], warnings: string[], notes?: string[]): { failed: boolean; reload: { outcome: ReloadOutcome; detail: string | undefined } | undefined } {
  let failed = false;
  let touched = false;
  for (const p of items) {
    try {
      p.status = p.to === undefined ? removeDropin(root, p.unit) : writeDropin(root, p.unit, p.to);
      touched ||= p.status === 'written' || p.status === 'removed';
    } catch (error) {
      // writeDropin() says what went wrong in words (src/system/atomic-write.ts); removeDropin() gives an errno.
      warnings.push(error instanceof OomctlError ? error.message : `cannot ${p.to === undefined ? 'remove' : 'write'} ${root.path(p.path)}: ${errnoOf(error) ?? String(error)}`);
      failed = true;
    }
  }
  if (!touched) return { failed, reload: undefined };
  const reload = reloadSystemd(root);
  if (reload.outcome === 'failed') { warnings.push(`systemctl daemon-reload failed: ${reload.detail ?? ''}`); failed = true; }
  else if (reload.outcome === 'no-systemd') notes?.push('systemd is not running here: the drop-ins take effect when it next loads its units');
  return { failed, reload };
}
