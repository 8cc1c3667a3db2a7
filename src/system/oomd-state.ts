// What systemd-oomd would read, from disk under the root: oomd.conf and its
// drop-ins, every unit's ManagedOOM*= settings (for the cgroups that exist),
// and each cgroup's memory.current, memory.swap.current, memory.stat pgscan,
// memory.pressure and memory.oom.group. cgroup v2 only (oomd needs it).

import { statSync } from 'node:fs';
import { parseMemoryStat } from '../parse/memory-stat.js';
import { parsePressure } from '../parse/pressure.js';
import { cgUnescape } from '../parse/owner.js';
import { managedOomSettings } from '../parse/systemd-settings.js';
import { computeOomdConfig, type OomdCgroup, type OomdConfig, type OomdMonitored, type OomdPreference, type OomdSystem } from '../kernel/oomd.js';
import { readCgroupMounts } from './memcg.js';
import type { SystemRoot } from './root.js';
import { readConfigWithDropins, readUnitSettings } from './systemd-units.js';
import { readMeminfo } from './system-info.js';
import { readXattrs } from './xattr.js';

export interface OomdState {
  config: OomdConfig;
  configFiles: string[];
  system: OomdSystem;
  monitored: OomdMonitored[];
  byPath: Map<string, OomdCgroup>;
  childrenOf: Map<string, string[]>;
  /** How the xattrs were read ('unit-file' when no reader: ManagedOOMPreference= stands in). */
  preferenceSource: 'getfattr' | 'python3' | 'unit-file';
  /** The unit files each monitored unit's settings came from. */
  unitFiles: Map<string, string[]>;
}

const UNIT_RE = /\.(slice|service|scope)$/;

interface CgroupTree {
  byPath: Map<string, OomdCgroup>;
  childrenOf: Map<string, string[]>;
  monitored: OomdMonitored[];
  unitFiles: Map<string, string[]>;
  /** ManagedOOMPreference= of each unit's cgroup, the stand-in when no xattr reader exists. */
  unitPreference: Map<string, OomdPreference | null>;
}

/** Walks the cgroup v2 tree breadth first (at most `max` cgroups): each cgroup's counters and its unit's ManagedOOM*= settings. */
function readCgroupTree(root: SystemRoot, mount: string, system: OomdSystem, max: number): CgroupTree {
  const byPath = new Map<string, OomdCgroup>();
  const childrenOf = new Map<string, string[]>();
  const monitored: OomdMonitored[] = [];
  const unitFiles = new Map<string, string[]>();
  const unitPreference = new Map<string, OomdPreference | null>();
  const queue: string[] = ['/'];
  while (queue.length > 0 && byPath.size < max) {
    const p = queue.shift() as string;
    const dir = p === '/' ? mount : `${mount}${p}`;
    const entries = root.listDir(dir);
    if (entries === undefined) continue;
    const kids: string[] = [];
    for (const e of entries) {
      // A child cgroup is a folder holding cgroup.procs.
      if (root.readText(`${dir}/${e}/cgroup.type`) === undefined && root.readText(`${dir}/${e}/cgroup.procs`) === undefined) continue;
      kids.push(p === '/' ? `/${e}` : `${p}/${e}`);
    }
    childrenOf.set(p, kids);
    queue.push(...kids);
    const stat = parseMemoryStat(root.readText(`${dir}/memory.stat`) ?? '');
    const pressure = parsePressure(root.readText(`${dir}/memory.pressure`) ?? '');
    const num = (f: string): number => Number((root.readText(`${dir}/${f}`) ?? '0').trim()) || 0;
    const og = root.readText(`${dir}/memory.oom.group`);
    byPath.set(p, {
      path: p,
      hasChildren: kids.length > 0,
      oomGroup: og === undefined ? (p === '/' ? false : undefined) : og.trim() === '1',
      // oomd_cgroup_context_acquire(): the root's usage is procfs_memory_get_used() (MemTotal − MemAvailable).
      memoryCurrent: p === '/' ? system.memTotal - system.memAvailable : num('memory.current'),
      swapCurrent: p === '/' ? 0 : num('memory.swap.current'),
      pgscan: stat.get('pgscan') ?? 0,
      fullAvg10: pressure.full?.avg10 ?? 0,
      preference: 'unknown',
      ownerUid: undefined,
    });
    const unit = p === '/' ? '-.slice' : cgUnescape(p.split('/').at(-1) as string);
    if (!UNIT_RE.test(unit)) continue;
    const um = /\/user@(\d+)\.service\//.exec(p + '/');
    const isUserUnit = um !== null && !p.endsWith(`/user@${um[1]}.service`);
    const s = readUnitSettings(root, unit, isUserUnit ? 'user' : 'system', um ? Number(um[1]) : undefined);
    const m = managedOomSettings(s.assignments);
    unitPreference.set(p, m.preference);
    if (m.swap === 'kill' || m.memoryPressure === 'kill') {
      monitored.push({ path: p, unit, swapKill: m.swap === 'kill', pressureKill: m.memoryPressure === 'kill', pressureLimitPermyriad: m.memoryPressureLimitPermyriad, pressureDurationUsec: m.memoryPressureDurationUsec });
      unitFiles.set(unit, s.files);
    }
  }
  return { byPath, childrenOf, monitored, unitFiles, unitPreference };
}

