// Which OOM killers run here, and their settings, through the owners' readers
// (one model per killer): earlyoom (system/earlyoom.ts, its command line, and
// its version from the binary), systemd-oomd (oomd.conf and its drop-ins as
// systemd-units.ts reads them, kernel/oomd.ts computeOomdConfig()), the
// kubelet (kubelet-node.ts readKubeletConfig(), kernel/kubelet.ts evictionThresholds()).

import { earlyoomEraOf, type EarlyoomEra } from '../kernel/earlyoom.js';
import { evictionThresholds, type EvictionThreshold, type ThresholdProblem } from '../kernel/kubelet.js';
import { computeOomdConfig, type OomdConfig } from '../kernel/oomd.js';
import { parseEarlyoomVersion } from '../parse/earlyoom-args.js';
import { parseEvictionHardFlag } from '../parse/kubelet-config.js';
import { readEarlyoomProcess, type EarlyoomFound } from './earlyoom.js';
import { kubeletConfigPathFromArgs, readKubeletConfig, KUBELET_CONFIG_PATH } from './kubelet-node.js';
import type { ProcessRecord } from './procfs.js';
import type { SystemRoot } from './root.js';
import { findKubelets } from './sysctl.js';
import { readConfigWithDropins } from './systemd-units.js';

export interface EarlyoomInstance {
  pid: number;
  found: EarlyoomFound;
  /** [major, minor] from the "earlyoom vX.Y" string in its binary; undefined when unreadable. */
  version: [number, number] | undefined;
  era: EarlyoomEra;
}

export interface OomdInstance {
  pid: number;
  config: OomdConfig;
  files: string[];
}

export interface KubeletInstance {
  pid: number;
  /** The hard memory.available threshold; undefined when none is set or it is not understood. */
  threshold: EvictionThreshold | undefined;
  /** Where the threshold came from: the flag, the file, or the built-in default. */
  source: string;
  problems: ThresholdProblem[];
}

export interface RunningKillers {
  earlyoom: EarlyoomInstance | undefined;
  oomd: OomdInstance | undefined;
  kubelet: KubeletInstance | undefined;
}

function argvOf(root: SystemRoot, pid: number): string[] | undefined {
  const text = root.readText(`/proc/${pid}/cmdline`);
  return text === undefined ? undefined : text.replace(/\0+$/, '').split('\0');
}

function readEarlyoomInstance(root: SystemRoot, pid: number): EarlyoomInstance | undefined {
  // Only a running earlyoom kills: /etc/default/earlyoom alone (readEarlyoom()'s fallback) is not one.
  const found = readEarlyoomProcess(root, pid);
  if (!found || found.pid === null) return undefined;
  const exe = root.readBytes(`/proc/${found.pid}/exe`);
  const version = exe ? parseEarlyoomVersion(exe.toString('latin1')) : undefined;
  return { pid: found.pid, found, version, era: earlyoomEraOf(version) };
}

function readOomd(root: SystemRoot, pid: number): OomdInstance {
  const conf = readConfigWithDropins(root, 'systemd/oomd.conf', ['OOM']);
  return { pid, config: computeOomdConfig(conf.assignments), files: conf.files };
}

function readKubelet(root: SystemRoot, pid: number): KubeletInstance {
  const argv = argvOf(root, pid) ?? [];
  const file = kubeletConfigPathFromArgs(argv) ?? KUBELET_CONFIG_PATH;
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--eviction-hard=')) flag = a.slice('--eviction-hard='.length);
    else if (a === '--eviction-hard' && argv[i + 1] !== undefined) flag = argv[i + 1] as string;
  }
  const cfg = readKubeletConfig(root, file);
  let source: string;
  let config = cfg.config;
  if (flag !== undefined) {
    const map = parseEvictionHardFlag(flag);
    if (map === undefined) return { pid, threshold: undefined, source: '--eviction-hard (not understood)', problems: [] };
    // A command-line flag overrides the configuration file.
    config = { ...(config ?? { evictionSoft: undefined, evictionSoftGracePeriod: undefined, mergeDefaultEvictionSettings: undefined, cgroupDriver: undefined, cgroupRoot: undefined, singleProcessOOMKill: undefined, enforceNodeAllocatable: undefined }), evictionHard: map };
    source = '--eviction-hard';
  } else if (cfg.warning) {
    return { pid, threshold: undefined, source: `${file} does not parse: ${cfg.warning.detail}`, problems: [] };
  } else source = cfg.present ? file : `default (${file} not readable)`;
  const t = evictionThresholds(config);
  const threshold = t.thresholds.find((x) => x.hard && x.signal === 'memory.available');
  if (threshold?.source === 'default' && flag === undefined) source = cfg.present ? `default (${file} sets no evictionHard)` : source;
  if (!threshold) source = `${source} (no memory.available)`;
  return { pid, threshold, source, problems: t.problems };
}

/** The killers running now, found among the processes of a sample. */
export function readRunningKillers(root: SystemRoot, records: readonly ProcessRecord[]): RunningKillers {
  // The sample's records carry comm (from stat, the name /proc/PID/comm shows).
  const e = records.find((r) => r.comm === 'earlyoom');
  const o = records.find((r) => r.comm === 'systemd-oomd');
  const k = findKubelets(root)[0];
  return {
    earlyoom: e ? readEarlyoomInstance(root, e.pid) : undefined,
    oomd: o ? readOomd(root, o.pid) : undefined,
    kubelet: k === undefined ? undefined : readKubelet(root, k),
  };
}
