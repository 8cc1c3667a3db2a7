// Machine-wide facts: memory, pressure, the OOM sysctls, the kernel release,
// the page size and user names.

import { parseAuxvPageSize } from '../parse/auxv.js';
import { parseMeminfo, type Meminfo } from '../parse/meminfo.js';
import { parsePasswd } from '../parse/passwd.js';
import { parsePressure, type Pressure } from '../parse/pressure.js';
import { UnsupportedError } from '../errors.js';
import type { SystemRoot } from './root.js';
import type { MemoryFacts } from '../kernel/sysctl-catalogue.js';

/** The OOM-related sysctls shown with every snapshot, by their sysctl names. */
export const SNAPSHOT_SYSCTLS = [
  'vm.panic_on_oom',
  'vm.overcommit_memory',
  'vm.overcommit_ratio',
  'vm.oom_kill_allocating_task',
  'vm.oom_dump_tasks',
  'kernel.panic',
] as const;

export type SnapshotSysctl = (typeof SNAPSHOT_SYSCTLS)[number];

export function sysctlPath(key: string): string {
  return '/proc/sys/' + key.replace(/\./g, '/');
}

export function readSysctl(root: SystemRoot, key: string): number | undefined {
  const text = root.readText(sysctlPath(key));
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

export function readSysctls(root: SystemRoot, keys: readonly string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of keys) out[k] = readSysctl(root, k) ?? null;
  return out;
}

/**
 * THE reader of /proc/meminfo (top, explain, doctor, metrics, the killers' rules, sysctl checks,
 * systemd-oomd's view). A missing file or one without MemTotal throws: without MemTotal there
 * are no totalpages, and every share and oom_score would be a guess. With `{ optional: true }`
 * a missing file gives undefined, for callers that can say "unknown" instead.
 */
export function readMeminfo(root: SystemRoot): Meminfo;
export function readMeminfo(root: SystemRoot, opts: { optional: true }): Meminfo | undefined;
export function readMeminfo(root: SystemRoot, opts: { optional?: boolean } = {}): Meminfo | undefined {
  const text = root.readText('/proc/meminfo');
  if (text === undefined) {
    if (opts.optional === true) return undefined;
    throw new UnsupportedError(`cannot read ${root.path('/proc/meminfo')}`, 'is /proc mounted (or does --root point at a captured tree)?');
  }
  const info = parseMeminfo(text);
  if (opts.optional !== true && !(info.memTotalKb > 0)) throw new UnsupportedError(`${root.path('/proc/meminfo')} has no MemTotal line: not a /proc/meminfo`, 'is /proc mounted (or does --root point at a captured tree)?');
  return info;
}

export function readMemoryPressure(root: SystemRoot): Pressure | undefined {
  const text = root.readText('/proc/pressure/memory');
  return text === undefined ? undefined : parsePressure(text);
}

export function readOsRelease(root: SystemRoot): string {
  const text = root.readText('/proc/sys/kernel/osrelease');
  if (text === undefined) throw new UnsupportedError(`cannot read ${root.path('/proc/sys/kernel/osrelease')}`);
  return text.trim();
}

/** The page size from AT_PAGESZ; 4096 with a note when auxv is missing. */
export function readPageSize(root: SystemRoot): { pageSize: number; fromAuxv: boolean } {
  const auxv = root.readBytes('/proc/self/auxv');
  const size = auxv ? parseAuxvPageSize(auxv) : undefined;
  return size === undefined ? { pageSize: 4096, fromAuxv: false } : { pageSize: size, fromAuxv: true };
}

export function readUserNames(root: SystemRoot): Map<number, string> {
  const text = root.readText('/etc/passwd');
  return text === undefined ? new Map() : parsePasswd(text);
}

/** /proc/vmstat oom_kill: OOM kills since boot (v4.13+). */
export function readOomKillCount(root: SystemRoot): number | undefined {
  const text = root.readText('/proc/vmstat');
  if (text === undefined) return undefined;
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The memory facts the sysctl checks need (overcommit, hugetlb), from readMeminfo(); undefined without /proc/meminfo. */
export function readMemoryFacts(root: SystemRoot): MemoryFacts | undefined {
  const m = readMeminfo(root, { optional: true });
  if (m === undefined) return undefined;
  const hugetlbKb = m.all.get('Hugetlb') ?? m.hugePagesTotal * m.hugepagesizeKb;
  return {
    memTotalKb: m.memTotalKb,
    hugetlbKb,
    swapTotalKb: m.swapTotalKb,
    committedAsKb: m.committedAsKb,
    commitLimitKb: m.commitLimitKb,
    pageSize: readPageSize(root).pageSize,
  };
}
