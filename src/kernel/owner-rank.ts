// `top --by unit|container|pod`: one row per owner, ranked by the kernel's
// choice. An owner is as exposed as its worst process (the kernel picks one
// process, and that process's owner loses it); with memory.oom.group=1 the
// kernel kills every process of the group (mm/memcontrol.c
// mem_cgroup_get_oom_group(), v4.19+), so the row counts them all.

import type { Owner } from '../parse/owner.js';

export type OwnerGrouping = 'unit' | 'container' | 'pod';

export interface RankedProcess {
  pid: number;
  /** 1 = next victim; null = never chosen. */
  rank: number | null;
  /** rss + swap + page tables, KiB. */
  memoryKb: number;
  owner: Owner | undefined;
}

export interface OwnerRow {
  /** The grouping key: unit name, container id, pod uid. */
  key: string;
  owner: Owner;
  processes: number;
  memoryKb: number;
  worstPid: number;
  worstRank: number | null;
  /** true: the worst process's cgroup has memory.oom.group=1, the whole group dies with it. */
  groupKill: boolean;
}

function keyOf(o: Owner, by: OwnerGrouping): string | null {
  if (by === 'pod') return o.pod_uid;
  if (by === 'container') return o.container_id;
  return o.unit ?? o.slice;
}

/** Rows in kill order (best rank first; owners whose processes are never chosen last, by memory). */
export function rankOwners(procs: readonly RankedProcess[], by: OwnerGrouping): OwnerRow[] {
  const rows = new Map<string, OwnerRow>();
  for (const p of procs) {
    if (!p.owner) continue;
    const key = keyOf(p.owner, by);
    if (key === null) continue;
    let r = rows.get(key);
    if (!r) {
      r = { key, owner: p.owner, processes: 0, memoryKb: 0, worstPid: p.pid, worstRank: p.rank, groupKill: p.owner.oom_group === true };
      rows.set(key, r);
    }
    r.processes++;
    r.memoryKb += p.memoryKb;
    if (p.rank !== null && (r.worstRank === null || p.rank < r.worstRank)) {
      r.worstRank = p.rank;
      r.worstPid = p.pid;
      r.groupKill = p.owner.oom_group === true;
      if (by === 'pod') r.owner = p.owner;
    }
  }
  return [...rows.values()].sort((a, b) => {
    if (a.worstRank !== null && b.worstRank !== null) return a.worstRank - b.worstRank;
    if (a.worstRank !== null) return -1;
    if (b.worstRank !== null) return 1;
    return b.memoryKb - a.memoryKb;
  });
}
