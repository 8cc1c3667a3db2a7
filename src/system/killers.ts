// Everything oomctl reads about the killers that act before (or instead of)
// the kernel's OOM killer, in one call for `top`'s header and `doctor`:
// the kubelet's eviction, systemd-oomd and earlyoom. Warnings are data.

import { chooseEarlyoomVictim, computeEarlyoomMemState, computeEarlyoomThresholds, type EarlyoomChoice, type EarlyoomEra, type EarlyoomMemState, type EarlyoomThresholds } from '../kernel/earlyoom.js';
import { computeMemoryAvailable, evictionDistances, evictionThresholds, type EvictionDistance, type ThresholdProblem } from '../kernel/kubelet.js';
import { predictOomdPressure, predictOomdSwap, type OomdPressureTarget, type OomdSwapPrediction } from '../kernel/oomd.js';
import { earlyoomProcesses, readEarlyoom, type EarlyoomFound } from './earlyoom.js';
import type { KubeletConfigRead } from './kubelet-node.js';
import { KUBELET_CONFIG_PATH } from '../parse/kubelet-args.js';
import { readOomdState, type OomdState } from './oomd-state.js';
import type { ProcessRecord } from './procfs.js';
import type { SystemRoot } from './root.js';
import { readMeminfo } from './system-info.js';

export interface KubeletReport {
  config: KubeletConfigRead;
  /** null: the root memory cgroup could not be read. */
  memoryAvailableBytes: number | null;
  workingSetBytes: number | null;
  capacityBytes: number | null;
  /** Nearest threshold first. */
  distances: EvictionDistance[];
  problems: ThresholdProblem[];
}

export interface OomdReport {
  state: OomdState;
  swap: OomdSwapPrediction;
  pressure: OomdPressureTarget[];
}

export interface EarlyoomReport {
  found: EarlyoomFound;
  thresholds: EarlyoomThresholds;
  memory: EarlyoomMemState;
  choice: EarlyoomChoice;
}

export interface KillerReport {
  /** Present when a kubelet runs (the caller says so) or its config file exists. */
  kubelet: KubeletReport | undefined;
  /** Present on cgroup v2 when some unit has ManagedOOM*=kill. */
  oomd: OomdReport | undefined;
  earlyoom: EarlyoomReport | undefined;
}

export interface KillerOptions {
  /** The kubelet's --config when its command line gives one. */
  kubeletConfigPath?: string;
  /** Report the kubelet even without a config file (a kubelet process runs). */
  kubeletRunning?: boolean;
  earlyoomEra?: EarlyoomEra;
  /** false: do not read systemd-oomd's state (it walks the cgroup v2 tree and runs getfattr). */
  oomd?: boolean;
  /** true: `records` hold every process, so earlyoom is looked for among them instead of a new walk of /proc. */
  recordsComplete?: boolean;
}

/** records: the processes as read for `top` (with oom_score), for earlyoom's victim. */
export async function readKillerReport(root: SystemRoot, records: readonly ProcessRecord[], opts: KillerOptions = {}): Promise<KillerReport> {
  let kubelet: KubeletReport | undefined;
  // The config's reader loads the YAML parser (~6 ms): only where a kubelet runs or its file exists.
  if (opts.kubeletRunning || root.readText(opts.kubeletConfigPath ?? KUBELET_CONFIG_PATH) !== undefined) {
    const { readKubeletConfig, readNodeMemory } = await import('./kubelet-node.js');
    const cfg = readKubeletConfig(root, opts.kubeletConfigPath);
    const node = readNodeMemory(root);
    // A config that does not parse: no threshold is assumed (the kubelet would not start with it).
    const t = cfg.warning ? { thresholds: [], problems: [] } : evictionThresholds(cfg.config);
    const avail = node ? computeMemoryAvailable(node) : undefined;
    kubelet = {
      config: cfg,
      memoryAvailableBytes: avail?.availableBytes ?? null,
      workingSetBytes: avail?.workingSetBytes ?? null,
      capacityBytes: node?.capacityBytes ?? null,
      distances: node ? evictionDistances(t.thresholds, node) : [],
      problems: t.problems,
    };
  }
  let oomd: OomdReport | undefined;
  const st = opts.oomd === false ? undefined : await readOomdState(root);
  if (st && st.monitored.length > 0) {
    oomd = { state: st, swap: predictOomdSwap(st.config, st.system, st.monitored, st.byPath, st.childrenOf), pressure: predictOomdPressure(st.config, st.monitored, st.byPath, st.childrenOf) };
  }
  let earlyoom: EarlyoomReport | undefined;
  const found = readEarlyoom(root, opts.recordsComplete ? records : undefined);
  if (found) {
    const mi = readMeminfo(root);
    const thresholds = computeEarlyoomThresholds(found.args, mi.memTotalKb, mi.swapTotalKb);
    const memory = computeEarlyoomMemState({
      memTotalKib: mi.memTotalKb, memAvailableKib: mi.memAvailableKb ?? 0, anonPagesKib: mi.all.get('AnonPages') ?? 0, swapTotalKib: mi.swapTotalKb, swapFreeKib: mi.swapFreeKb,
    }, thresholds, opts.earlyoomEra);
    earlyoom = { found, thresholds, memory, choice: chooseEarlyoomVictim(earlyoomProcesses(records), found.args) };
  }
  return { kubelet, oomd, earlyoom };
}
