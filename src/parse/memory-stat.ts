// A cgroup's memory.stat: "key value" lines (mm/memcontrol.c memory_stat_show()
// for v2, memcg1_stat_format() for v1). Values in bytes (pages for v1's pgfault-like counters).

export function parseMemoryStat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = line.slice(sp + 1).trim();
    if (/^\d+$/.test(v)) out.set(line.slice(0, sp), Number(v));
  }
  return out;
}

/**
 * File pages on the LRU of a cgroup and its descendants, in bytes: what
 * reclaim can drop before the cgroup OOMs. v1 prints the hierarchical sums as
 * total_*; v2's keys are hierarchical already.
 */
export function fileLruBytes(stat: ReadonlyMap<string, number>, version: 1 | 2): number {
  const prefix = version === 1 ? 'total_' : '';
  return (stat.get(`${prefix}active_file`) ?? 0) + (stat.get(`${prefix}inactive_file`) ?? 0);
}
