// Changes as choom prints them: "pid 2196 (mysqld): oom_score_adj 0 → -15".
// Callers escape untrusted parts of `what` (process names) when building it.

import type { Change } from '../kernel/plan.js';

export function renderChange(c: Change): string {
  const v = (x: string | number | null): string => (x === null ? '(none)' : String(x));
  return `${c.what} ${v(c.from)} → ${v(c.to)}`;
}

export function changesJson(changed: boolean, changes: readonly Change[], warnings: readonly string[]) {
  return { changed, changes: changes.map((c) => ({ what: c.what, from: c.from, to: c.to })), warnings: [...warnings] };
}
