// Which of the kernel's OOM scoring rules the running kernel uses, from its
// release string (/proc/sys/kernel/osrelease, e.g. "6.18.44-fc-v657").

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
}

/**
 * The eras of the OOM heuristic since the 2.6.36 rewrite. Each changes how
 * oom_badness() counts or how /proc/PID/oom_score is scaled.
 */
export type ScoreEra =
  /** 2.6.36-3.4: oom_badness() itself normalises to 0..1000, root -30 points. */
  | 'v2.6.36-v3.4'
  /** 3.5-3.13: badness in pages; CAP_SYS_ADMIN gets adj -= 30; floored at 1. */
  | 'v3.5-v3.13'
  /** 3.14-4.16: CAP_SYS_ADMIN gets 3 % off its points; floored at 1. */
  | 'v3.14-v4.16'
  /** 4.17-5.8: no root bonus; floored at 1; oom_score = points*1000/totalpages. */
  | 'v4.17-v5.8'
  /** 5.9+: signed badness, oom_score = (1000 + badness*1000/totalpages)*2/3. */
  | 'v5.9+';

export const SCORE_ERAS: readonly ScoreEra[] = ['v2.6.36-v3.4', 'v3.5-v3.13', 'v3.14-v4.16', 'v4.17-v5.8', 'v5.9+'];

export function parseKernelRelease(release: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

function atLeast(v: KernelVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** undefined: older than 2.6.36 (the oom_adj heuristic), not modelled. */
export function scoreEraOf(v: KernelVersion): ScoreEra | undefined {
  // fs/proc/base.c proc_oom_score(), v5.9+ ("mm, oom: make the calculation of oom badness more accurate")
  if (atLeast(v, 5, 9)) return 'v5.9+';
  // mm/oom_kill.c oom_badness(), v4.17 removed the 3% CAP_SYS_ADMIN bonus
  if (atLeast(v, 4, 17)) return 'v4.17-v5.8';
  // mm/oom_kill.c oom_badness(), v3.14 "mm, oom: base root bonus on current usage"
  if (atLeast(v, 3, 14)) return 'v3.14-v4.16';
  // mm/oom_kill.c oom_badness(), v3.5 "mm, oom: normalize oom scores to oom_score_adj scale only for userspace"
  if (atLeast(v, 3, 5)) return 'v3.5-v3.13';
  // mm/oom_kill.c oom_badness(), v2.6.36 "oom: badness heuristic rewrite"
  if (v.major === 3 || (v.major === 2 && v.minor === 6 && v.patch >= 36)) return 'v2.6.36-v3.4';
  return undefined;
}

/**
 * Which of two tasks with equal points the kernel keeps. It scans in task-list
 * (fork) order; before 5.3 a strictly greater score was needed to replace the
 * chosen task (and 3.14-5.2 kept a thread-group leader on a tie, which the
 * process-only scan always has), so the first scanned won.
 */
export type TieRule = 'last-scanned' | 'first-scanned';

export function tieRuleOf(v: KernelVersion): TieRule {
  // mm/oom_kill.c oom_evaluate_task(), v5.3 "mm: oom: Remove thread group leader check in oom_evaluate_task()"
  return atLeast(v, 5, 3) ? 'last-scanned' : 'first-scanned';
}

export interface KernelModel {
  release: string;
  version: KernelVersion;
  era: ScoreEra;
  tieRule: TieRule;
}