/** Sets each cgroup's preference and owner; returns how the xattrs were read (null: not at all). */
async function readPreferences(root: SystemRoot, mount: string, tree: CgroupTree): Promise<'getfattr' | 'python3' | null> {
  const { byPath, unitPreference } = tree;
  // Preferences: the xattrs PID 1 sets from ManagedOOMPreference=; the owner check is per rule
  // (kernel/oomd.ts effectivePreference()), so the folder's owner is kept with it.
  const paths = [...byPath.keys()];
  const real = (p: string): string => root.path(p === '/' ? mount : `${mount}${p}`);
  const x = await readXattrs(paths.map(real), ['user.oomd_avoid', 'user.oomd_omit']);
  const owner = (p: string): number | undefined => {
    try {
      return statSync(real(p)).uid;
    } catch {
      return undefined;
    }
  };
  for (const c of byPath.values()) {
    let pref: OomdPreference | 'unknown';
    if (x.via !== null) {
      const v = x.values.get(real(c.path));
      // cg_get_xattr_bool(): parse_boolean() of the value; omit is checked last and wins.
      const yes = (s: string | undefined): boolean => s !== undefined && /^(1|yes|y|true|t|on)$/i.test(s.trim());
      pref = yes(v?.get('user.oomd_omit')) ? 'omit' : yes(v?.get('user.oomd_avoid')) ? 'avoid' : 'none';
    } else {
      const u = unitPreference.get(c.path);
      pref = u === undefined || u === null ? 'unknown' : u;
    }
    c.ownerUid = owner(c.path);
    c.preference = pref;
  }
  return x.via;
}

/** Reads it all; undefined when there is no cgroup v2 hierarchy (systemd-oomd does not run on v1). */
export async function readOomdState(root: SystemRoot, opts: { maxCgroups?: number } = {}): Promise<OomdState | undefined> {
  const v2 = readCgroupMounts(root).find((m) => m.version === 2 && m.root === '/');
  if (!v2) return undefined;
  const mount = v2.mountPoint;
  const conf = readConfigWithDropins(root, 'systemd/oomd.conf', ['OOM']);
  const config = computeOomdConfig(conf.assignments);
  const mi = readMeminfo(root, { optional: true });
  if (mi === undefined) return undefined;
  const system: OomdSystem = {
    memTotal: mi.memTotalKb * 1024, memAvailable: (mi.memAvailableKb ?? 0) * 1024, swapTotal: mi.swapTotalKb * 1024, swapFree: mi.swapFreeKb * 1024,
  };
  const tree = readCgroupTree(root, mount, system, opts.maxCgroups ?? 20000);
  const via = await readPreferences(root, mount, tree);
  const { byPath, childrenOf, monitored, unitFiles } = tree;
  return {
    config, configFiles: conf.files, system, monitored, byPath, childrenOf,
    preferenceSource: via ?? 'unit-file', unitFiles,
  };
}
