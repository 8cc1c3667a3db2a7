// The kubelet's rules that decide who dies before and during a node OOM:
// the oom_score_adj it gives each container, node-pressure eviction
// thresholds, memory.available and the eviction ranking. Pure.

import type { QosClass } from '../parse/owner.js';
import { parseQuantity, type KubeletConfig } from '../parse/kubelet-config.js';

/**
 * Eras of pkg/kubelet/qos/policy.go. "1.15+": guaranteedOOMScoreAdj -997
 * (PR #71269, merged 2019-03). "<1.15": -998 (since commit f884180, which
 * PR #100960 names; -999 in the first 2015 version, not modelled). The
 * Burstable floor is 1000 + guaranteedOOMScoreAdj, so 3 or 2.
 */
export type KubeletAdjEra = '<1.15' | '1.15+';

export const KUBELET_OOM_SCORE_ADJ = -999; // KubeletOOMScoreAdj, policy.go
export const KUBE_PROXY_OOM_SCORE_ADJ = -999; // KubeProxyOOMScoreAdj, policy.go
const GUARANTEED: Record<KubeletAdjEra, number> = { '<1.15': -998, '1.15+': -997 };
const BESTEFFORT = 1000; // besteffortOOMScoreAdj

export interface ContainerAdjInput {
  qos: QosClass;
  /** container.Resources.Requests.Memory() in bytes (0 when unset). */
  memoryRequestBytes: bigint;
  /** The node's memory capacity (cAdvisor MachineInfo.MemoryCapacity). */
  memoryCapacityBytes: bigint;
  /** system-node-critical priority (types.IsNodeCriticalPod, v1.14+). */
  nodeCritical?: boolean;
  /** A restartable init container (sidecar, v1.29+): the smallest request among the regular containers. */
  sidecarMinRegularRequestBytes?: bigint;
  /** PodLevelResources (v1.32+ alpha): the pod request not given to containers, divided by their number. */
  podLevelExtraPerContainerBytes?: bigint;
  era?: KubeletAdjEra;
}

/** Go int64 division: truncates toward zero (BigInt does the same). */
const burstableFormula = (req: bigint, cap: bigint): bigint => 1000n - (1000n * req) / cap;

/** pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust(), v1.15 to current (the -998 era before). */
export function computeContainerOomScoreAdj(i: ContainerAdjInput): number {
  const era = i.era ?? '1.15+';
  const guaranteed = GUARANTEED[era];
  if (i.nodeCritical) return guaranteed;
  if (i.qos === 'guaranteed') return guaranteed;
  if (i.qos === 'besteffort') return BESTEFFORT;
  if (i.memoryCapacityBytes <= 0n) throw new RangeError('memory capacity must be positive');
  const extra = i.podLevelExtraPerContainerBytes ?? 0n;
  let adj = burstableFormula(i.memoryRequestBytes + extra, i.memoryCapacityBytes);
  if (i.sidecarMinRegularRequestBytes !== undefined) {
    const minAdj = burstableFormula(i.sidecarMinRegularRequestBytes + extra, i.memoryCapacityBytes);
    if (adj > minAdj) adj = minAdj;
  }
  // "A guaranteed pod using 100% of memory can have an OOM score of 10. Ensure
  // that burstable pods have a higher OOM score adjustment."
  if (adj < BigInt(1000 + guaranteed)) return 1000 + guaranteed;
  // "Give burstable pods a higher chance of survival over besteffort pods."
  if (adj === BigInt(BESTEFFORT)) return Number(adj - 1n);
  return Number(adj);
}

export type AdjMeaning =
  | { kind: 'guaranteed' }
  | { kind: 'besteffort' }
  /** A Burstable adj: the container's memory request lies in [minBytes, maxBytes) (maxBytes null: no upper bound). */
  | { kind: 'burstable'; minBytes: bigint; maxBytes: bigint | null }
  | { kind: 'kubelet-or-kube-proxy' }
  /** No QoS class gives this adj: set by hand, by the runtime (the pod sandbox), or a rule oomctl does not know. */
  | { kind: 'impossible' };

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * What a container's oom_score_adj says about its pod, inverting
 * GetContainerOOMScoreAdjust(): for Burstable, the memory request it implies,
 * ≈ (1000 − adj)·capacity/1000, as the exact interval of requests that give
 * this adj (ignoring the sidecar and pod-level rules, which only lower it).
 */
