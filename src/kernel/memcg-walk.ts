// The order in which an OOM inside a memory cgroup visits tasks, which
// decides ties of equal badness: mm/memcontrol.c mem_cgroup_scan_tasks()
// walks for_each_mem_cgroup_tree() -> mem_cgroup_iter() ->
// css_next_descendant_pre() (since v4.8, 9cbb78bb3143 "mm, memcg: introduce
// own oom handler to iterate only over its own threads"; read in v6.18, and
// before v4.8 mem_cgroup_out_of_memory() walked the same
// for_each_mem_cgroup_tree()): a cgroup, then the whole
// subtree of its first child, then of the next child, and so on (pre-order),
// and in each cgroup its tasks (css_task_iter). Not a walk by depth: /a/x
// comes before /b.
//
// Siblings are visited in the order the kernel linked them into the parent's
// children list (kernel/cgroup/cgroup.c css_next_child(), creation order),
// which is not on disk under a copied /proc tree; siblings here go by name,
// which decides only ties between processes of sibling subtrees.

/** Compares two cgroup paths ("/a/b") in pre-order: an ancestor before its descendants, siblings by name. */
export function comparePreorder(a: string, b: string): number {
  const as = a.split('/').filter((s) => s !== '');
  const bs = b.split('/').filter((s) => s !== '');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

/** Each path's position in the pre-order walk of the given paths (0 = visited first). */
export function preorderIndex(paths: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(paths)].sort(comparePreorder);
  return new Map(sorted.map((p, i) => [p, i]));
}
