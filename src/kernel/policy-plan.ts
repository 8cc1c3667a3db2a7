// Which process each rule of a policy file reaches, and the oom_score_adj it
// should have. Pure: the same TARGET selection as `protect` (selectTargets,
// with its impostor rule and its refusal of pid 1 and kernel threads).

import { NotFoundError, OomctlError } from '../errors.js';
import type { Policy, PolicyVocabulary, ProcessRule } from '../parse/policy.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN } from './badness.js';
import { checkAssignments, normalizeSysctlKey, SYSCTL_KEYS, validateSysctlValue, type SysctlKey } from './sysctl-catalogue.js';

/** A policy whose sysctls are keys of the catalogue. */
export type CataloguePolicy = Policy<SysctlKey>;

/** What parsePolicy() checks a policy against: the catalogue's keys and values, the adj range. */
export const POLICY_VOCABULARY: PolicyVocabulary<SysctlKey> = {
  adjMin: OOM_SCORE_ADJ_MIN, adjMax: OOM_SCORE_ADJ_MAX, sysctlKeys: SYSCTL_KEYS,
  normalizeSysctlKey, validateSysctlValue, checkAssignments,
};
import { matchesName, normaliseUnitName, selectTargets, type TargetProcess, type TargetQuery } from './target.js';

export interface RuleTarget extends TargetProcess {
  starttime: number;
  oomScoreAdj: number;
}

export interface PlannedAdj<P extends RuleTarget> {
  rule: ProcessRule;
  target: P;
  from: number;
  to: number;
}

export interface ProcessRulePlan<P extends RuleTarget> {
  /** One entry per process a rule reaches (the first rule that reaches it). */
  items: PlannedAdj<P>[];
  /** Rules that reach no process now, with the reason selectTargets gave. */
  unmatched: { rule: ProcessRule; reason: string }[];
  /** Rules oomctl refuses to apply (ambiguous name, pid 1, a kernel thread, ...). */
  refusals: { rule: ProcessRule; error: OomctlError }[];
  /** Processes a later rule also reaches, with a different value: the first rule wins. */
  overlaps: { pid: number; comm: string; first: ProcessRule; other: ProcessRule }[];
  /** Kernel threads or pid 1 a rule's name reached: never touched. */
  skipped: { rule: ProcessRule; count: number }[];
}

export function describeRule(rule: ProcessRule): string {
  return `processes[${rule.index}] (line ${rule.line})`;
}

export function ruleQuery(rule: ProcessRule, selfPid: number | undefined): TargetQuery {
  const m = rule.match;
  return {
    target: m.pid !== undefined ? String(m.pid) : (m.name as string),
    exact: m.exact,
    regex: m.regex,
    user: m.user,
    exe: m.exe,
    unit: m.unit,
    cgroup: m.cgroup,
    allMatches: m.allMatches,
    selfPid,
  };
}

/**
 * Whether a process could be reached by a rule, from its name (or pid)
 * alone: what `apply --watch` checks first for every new process before it
 * reads anything else about it.
 */
export function mayMatchRule(rule: ProcessRule, p: Pick<TargetProcess, 'pid' | 'comm' | 'exe'>): boolean {
  if (rule.match.pid !== undefined) return p.pid === rule.match.pid;
  return matchesName(p as TargetProcess, rule.match.name as string, rule.match.exact);
}

export function planProcessRules<P extends RuleTarget>(all: readonly P[], rules: readonly ProcessRule[], selfPid: number | undefined, escape: (s: string) => string): ProcessRulePlan<P> {
  const plan: ProcessRulePlan<P> = { items: [], unmatched: [], refusals: [], overlaps: [], skipped: [] };
  const byPid = new Map<number, PlannedAdj<P>>();
  for (const rule of rules) {
    let matches: P[];
    try {
      const selection = selectTargets(all, ruleQuery(rule, selfPid), escape);
      matches = selection.matches;
      if (selection.skipped.length > 0) plan.skipped.push({ rule, count: selection.skipped.length });
    } catch (error) {
      if (error instanceof NotFoundError) plan.unmatched.push({ rule, reason: error.message });
      else if (error instanceof OomctlError) plan.refusals.push({ rule, error });
      else throw error;
      continue;
    }
    for (const target of matches) {
      const first = byPid.get(target.pid);
      if (first) {
        if (first.to !== rule.oomScoreAdj) plan.overlaps.push({ pid: target.pid, comm: target.comm, first: first.rule, other: rule });
        continue;
      }
      const item = { rule, target, from: target.oomScoreAdj, to: rule.oomScoreAdj };
      byPid.set(target.pid, item);
      plan.items.push(item);
    }
  }
  return plan;
}

export interface UnitPersist {
  unit: string;
  to: number;
  rule: ProcessRule;
}

/**
 * The systemd units whose drop-in (OOMScoreAdjust=) rules with
 * `persist: systemd` set: the services the matched processes run in, and
 * the rule's own `unit:` (so the drop-in is written even before the service
 * first starts). Processes outside a service cannot be persisted.
 */
export function planPersistUnits<P extends RuleTarget>(plan: ProcessRulePlan<P>, rules: readonly ProcessRule[]): { units: UnitPersist[]; notPersisted: PlannedAdj<P>[]; conflicts: string[] } {
  const units = new Map<string, UnitPersist>();
  const notPersisted: PlannedAdj<P>[] = [];
  const conflicts: string[] = [];
  const add = (unit: string, rule: ProcessRule): void => {
    const prev = units.get(unit);
    if (prev === undefined) units.set(unit, { unit, to: rule.oomScoreAdj, rule });
    else if (prev.to !== rule.oomScoreAdj) conflicts.push(`${describeRule(prev.rule)} and ${describeRule(rule)} give ${unit} different values (${prev.to}, ${rule.oomScoreAdj}); a drop-in sets one value per unit`);
  };
  for (const rule of rules) {
    if (rule.persist !== 'systemd') continue;
    if (rule.match.unit !== undefined) {
      const unit = normaliseUnitName(rule.match.unit);
      if (unit.endsWith('.service')) add(unit, rule);
    }
  }
  for (const item of plan.items) {
    if (item.rule.persist !== 'systemd') continue;
    const unit = item.target.unit;
    if (unit === undefined || !unit.endsWith('.service')) notPersisted.push(item);
    else add(unit, item.rule);
  }
  return { units: [...units.values()], notPersisted, conflicts };
}
