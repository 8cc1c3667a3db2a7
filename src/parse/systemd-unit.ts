// The systemd unit a process runs in, from its /proc/PID/cgroup lines:
// systemd names the cgroup after the unit (/system.slice/mysql.service), on
// the "name=systemd" v1 hierarchy or the unified "0::" line.

import type { CgroupMembership } from './cgroup.js';

/** The systemd cgroup path: name=systemd (v1, hybrid) first, else the v2 "0::" line. */
export function systemdCgroupPath(cgroups: readonly CgroupMembership[] | undefined): string | undefined {
  if (!cgroups) return undefined;
  const v1 = cgroups.find((c) => c.controllers.includes('name=systemd'));
  if (v1) return v1.path;
  return cgroups.find((c) => c.hierarchyId === 0 && c.controllers.length === 0)?.path;
}

/**
 * The innermost service or scope in a systemd cgroup path. A service may
 * delegate sub-cgroups (/system.slice/foo.service/payload): the unit is the
 * last component that names one.
 */
export function systemdUnitOf(cgroupPath: string | undefined): string | undefined {
  if (cgroupPath === undefined) return undefined;
  const parts = cgroupPath.split('/').filter((s) => s !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] as string;
    if (/^[^/]+\.(service|scope)$/.test(p)) return p;
  }
  return undefined;
}

/** The OOMScoreAdjust= a drop-in file sets, if any (the last assignment wins, as in systemd). */
export function parseOomScoreAdjust(text: string): number | undefined {
  let value: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*OOMScoreAdjust\s*=\s*(-?\d+)\s*$/.exec(line);
    if (m) value = Number(m[1]);
  }
  return value;
}
