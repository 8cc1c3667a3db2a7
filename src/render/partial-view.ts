// How every command says that oomctl does not see every process (hidepid on
// /proc, unreadable processes): the ranking is among the visible ones, and the
// kernel's next victim is unknown (issue 17).

import type { PartialView, Prediction } from '../core/prediction.js';

/** One line: why the view is partial and what would make it whole. */
export function partialViewText(v: PartialView): string {
  const why: string[] = [];
  if (v.hidepid !== null) why.push(`/proc is mounted with hidepid=${v.hidepid}, which ${v.hidepid === 'noaccess' ? 'locks' : 'hides'} other users' processes from this user`);
  if (v.unreadable > 0) why.push(`${v.unreadable} process${v.unreadable === 1 ? '' : 'es'} could not be read`);
  return `the ranking is partial (${why.join('; ')}): ranks are among the processes visible here, the kernel's next victim is unknown; run as root (CAP_SYS_PTRACE) or as a member of the proc mount's gid= group for all of them`;
}

/** The header's victim line in a partial view. */
export function unknownVictimText(): string {
  return 'next victim: unknown (the ranking is partial)';
}

/** JSON `partial_view` (docs/json.md): null when every process is seen. */
export function partialViewJson(p: Prediction) {
  const v = p.partial;
  return v ? { hidepid: v.hidepid, unreadable_processes: v.unreadable, next_victim_known: false, note: partialViewText(v) } : null;
}
