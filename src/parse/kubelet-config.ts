// /var/lib/kubelet/config.yaml (KubeletConfiguration, kubelet.config.k8s.io/v1beta1):
// only the fields the OOM and eviction model needs. Values stay as written.

import { parse as parseYaml } from 'yaml';

export interface KubeletConfig {
  /** undefined when the key is absent: the kubelet then applies its defaults. */
  evictionHard: Record<string, string> | undefined;
  evictionSoft: Record<string, string> | undefined;
  evictionSoftGracePeriod: Record<string, string> | undefined;
  /** Newer kubelets (MergeDefaultEvictionSettings): fill signals absent from evictionHard with the defaults. */
  mergeDefaultEvictionSettings: boolean | undefined;
  cgroupDriver: string | undefined;
  cgroupRoot: string | undefined;
  /** v1.32+: false/absent lets the kubelet set memory.oom.group=1 on cgroup v2 containers. */
  singleProcessOOMKill: boolean | undefined;
  enforceNodeAllocatable: string[] | undefined;
}

export class KubeletConfigError extends Error {
  override name = 'KubeletConfigError';
}

function stringMap(v: unknown, key: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new KubeletConfigError(`${key} is not a map`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string' && typeof val !== 'number') throw new KubeletConfigError(`${key}.${k} is not a string`);
    out[k] = String(val);
  }
  return out;
}

const optBool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseKubeletConfig(text: string): KubeletConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new KubeletConfigError((error as Error).message.split('\n')[0] ?? 'not YAML');
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeletConfigError('not a YAML map');
  const d = doc as Record<string, unknown>;
  const ena = d.enforceNodeAllocatable;
  return {
    evictionHard: stringMap(d.evictionHard, 'evictionHard'),
    evictionSoft: stringMap(d.evictionSoft, 'evictionSoft'),
    evictionSoftGracePeriod: stringMap(d.evictionSoftGracePeriod, 'evictionSoftGracePeriod'),
    mergeDefaultEvictionSettings: optBool(d.mergeDefaultEvictionSettings),
    cgroupDriver: optStr(d.cgroupDriver),
    cgroupRoot: optStr(d.cgroupRoot),
    singleProcessOOMKill: optBool(d.singleProcessOOMKill),
    enforceNodeAllocatable: Array.isArray(ena) ? ena.filter((x): x is string => typeof x === 'string') : undefined,
  };
}

/**
 * A Kubernetes resource.Quantity as bytes (apimachinery pkg/api/resource
 * quantity.go: binary suffixes Ki..Ei, decimal k..E, "m" milli, exponents
 * "e3"/"E3"). undefined when it is not one.
 */
export function parseQuantity(text: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m|[eE][+-]?\d+)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2];
  if (s === undefined) return n;
  const bin: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const dec: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };
  if (bin[s] !== undefined) return n * bin[s];
  if (dec[s] !== undefined) return n * dec[s];
  return n * 10 ** Number(s.slice(1));
}

/**
 * The kubelet's --eviction-hard flag ("memory.available<500Mi,nodefs.available<10%"), a
 * LangleSeparatedMapStringString (k8s.io/component-base/cli/flag): pairs split at ",", key and
 * value at the first "<", both trimmed. A flag replaces the file's evictionHard as a whole.
 * undefined when a pair has no "<" (the kubelet refuses the flag).
 */
export function parseEvictionHardFlag(value: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const lt = part.indexOf('<');
    if (lt < 0) return undefined;
    out[part.slice(0, lt).trim()] = part.slice(lt + 1).trim();
  }
  return out;
}
