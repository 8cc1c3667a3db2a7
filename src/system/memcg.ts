// Memory cgroups, v1 or v2, wherever /proc/self/mountinfo says they are.

import { parseCgroupMounts, parseLimitBytes, type CgroupMembership, type CgroupMount } from '../parse/cgroup.js';
import { pageCounterMax, type MemcgLimits } from '../kernel/scope.js';
import type { SystemRoot } from './root.js';
import { readSysctl } from './system-info.js';

export interface MemoryHierarchy {
  version: 1 | 2;
  mount: CgroupMount;
}

export interface MemcgState {
  /** The path as /proc/PID/cgroup shows it. */
  path: string;
  version: 1 | 2;
  /** Directory of the cgroup in the (root-relative) file system. */
  directory: string;
  limits: MemcgLimits;
  usageBytes: bigint | undefined;
  /** True when memory.max / limit_in_bytes sets no limit. */
  unlimited: boolean;
}

/** The cgroup mounts /proc/self/mountinfo lists (none when it is unreadable). */
export function readCgroupMounts(root: SystemRoot): CgroupMount[] {
  const text = root.readText('/proc/self/mountinfo');
  return text === undefined ? [] : parseCgroupMounts(text);
}

/** The hierarchy that carries the memory controller: v1 "memory" or v2 with "memory" enabled. */
export function findMemoryHierarchy(root: SystemRoot, mounts: readonly CgroupMount[] = readCgroupMounts(root)): MemoryHierarchy | undefined {
  const v1 = mounts.find((m) => m.version === 1 && m.controllers.includes('memory'));
  if (v1) return { version: 1, mount: v1 };
  for (const m of mounts.filter((x) => x.version === 2)) {
    const controllers = root.readText(`${m.mountPoint}/cgroup.controllers`);
    if (controllers !== undefined && controllers.split(/\s+/).includes('memory')) return { version: 2, mount: m };
  }
  return undefined;
}

/** The process's memory-cgroup path from its /proc/PID/cgroup lines. */
export function memcgPathOf(cgroups: readonly CgroupMembership[] | undefined, h: MemoryHierarchy): string | undefined {
  if (!cgroups) return undefined;
  const line = h.version === 1
    ? cgroups.find((c) => c.controllers.includes('memory'))
    : cgroups.find((c) => c.hierarchyId === 0);
  return line?.path;
}

/** Normalises a user-given path: leading slash, no trailing slash, no "..". */
export function normaliseCgroupPath(p: string): string | undefined {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) return undefined;
  return '/' + parts.join('/');
}

export function isUnderCgroup(path: string, ancestor: string): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || path.startsWith(ancestor + '/');
}

export function cgroupDirectory(h: MemoryHierarchy, cgroupPath: string): string {
  const rel = h.mount.root === '/' ? cgroupPath : cgroupPath.startsWith(h.mount.root) ? cgroupPath.slice(h.mount.root.length) : cgroupPath;
  return (h.mount.mountPoint + '/' + rel).replace(/\/+/g, '/').replace(/\/$/, '') || '/';
}

export function readMemcg(root: SystemRoot, h: MemoryHierarchy, cgroupPath: string, pageSize: number): MemcgState | undefined {
  const dir = cgroupDirectory(h, cgroupPath);
  if (h.version === 1) {
    const limitText = root.readText(`${dir}/memory.limit_in_bytes`);
    if (limitText === undefined) return undefined;
    const memoryMaxBytes = parseLimitBytes(limitText) ?? 'max';
    const memswText = root.readText(`${dir}/memory.memsw.limit_in_bytes`);
    const swappiness = Number(root.readText(`${dir}/memory.swappiness`)?.trim() ?? readSysctl(root, 'vm.swappiness') ?? 60);
    const usage = parseLimitBytes(root.readText(`${dir}/memory.usage_in_bytes`) ?? '');
    return {
      path: cgroupPath, version: 1, directory: dir,
      limits: { version: 1, memoryMaxBytes, swapOrMemswMaxBytes: memswText === undefined ? undefined : parseLimitBytes(memswText), swappiness },
      usageBytes: typeof usage === 'bigint' ? usage : undefined,
      unlimited: memoryMaxBytes === 'max' || memoryMaxBytes / BigInt(pageSize) >= pageCounterMax(pageSize),
    };
  }
  const maxText = root.readText(`${dir}/memory.max`);
  if (maxText === undefined && cgroupPath !== '/') return undefined;
  const memoryMaxBytes = maxText === undefined ? 'max' : parseLimitBytes(maxText) ?? 'max';
  const swapText = root.readText(`${dir}/memory.swap.max`);
  const usage = parseLimitBytes(root.readText(`${dir}/memory.current`) ?? '');
  return {
    path: cgroupPath, version: 2, directory: dir,
    limits: { version: 2, memoryMaxBytes, swapOrMemswMaxBytes: swapText === undefined ? undefined : parseLimitBytes(swapText), swappiness: readSysctl(root, 'vm.swappiness') ?? 60 },
    usageBytes: typeof usage === 'bigint' ? usage : undefined,
    unlimited: memoryMaxBytes === 'max',
  };
}

/** The cgroup and its ancestors that set a memory limit, nearest first. */
export function limitedAncestors(root: SystemRoot, h: MemoryHierarchy, cgroupPath: string, pageSize: number): MemcgState[] {
  const out: MemcgState[] = [];
  let p = cgroupPath;
  for (;;) {
    const st = readMemcg(root, h, p, pageSize);
    if (st && !st.unlimited) out.push(st);
    if (p === '/' || p === '') break;
    const cut = p.lastIndexOf('/');
    p = cut <= 0 ? '/' : p.slice(0, cut);
  }
  return out;
}
