// The kernel's OOM counters: /proc/vmstat oom_kill (every process the OOM
// killer killed since boot, v4.13+: mm/oom_kill.c __oom_kill_process()
// count_vm_event(OOM_KILL)), and per memory cgroup the v2 memory.events
// (oom, oom_kill, oom_group_kill) or the v1 memory.oom_control (oom_kill
// v4.13+, under_oom). Every path under the root. systemd-oomd's xattrs
// (user.oomd_kill, user.oomd_ooms) are not read: Node has no getxattr, and
// spawning getfattr per cgroup is not worth its cost here (docs/events.md).

import type { SystemRoot } from './root.js';

export function readVmstatOomKill(root: SystemRoot): number | null {
  const t = root.readText('/proc/vmstat');
  if (t === undefined) return null;
  const i = t.indexOf('\noom_kill ');
  const at = i >= 0 ? i + 10 : t.startsWith('oom_kill ') ? 9 : -1;
  if (at < 0) return null;
  const n = Number.parseInt(t.slice(at, at + 24), 10);
  return Number.isFinite(n) ? n : null;
}

/** The first 8 hex digits of this boot's id, or null. */
export function readBootId(root: SystemRoot): string | null {
  const t = root.readText('/proc/sys/kernel/random/boot_id');
  if (t === undefined) return null;
  const id = t.trim().replaceAll('-', '').slice(0, 8);
  return /^[0-9a-f]{8}$/.test(id) ? id : null;
}

export interface MemcgOomCounter {
  /** The cgroup path as the kernel prints it in an OOM report ("/a/b"). */
  cgroup: string;
  file: 'memory.events' | 'memory.oom_control';
  oom: number | null;
  oom_kill: number | null;
  oom_group_kill: number | null;
  under_oom: number | null;
  /**
   * systemd-oomd's own counters on a v2 cgroup (src/oom/oomd-util.c oomd_cgroup_kill(): the xattr
   * user.oomd_ooms + 1 before a kill, user.oomd_kill + the number of processes killed after it);
   * null where not read (v1, no systemd-oomd here, or no xattr reader).
   */
  oomd_ooms: number | null;
  oomd_kill: number | null;
}

function field(text: string, key: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(key + ' ')) {
      const n = Number.parseInt(line.slice(key.length + 1), 10);
      return Number.isFinite(n) ? n : null;
    }
  }
  return null;
}

const MAX_CGROUPS = 20_000;
const V2_BASES = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** The cgroup v2 mount under the root (the unified one of a hybrid host), or undefined. */
function v2Base(root: SystemRoot): string | undefined {
  return V2_BASES.find((b) => root.readSmallText(`${b}/cgroup.controllers`) !== undefined);
}
const MAX_DEPTH = 12;

function walk(root: SystemRoot, base: string, rel: string, depth: number, visit: (dir: string, rel: string) => void, budget: { left: number }): void {
  if (budget.left-- <= 0) return;
  visit(`${base}${rel}`, rel === '' ? '/' : rel);
  if (depth >= MAX_DEPTH) return;
  for (const e of root.listDir(`${base}${rel}`) ?? []) {
    // cgroup directories hold no dots in the kernel's own files' names; a child cgroup may (a.service): check for its control file
    if (e.startsWith('memory.') || e.startsWith('cgroup.') || e === 'tasks' || e === 'notify_on_release' || e === 'release_agent') continue;
    const child = `${rel}/${e}`;
    if (root.readSmallText(`${base}${child}/cgroup.procs`) === undefined) continue;
    walk(root, base, child, depth + 1, visit, budget);
  }
}

/** Every memory cgroup's OOM counters (v1 hierarchy at /sys/fs/cgroup/memory, v2 at /sys/fs/cgroup or /sys/fs/cgroup/unified). */
export function readMemcgOomCounters(root: SystemRoot): MemcgOomCounter[] {
  const out: MemcgOomCounter[] = [];
  const budget = { left: MAX_CGROUPS };
  const v1 = '/sys/fs/cgroup/memory';
  if (root.readSmallText(`${v1}/memory.oom_control`) !== undefined) {
    walk(root, v1, '', 0, (dir, rel) => {
      const t = root.readSmallText(`${dir}/memory.oom_control`);
      if (t === undefined) return;
      out.push({ cgroup: rel, file: 'memory.oom_control', oom: null, oom_kill: field(t, 'oom_kill'), oom_group_kill: null, under_oom: field(t, 'under_oom'), oomd_ooms: null, oomd_kill: null });
    }, budget);
  }
  const v2 = v2Base(root);
  if (v2 !== undefined) {
    walk(root, v2, '', 0, (dir, rel) => {
      // memory.events.local would say "this cgroup only"; memory.events counts the subtree (cgroup-v2.rst)
      const t = root.readSmallText(`${dir}/memory.events`);
      if (t === undefined) return;
      out.push({ cgroup: rel, file: 'memory.events', oom: field(t, 'oom'), oom_kill: field(t, 'oom_kill'), oom_group_kill: field(t, 'oom_group_kill'), under_oom: null, oomd_ooms: null, oomd_kill: null });
    }, budget);
  }
  return out;
}

/** systemd-oomd runs, or has run, here: its socket folder (units/systemd-oomd.socket ListenStream=/run/systemd/oom/io.systemd.ManagedOOM). */
export function oomdPresent(root: SystemRoot): boolean {
  return root.listDir('/run/systemd/oom') !== undefined;
}

/**
 * Fills oomd_ooms / oomd_kill of the v2 counters from systemd-oomd's xattrs (one reader process for
 * all of them, system/xattr.ts). Returns how they were read, or null when nothing could read them.
 */
export async function addOomdXattrs(root: SystemRoot, counters: MemcgOomCounter[]): Promise<'getfattr' | 'python3' | null> {
  const base = v2Base(root);
  const v2 = counters.filter((c) => c.file === 'memory.events');
  if (base === undefined || v2.length === 0) return null;
  const { readXattrs } = await import('./xattr.js');
  const real = v2.map((c) => root.path(c.cgroup === '/' ? base : `${base}${c.cgroup}`));
  const got = await readXattrs(real, ['user.oomd_ooms', 'user.oomd_kill']);
  if (got.via === null) return null;
  const num = (v: string | undefined): number => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : 0);
  v2.forEach((c, i) => {
    const x = got.values.get(real[i] as string);
    c.oomd_ooms = num(x?.get('user.oomd_ooms'));
    c.oomd_kill = num(x?.get('user.oomd_kill'));
  });
  return got.via;
}