export function explainContainerAdj(adj: number, memoryCapacityBytes: bigint, era: KubeletAdjEra = '1.15+'): AdjMeaning {
  const guaranteed = GUARANTEED[era];
  const floor = 1000 + guaranteed;
  if (adj === guaranteed) return { kind: 'guaranteed' };
  if (adj === BESTEFFORT) return { kind: 'besteffort' };
  if (adj === KUBELET_OOM_SCORE_ADJ) return { kind: 'kubelet-or-kube-proxy' };
  if (!Number.isInteger(adj) || adj < floor || adj > 999) return { kind: 'impossible' };
  const cap = memoryCapacityBytes;
  // (1000·req)/cap truncated == q  <=>  q·cap/1000 <= req < (q+1)·cap/1000
  const lo = (q: bigint): bigint => ceilDiv(q * cap, 1000n);
  if (adj === floor) return { kind: 'burstable', minBytes: lo(BigInt(1000 - floor)), maxBytes: null };
  if (adj === 999) return { kind: 'burstable', minBytes: 0n, maxBytes: lo(2n) };
  const q = BigInt(1000 - adj);
  return { kind: 'burstable', minBytes: lo(q), maxBytes: lo(q + 1n) };
}

/** Whether an adj fits the QoS class the cgroup path shows. */
export function adjMatchesQos(adj: number, qos: QosClass, era: KubeletAdjEra = '1.15+'): boolean {
  const m = explainContainerAdj(adj, 1n << 40n, era);
  // A node-critical pod of any class gets the Guaranteed adj.
  return m.kind === qos || m.kind === 'guaranteed';
}

// ---------------------------------------------------------------------------
// Node-pressure eviction

export interface EvictionThreshold {
  signal: string;
  /** Bytes, or a fraction of capacity (0 < f < 1). */
  value: { bytes: number } | { fraction: number };
  hard: boolean;
  /** evictionSoftGracePeriod of a soft threshold, as written ("1m30s"). */
  gracePeriod: string | null;
  /** Where the value came from. */
  source: 'config' | 'default';
}

/** pkg/kubelet/apis/config/v1beta1/defaults_linux.go DefaultEvictionHard (v1.10+; imagefs.available 15%). */
export const DEFAULT_EVICTION_HARD: Readonly<Record<string, string>> = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
};

export interface ThresholdProblem {
  signal: string;
  value: string;
  detail: string;
}

/**
 * The memory thresholds the kubelet enforces. v1beta1 defaults.go
 * SetDefaults_KubeletConfiguration(): evictionHard absent (nil) -> all of
 * DefaultEvictionHard; present -> only what it lists (an empty map disables
 * hard eviction), unless mergeDefaultEvictionSettings (newer kubelets) fills the
 * missing signals. eviction/helpers.go parseThresholdStatement(): "0%" and
 * "100%" are ignored; a quantity must be positive.
 */
export function evictionThresholds(cfg: KubeletConfig | undefined): { thresholds: EvictionThreshold[]; problems: ThresholdProblem[] } {
  const thresholds: EvictionThreshold[] = [];
  const problems: ThresholdProblem[] = [];
  const hardGiven = cfg?.evictionHard;
  const hard: Record<string, { v: string; source: 'config' | 'default' }> = {};
  if (hardGiven === undefined) for (const [k, v] of Object.entries(DEFAULT_EVICTION_HARD)) hard[k] = { v, source: 'default' };
  else {
    for (const [k, v] of Object.entries(hardGiven)) hard[k] = { v, source: 'config' };
    if (cfg?.mergeDefaultEvictionSettings) for (const [k, v] of Object.entries(DEFAULT_EVICTION_HARD)) hard[k] ??= { v, source: 'default' };
  }
  const add = (signal: string, v: string, isHard: boolean, source: 'config' | 'default'): void => {
    if (signal !== 'memory.available' && signal !== 'allocatableMemory.available') return;
    const t = parseThresholdValue(v);
    if (t === 'ignored') return;
    if (t === undefined) {
      problems.push({ signal, value: v, detail: 'not a quantity or percentage' });
      return;
    }
    thresholds.push({ signal, value: t, hard: isHard, gracePeriod: isHard ? null : cfg?.evictionSoftGracePeriod?.[signal] ?? null, source });
  };
  for (const [k, { v, source }] of Object.entries(hard)) add(k, v, true, source);
  for (const [k, v] of Object.entries(cfg?.evictionSoft ?? {})) add(k, v, false, 'config');
  return { thresholds, problems };
}

