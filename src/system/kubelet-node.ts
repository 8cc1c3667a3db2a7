// What the kubelet's eviction manager would see on this node, from disk:
// its config file and the root memory cgroup. Read under the root.

import { parseLimitBytes } from '../parse/cgroup.js';
import { parseMemoryStat } from '../parse/memory-stat.js';
import { KubeletConfigError, parseKubeletConfig, type KubeletConfig } from '../parse/kubelet-config.js';
import type { NodeMemorySample } from '../kernel/kubelet.js';
import { cgroupDirectory, findMemoryHierarchy, type MemoryHierarchy } from './memcg.js';
import type { SystemRoot } from './root.js';
import { readMeminfo } from './system-info.js';

import { KUBELET_CONFIG_PATH } from '../parse/kubelet-args.js';
export { KUBELET_CONFIG_PATH, kubeletConfigPathFromArgs } from '../parse/kubelet-args.js';

export interface KubeletConfigRead {
  /** undefined: no file (then the kubelet's defaults are all oomctl can assume) or it did not parse. */
  config: KubeletConfig | undefined;
  file: string;
  present: boolean;
  /** A file that does not parse: a warning naming it; the defaults are not assumed for it. */
  warning: { code: 'unreadable-kubelet-config'; file: string; detail: string } | undefined;
}


export function readKubeletConfig(root: SystemRoot, file: string = KUBELET_CONFIG_PATH): KubeletConfigRead {
  const text = root.readText(file);
  if (text === undefined) return { config: undefined, file, present: false, warning: undefined };
  try {
    return { config: parseKubeletConfig(text), file, present: true, warning: undefined };
  } catch (error) {
    if (!(error instanceof KubeletConfigError)) throw error;
    return { config: undefined, file, present: true, warning: { code: 'unreadable-kubelet-config', file, detail: error.message } };
  }
}

/** The root memory cgroup's usage and inactive file, and MemTotal, as the kubelet's memory.available uses them. */
export function readNodeMemory(root: SystemRoot): NodeMemorySample | undefined {
  const h = findMemoryHierarchy(root);
  if (!h) return undefined;
  const mi = readMeminfo(root);
  if (!mi.memTotalKb) return undefined;
  const dir = h.mount.mountPoint;
  const statText = root.readText(`${dir}/memory.stat`);
  if (statText === undefined) return undefined;
  const stat = parseMemoryStat(statText);
  if (h.version === 1) {
    const usage = parseLimitBytes(root.readText(`${dir}/memory.usage_in_bytes`) ?? '');
    if (typeof usage !== 'bigint') return undefined;
    return { capacityBytes: mi.memTotalKb * 1024, usageBytes: Number(usage), inactiveFileBytes: stat.get('total_inactive_file') ?? 0 };
  }
  return {
    capacityBytes: mi.memTotalKb * 1024,
    usageBytes: (stat.get('anon') ?? 0) + (stat.get('file') ?? 0),
    inactiveFileBytes: stat.get('inactive_file') ?? 0,
  };
}

/**
 * A pod cgroup's working set and limit: cAdvisor container/libcontainer/handler.go
 * setMemoryStats() (working set = usage − inactive file, v1 total_inactive_file, v2
 * inactive_file) applied to the pod cgroup. The kubelet's summary (pkg/kubelet/stats) takes
 * the pod's memory from cAdvisor's pod cgroup or, with the CRI stats provider, sums its
 * containers' working sets (not checked here: the pod cgroup is what disk holds). Null where
 * unreadable; limitBytes null also when unlimited.
 */
export function readPodMemory(root: SystemRoot, h: MemoryHierarchy, podCgroup: string): { workingSetBytes: number | null; limitBytes: number | null } {
  const dir = cgroupDirectory(h, podCgroup);
  const statText = root.readText(`${dir}/memory.stat`);
  const stat = statText === undefined ? undefined : parseMemoryStat(statText);
  const usage = parseLimitBytes(root.readText(`${dir}/${h.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'}`) ?? '');
  const limit = parseLimitBytes(root.readText(`${dir}/${h.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'}`) ?? '');
  const inactive = stat?.get(h.version === 1 ? 'total_inactive_file' : 'inactive_file');
  const workingSetBytes = typeof usage === 'bigint' && inactive !== undefined ? Math.max(0, Number(usage) - inactive) : null;
  // v1 "unlimited" is PAGE_COUNTER_MAX pages, shown as a huge number: beyond 2^62 is no limit.
  const limitBytes = typeof limit === 'bigint' && limit < 1n << 62n ? Number(limit) : null;
  return { workingSetBytes, limitBytes };
}
