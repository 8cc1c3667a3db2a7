// The one kubelet setting the forecast needs: the hard eviction threshold of
// memory.available, from a KubeletConfiguration file (/var/lib/kubelet/config.yaml).
// Minimal on purpose: full kubelet configuration parsing lives elsewhere.

import { parse } from 'yaml';

export type MemoryThreshold = { kind: 'bytes'; bytes: number } | { kind: 'percent'; percent: number };

// pkg/kubelet/apis/config/v1beta1/defaults_linux.go DefaultEvictionHard: "memory.available": "100Mi"
export const KUBELET_DEFAULT_MEMORY_AVAILABLE: MemoryThreshold = { kind: 'bytes', bytes: 100 * 1024 * 1024 };

const SUFFIX: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** A resource.Quantity ("100Mi", "1G", "512000") or a percentage ("10%"). */
export function parseMemoryThreshold(value: string): MemoryThreshold | undefined {
  const t = value.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) return { kind: 'percent', percent: Number(pct[1]) };
  const q = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(t);
  if (!q) return undefined;
  return { kind: 'bytes', bytes: Number(q[1]) * (SUFFIX[q[2] ?? ''] as number) };
}

/**
 * evictionHard["memory.available"] of the configuration; the default when
 * the file sets no evictionHard; threshold undefined when evictionHard
 * leaves memory.available out. undefined when the file is not YAML or the
 * value is not a quantity.
 */
export function parseKubeletMemoryThreshold(text: string): { threshold: MemoryThreshold | undefined; fromFile: boolean } | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  if (doc === null || doc === undefined) return { threshold: KUBELET_DEFAULT_MEMORY_AVAILABLE, fromFile: false };
  if (typeof doc !== 'object') return undefined;
  const hard = (doc as Record<string, unknown>).evictionHard;
  // pkg/kubelet/apis/config/v1beta1/defaults.go: the defaults apply only when evictionHard is not set at all
  if (hard === undefined || hard === null) return { threshold: KUBELET_DEFAULT_MEMORY_AVAILABLE, fromFile: false };
  if (typeof hard !== 'object') return undefined;
  const v = (hard as Record<string, unknown>)['memory.available'];
  // evictionHard set without memory.available: no default is filled in by the defaulting above
  if (v === undefined) return { threshold: undefined, fromFile: true };
  const threshold = typeof v === 'string' ? parseMemoryThreshold(v) : typeof v === 'number' ? { kind: 'bytes' as const, bytes: v } : undefined;
  return threshold ? { threshold, fromFile: true } : undefined;
}

/**
 * The kubelet's --eviction-hard flag ("memory.available<500Mi,nodefs.available<10%"),
 * which overrides the file: the memory.available threshold, null when the flag
 * leaves it out, undefined when the value is not understood.
 */
export function parseEvictionHardFlag(value: string): MemoryThreshold | null | undefined {
  for (const part of value.split(',')) {
    const m = /^\s*memory\.available\s*<\s*(.+?)\s*$/.exec(part);
    if (m) return parseMemoryThreshold(m[1] as string);
  }
  return null;
}