function parseThresholdValue(v: string): EvictionThreshold['value'] | 'ignored' | undefined {
  if (v.endsWith('%')) {
    if (v === '0%' || v === '100%') return 'ignored';
    const p = Number(v.slice(0, -1));
    if (!Number.isFinite(p) || p < 0 || p > 100) return undefined;
    return { fraction: p / 100 };
  }
  const q = parseQuantity(v);
  if (q === undefined || q <= 0) return undefined;
  return { bytes: q };
}

/** eviction/helpers.go GetThresholdQuantity(): a percentage is of the signal's capacity. */
export function thresholdBytes(t: EvictionThreshold, capacityBytes: number): number {
  return 'bytes' in t.value ? t.value.bytes : Math.floor(t.value.fraction * capacityBytes);
}

export interface NodeMemorySample {
  /** The node's memory capacity (MemTotal, as cAdvisor's MachineInfo). */
  capacityBytes: number;
  /** Usage of the root memory cgroup: v1 memory.usage_in_bytes; v2 anon + file of /sys/fs/cgroup/memory.stat. */
  usageBytes: number;
  /** v1 total_inactive_file, v2 inactive_file of the root memory.stat. */
  inactiveFileBytes: number;
}

/**
 * memory.available as the kubelet sees it: capacity − working set, working
 * set = usage − inactive_file (floored at 0). cAdvisor
 * container/libcontainer/handler.go setMemoryStats() (inactive_file key:
 * "total_inactive_file" v1, "inactive_file" v2); pkg/kubelet/stats/helper.go
 * (AvailableBytes = limit − WorkingSet, the root's limit = machine capacity);
 * eviction/helpers.go makeSignalObservations() (capacity = available + working set).
 * On v2 the root has no memory.current: runc/opencontainers cgroups
 * fs2/memory.go rootStatsFromMeminfo() uses anon + file.
 */
export function computeMemoryAvailable(s: NodeMemorySample): { workingSetBytes: number; availableBytes: number } {
  const workingSetBytes = Math.max(0, s.usageBytes - s.inactiveFileBytes);
  return { workingSetBytes, availableBytes: s.capacityBytes - workingSetBytes };
}

export interface EvictionDistance {
  threshold: EvictionThreshold;
  thresholdBytes: number;
  /** available − threshold: how much more working set the node takes before this threshold is met (≤ 0: met). */
  headroomBytes: number;
  met: boolean;
}

/** eviction/helpers.go thresholdsMet(): met when the observed available is below the threshold (OpLessThan). */
export function evictionDistances(thresholds: readonly EvictionThreshold[], s: NodeMemorySample): EvictionDistance[] {
  const { availableBytes } = computeMemoryAvailable(s);
  return thresholds
    .filter((t) => t.signal === 'memory.available')
    .map((t) => {
      const tb = thresholdBytes(t, s.capacityBytes);
      return { threshold: t, thresholdBytes: tb, headroomBytes: availableBytes - tb, met: availableBytes < tb };
    })
    .sort((a, b) => a.headroomBytes - b.headroomBytes);
}

export interface EvictionCandidate {
  /** Any key the caller uses (pod uid). */
  id: string;
  /** Sum of the pod's containers' working sets. */
  usageBytes: number;
  /** Sum of its containers' memory requests; undefined when not on disk (unknown). */
  requestBytes: number | undefined;
  /** spec.priority; undefined when not on disk. */
  priority: number | undefined;
}

export interface EvictionRank {
  /** Candidates in the order the kubelet would evict them (first = next). */
  order: EvictionCandidate[];
  /** false when a request or priority was unknown: the order is then by usage only where they are missing. */
  complete: boolean;
}

/**
 * eviction/helpers.go rankMemoryPressure(), v1.9+:
 * orderedBy(exceedMemoryRequests, priority, memory): pods whose usage exceeds
 * their request first, then lower priority first, then larger usage − request
 * first. An unknown request counts as 0 and an unknown priority as 0 (the
 * default priority), and the result says it is not complete.
 */
export function rankMemoryPressure(pods: readonly EvictionCandidate[]): EvictionRank {
  const req = (p: EvictionCandidate): number => p.requestBytes ?? 0;
  const exceeds = (p: EvictionCandidate): boolean => p.usageBytes > req(p);
  const order = [...pods].sort((a, b) => {
    const ea = exceeds(a);
    const eb = exceeds(b);
    if (ea !== eb) return ea ? -1 : 1;
    const pa = a.priority ?? 0;
    const pb = b.priority ?? 0;
    if (pa !== pb) return pa - pb;
    return b.usageBytes - req(b) - (a.usageBytes - req(a));
  });
  return { order, complete: pods.every((p) => p.requestBytes !== undefined && p.priority !== undefined) };
}

