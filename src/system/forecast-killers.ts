// Which OOM killers run here, and their settings: earlyoom (its command
// line and version), systemd-oomd (oomd.conf and drop-ins), the kubelet
// (config.yaml's memory.available threshold). Minimal readers, one each.

import path from 'node:path';
import { parseEarlyoomArgs, parseEarlyoomVersion, type EarlyoomArgs } from '../parse/earlyoom-forecast-args.js';
import { parseEvictionHardFlag, parseKubeletMemoryThreshold, KUBELET_DEFAULT_MEMORY_AVAILABLE, type MemoryThreshold } from '../parse/kubelet-eviction.js';
import { parseOomdConf, type OomdSettings } from '../parse/oomd-conf.js';
import type { ProcessRecord } from './procfs.js';
import type { SystemRoot } from './root.js';
import { findKubelets } from './sysctl.js';

export interface EarlyoomInstance {
  pid: number;
  args: EarlyoomArgs;
  /** [major, minor] from the "earlyoom vX.Y" string in its binary; undefined when unreadable. */
  version: [number, number] | undefined;
}

export interface OomdInstance {
  pid: number;
  settings: OomdSettings;
  files: string[];
}

export interface KubeletInstance {
  pid: number;
  threshold: MemoryThreshold | undefined;
  /** Where the threshold came from: the file, or the built-in default. */
  source: string;
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

function readEarlyoom(root: SystemRoot, pid: number): EarlyoomInstance {
  const argv = argvOf(root, pid) ?? ['earlyoom'];
  const exe = root.readBytes(`/proc/${pid}/exe`);
  return { pid, args: parseEarlyoomArgs(argv), version: exe ? parseEarlyoomVersion(exe.toString('latin1')) : undefined };
}

// man oomd.conf: /etc/systemd/oomd.conf, then drop-ins *.conf from these
// folders sorted by file name, a name in an earlier folder hiding the same name later.
const OOMD_DROPIN_DIRS = ['/etc/systemd/oomd.conf.d', '/run/systemd/oomd.conf.d', '/usr/local/lib/systemd/oomd.conf.d', '/usr/lib/systemd/oomd.conf.d'];

function readOomd(root: SystemRoot, pid: number): OomdInstance {
  const files: string[] = [];
  const main = ['/etc/systemd/oomd.conf', '/usr/lib/systemd/oomd.conf'].find((f) => root.readText(f) !== undefined);
  if (main) files.push(main);
  const byName = new Map<string, string>();
  for (const dir of OOMD_DROPIN_DIRS) {
    for (const name of root.listDir(dir) ?? []) if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, `${dir}/${name}`);
  }
  files.push(...[...byName.keys()].sort().map((n) => byName.get(n) as string));
  const texts = files.map((f) => root.readText(f) ?? '');
  return { pid, settings: parseOomdConf(texts), files };
}

function readKubelet(root: SystemRoot, pid: number): KubeletInstance {
  const argv = argvOf(root, pid) ?? [];
  let config = '/var/lib/kubelet/config.yaml';
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--config=')) config = a.slice(9);
    else if (a === '--config' && argv[i + 1] !== undefined) config = argv[i + 1] as string;
    else if (a.startsWith('--eviction-hard=')) flag = a.slice(16);
    else if (a === '--eviction-hard' && argv[i + 1] !== undefined) flag = argv[i + 1] as string;
  }
  // A command-line flag overrides the configuration file (kubelet --eviction-hard).
  if (flag !== undefined) {
    const t = parseEvictionHardFlag(flag);
    return { pid, threshold: t ?? undefined, source: t === undefined ? '--eviction-hard (memory.available not understood)' : t === null ? '--eviction-hard (no memory.available)' : '--eviction-hard' };
  }
  const text = root.readText(path.posix.resolve('/', config));
  if (text === undefined) return { pid, threshold: KUBELET_DEFAULT_MEMORY_AVAILABLE, source: `default (${config} not readable)` };
  const parsed = parseKubeletMemoryThreshold(text);
  if (!parsed) return { pid, threshold: undefined, source: `${config} (memory.available not understood)` };
  return { pid, threshold: parsed.threshold, source: parsed.fromFile ? config : `default (${config} sets no evictionHard)` };
}

/** The killers running now, found among the processes of a sample. */
export function readRunningKillers(root: SystemRoot, records: readonly ProcessRecord[]): RunningKillers {
  const byComm = (c: string): ProcessRecord | undefined => records.find((r) => r.comm === c);
  const e = byComm('earlyoom');
  const o = byComm('systemd-oomd');
  const k = findKubelets(root)[0];
  return {
    earlyoom: e ? readEarlyoom(root, e.pid) : undefined,
    oomd: o ? readOomd(root, o.pid) : undefined,
    kubelet: k === undefined ? undefined : readKubelet(root, k),
  };
}
