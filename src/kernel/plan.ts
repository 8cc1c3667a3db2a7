// A plan is data: the changes a command would make, computed before any is
// made, printed by --dry-run and applied elsewhere (read -> plan -> show -> apply).

export interface Change {
  /** What changes, e.g. "pid 2196 (mysqld): oom_score_adj" or "vm.panic_on_oom". */
  what: string;
  from: string | number | null;
  to: string | number | null;
}

export function isNoop(c: Change): boolean {
  return c.from === c.to;
}
