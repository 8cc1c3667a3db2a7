// THE write path for the OOM sysctls, used by `sysctl KEY=VALUE` (commands/sysctl.ts) and
// `apply` (core/policy.ts): plan (read the live values, refuse a key this kernel lacks, plan
// the writes in the kernel's order, run the checks) -> confirm (core/confirm.ts, by the caller,
// since apply asks one question for sysctls and processes together) -> write all or nothing
// (a failed write puts back what was written, system/sysctl.ts writeSysctls()) -> persist
// (a file boot applies, written atomically; a failure after the live write is PARTIAL).

import { ExitCode, OomctlError, PartialError, RefusedError, UnsupportedError, errnoOf } from '../errors.js';
import { checkSysctlPlan, planSysctlChanges, riskyReasons, type Assignment, type Finding, type SysctlPlan } from '../kernel/sysctl-catalogue.js';
import { writeFileAtomic } from '../system/atomic-write.js';
import type { SystemRoot } from '../system/root.js';
import { findKubelet, readLiveSysctls, sysctlWriteError, writeSysctls } from '../system/sysctl.js';
import { readMemoryFacts, sysctlPath } from '../system/system-info.js';

export interface SysctlWritePlan {
  plan: SysctlPlan;
  /** The checks' findings (refusals, warnings, notes) for the plan. */
  findings: Finding[];
  /** Why the plan is risky (asks on a terminal, needs --yes without one); empty when it is not. */
  risky: string[];
  /** The refusals joined, unless --force; undefined when nothing refuses. */
  refusal: string | undefined;
}

/**
 * Reads the live values and plans `assignments`. A key this kernel lacks stops everything
 * (UNSUPPORTED, "nothing " + `nothing`: "written" or "checked"). `force` lets refusals pass
 * (they stay in `findings`).
 */
export function planSysctlWrite(root: SystemRoot, assignments: readonly Assignment[], opts: { force: boolean; nothing?: string }): SysctlWritePlan {
  const live = readLiveSysctls(root);
  const missing = assignments.filter((a) => live[a.key] === undefined).map((a) => a.key);
  if (missing.length > 0) {
    throw new UnsupportedError(`cannot read ${missing.map((k) => root.path(sysctlPath(k))).join(', ')}: nothing ${opts.nothing ?? 'written'}`, 'this kernel lacks the key, or /proc is not mounted');
  }
  const plan = planSysctlChanges(live, assignments);
  const findings = checkSysctlPlan({ plan, named: assignments.map((a) => a.key), memory: readMemoryFacts(root), kubeletPid: findKubelet(root) });
  const refusals = findings.filter((f) => f.level === 'refusal');
  const refusal = refusals.length > 0 && !opts.force ? refusals.map((r) => r.message).join('; ') : undefined;
  return { plan, findings, risky: riskyReasons(plan), refusal };
}

/** The error a refused plan ends with: a dry run says it would refuse, a real run refuses. */
export function sysctlRefusalError(refusal: string, dryRun: boolean, tail = ''): OomctlError {
  const hint = 'add --force to apply it anyway';
  return dryRun ? new OomctlError(`would refuse: ${refusal}`, ExitCode.REFUSED, 'refused', hint) : new RefusedError(`refusing: ${refusal}${tail}`, hint);
}

/**
 * Writes the planned values all or nothing (`warn` hears what was put back after a failure),
 * then `persist.text` to `persist.file` (a path under the root) atomically. Returns whether a
 * live value was written and the persist outcome; a persist failure after a live write is a
 * PartialError, before one the error itself.
 */
export function writeSysctlPlan(root: SystemRoot, plan: SysctlPlan, warn: (message: string) => void, persist?: { file: string; text: string }): { applied: boolean; persisted: 'written' | 'unchanged' | undefined } {
  let applied = false;
  if (plan.writes.length > 0) {
    writeSysctls(root, plan.writes, plan.before, warn);
    applied = true;
  }
  if (!persist) return { applied, persisted: undefined };
  const file = root.path(persist.file);
  try {
    // The temp name (".NAME.oomctl-PID.tmp") ends in .tmp: no sysctl loader reads it.
    return { applied, persisted: writeFileAtomic(file, persist.text, { mkdir: true }) };
  } catch (error) {
    // writeFileAtomic() already says what went wrong, in words (src/system/atomic-write.ts).
    const e = error instanceof OomctlError ? error : sysctlWriteError(errnoOf(error), persist.file, file, error);
    if (applied) throw new PartialError(`the live values are set, but ${e.message}`, e.hint);
    throw e;
  }
}