export interface PodAdjNote {
  meaning: AdjMeaning;
  /** The adj fits the QoS class the cgroup path shows (or the node-critical −997). */
  matchesQos: boolean;
  /** The adj the kubelet gives this class when it is not Burstable (Burstable depends on the request). */
  expectedAdj: number | null;
}

/** For explain: what a pod process's oom_score_adj says, against its QoS class. */
export function explainPodAdj(adj: number, qos: QosClass, memoryCapacityBytes: bigint, era: KubeletAdjEra = '1.15+'): PodAdjNote {
  return {
    meaning: explainContainerAdj(adj, memoryCapacityBytes, era),
    matchesQos: adjMatchesQos(adj, qos, era),
    expectedAdj: qos === 'burstable' ? null : computeContainerOomScoreAdj({ qos, memoryRequestBytes: 0n, memoryCapacityBytes, era }),
  };
}

/** A pod as disk shows it: its QoS class (from the cgroup path) and its pod cgroup's memory. */
export interface PodOnDisk {
  /** The pod uid. */
  id: string;
  qos: QosClass;
  /** Working set of the pod cgroup (usage − inactive_file); null when unreadable. */
  workingSetBytes: number | null;
  /** memory.max / memory.limit_in_bytes of the pod cgroup; null when unlimited or unreadable. */
  limitBytes: number | null;
}

export type EvictionTerm = 'exceeds_request' | 'priority' | 'usage_over_request';

export interface PodEvictionRow {
  pod: PodOnDisk;
  /** The pod's memory request where disk implies it: BestEffort 0, Guaranteed = its limit; else null. */
  requestBytes: number | null;
  /** usage > request (the kubelet's Cmp == 1); null when the request or usage is unknown. */
  exceedsRequest: boolean | null;
  /** usage − request; null when unknown. */
  usageOverRequestBytes: number | null;
  /** The terms of rankMemoryPressure this pod's place depends on and disk does not show. */
  unknown: EvictionTerm[];
}

/**
 * The kubelet's memory-pressure order as far as disk shows it.
 * pkg/kubelet/eviction/helpers.go rankMemoryPressure() = orderedBy(exceedMemoryRequests,
 * priority, memory) (v1.9+; read at kubernetes/kubernetes main 008b365): usage is the pod's working set
 * (memoryUsage(): WorkingSetBytes), the request is resource.GetResourceRequestQuantity.
 * From disk: BestEffort has no request (v1 qos.go: no requests or limits), Guaranteed's
 * request equals its limit, which the kubelet writes to the pod cgroup
 * (pkg/kubelet/cm/helpers_linux.go ResourceConfigForPod); a Burstable pod's request and
 * every pod's spec.priority are in the pod spec, not on disk. Known "exceeds" first,
 * unknown next, known "does not exceed" last; then by usage − request where known, else
 * by usage. Priority is unknown for all: it may reorder pods with the same first term.
 */
export function rankEvictionFromDisk(pods: readonly PodOnDisk[]): PodEvictionRow[] {
  const rows = pods.map((pod): PodEvictionRow => {
    const requestBytes = pod.qos === 'besteffort' ? 0 : pod.qos === 'guaranteed' ? pod.limitBytes : null;
    const known = requestBytes !== null && pod.workingSetBytes !== null;
    const unknown: EvictionTerm[] = known ? ['priority'] : ['exceeds_request', 'priority', 'usage_over_request'];
    return {
      pod, requestBytes,
      exceedsRequest: known ? pod.workingSetBytes! > requestBytes! : null,
      usageOverRequestBytes: known ? pod.workingSetBytes! - requestBytes! : null,
      unknown,
    };
  });
  const group = (r: PodEvictionRow): number => (r.exceedsRequest === true ? 0 : r.exceedsRequest === null ? 1 : 2);
  const key = (r: PodEvictionRow): number => r.usageOverRequestBytes ?? r.pod.workingSetBytes ?? -Infinity;
  return rows.sort((a, b) => group(a) - group(b) || key(b) - key(a) || (a.pod.id < b.pod.id ? -1 : a.pod.id > b.pod.id ? 1 : 0));
}
