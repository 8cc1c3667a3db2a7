// --persist: a systemd drop-in that sets OOMScoreAdjust= for a service, so
// that the next start of the unit gets the value (a write to /proc lasts only
// as long as the process).

import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { readIfExists, writeFileAtomic } from './atomic-write.js';
import { parseOomScoreAdjust } from '../parse/systemd-unit.js';
import type { SystemRoot } from './root.js';

export const DROPIN_NAME = '50-oomctl.conf';

export function dropinPath(unit: string): string {
  return `/etc/systemd/system/${unit}.d/${DROPIN_NAME}`;
}

export function renderDropin(adj: number): string {
  return `# Written by oomctl; "oomctl unprotect --persist" removes it.\n[Service]\nOOMScoreAdjust=${adj}\n`;
}

/** The OOMScoreAdjust= our drop-in sets now, or undefined when there is none. */
export function readDropinAdj(root: SystemRoot, unit: string): number | undefined {
  const text = readIfExists(root.path(dropinPath(unit)));
  return text === undefined ? undefined : parseOomScoreAdjust(text);
}

export function writeDropin(root: SystemRoot, unit: string, adj: number): 'written' | 'unchanged' {
  // The temporary name ends in .tmp: systemd loads only *.conf from a .d folder.
  return writeFileAtomic(root.path(dropinPath(unit)), renderDropin(adj), { mkdir: true, tempName: `.${DROPIN_NAME}.oomctl-${process.pid}.tmp` });
}

export function removeDropin(root: SystemRoot, unit: string): 'removed' | 'absent' {
  const file = root.path(dropinPath(unit));
  if (!existsSync(file)) return 'absent';
  rmSync(file);
  return 'removed';
}

export type ReloadOutcome = 'reloaded' | 'failed' | 'no-systemd' | 'other-root';

/** systemctl daemon-reload, only when systemd runs this machine and --root is /. */
export function reloadSystemd(root: SystemRoot): { outcome: ReloadOutcome; detail: string | undefined } {
  if (!root.isHost) return { outcome: 'other-root', detail: undefined };
  // sd_booted(3): systemd is PID 1 when /run/systemd/system exists.
  if (!existsSync('/run/systemd/system')) return { outcome: 'no-systemd', detail: undefined };
  const r = spawnSync('systemctl', ['daemon-reload'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) return { outcome: 'failed', detail: r.error.message };
  if (r.status !== 0) return { outcome: 'failed', detail: r.stderr.trim() || `exit status ${r.status}` };
  return { outcome: 'reloaded', detail: undefined };
}
