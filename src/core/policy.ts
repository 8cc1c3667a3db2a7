// `oomctl apply -f FILE`, `oomctl check -f FILE` and `oomctl apply --watch`:
// a policy file names sysctls and process rules; apply makes the machine
// match it (read -> plan -> show -> apply, with the checks of `sysctl` and
// `protect`), check only compares. See docs/policy.md.

import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, OomctlError, PartialError, PermissionError, UsageError } from '../errors.js';
import { OOM_SCORE_ADJ_MIN } from '../kernel/badness.js';
import type { Change } from '../kernel/plan.js';
import {
  describeRule, mayMatchRule, planPersistUnits, planProcessRules, type PlannedAdj, type ProcessRulePlan, type RuleTarget,
} from '../kernel/policy-plan.js';
import { parsePolicy, type ProcessRule } from '../parse/policy.js';
import { POLICY_VOCABULARY, type CataloguePolicy as Policy } from '../kernel/policy-plan.js';
export type { Policy };
import { systemdCgroupPath, systemdUnitOf } from '../parse/systemd-unit.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { readPolicyFile } from '../system/policy-file.js';
import { explainAdjDenial, readExe, readSelfCredentials } from '../system/process-identity.js';
import { listPids, readProcess, readProcessBrief } from '../system/procfs.js';
import { dropinPath, readDropinAdj } from '../system/systemd-dropin.js';
import { readUserNames } from '../system/system-info.js';
import type { CommandContext } from './context.js';
import { readTargets } from './tune.js';
import { confirmPlan, decideConfirmation, dryRunConfirmNote } from './confirm.js';
import { planSysctlWrite, sysctlRefusalError, writeSysctlPlan, type SysctlWritePlan } from './sysctl-write.js';
import { dryRunAdjDenial, persistDropins, refuseUnkillable, UNKILLABLE_WARNING, writeAdjChanges, writeAdjRemembering } from './adj-write.js';

/** A policy file with problems: cli.ts prints each as FILE:LINE:COL: message. */
export class PolicyInvalidError extends UsageError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was applied`);
    this.problems = problems;
  }
}

export function loadPolicy(file: string): Policy {
  const text = readPolicyFile(file);
  const parsed = parsePolicy(text, POLICY_VOCABULARY);
  const name = file === '-' ? '<stdin>' : file;
  if (!parsed.policy) throw new PolicyInvalidError(name, parsed.problems.map((p) => `${name}:${p.line}:${p.col}: ${p.message}`));
  return parsed.policy;
}

export interface PolicyOptions {
  file: string;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
  selfPid: number;
  ask(question: string): Promise<boolean>;
}

export interface PolicyResult {
  mode: 'apply' | 'check';
  file: string;
  dryRun: boolean;
  /** apply: something was changed (or, with --dry-run, would be); check: the machine drifts. */
  changed: boolean;
  /** apply: what changed (or would); check: each difference, from = live, to = the policy's. */
  changes: Change[];
  warnings: string[];
  notes: string[];
  /** How many processes each rule reaches now. */
  rules: { index: number; line: number; matched: number }[];
  /** Thrown by cli.ts after the result is shown. */
  error: OomctlError | undefined;
  /** Every process read (for --watch to start from); not part of the JSON. */
  snapshot: RuleTarget[] | undefined;
}

function procLabel(t: { pid: number; comm: string }): string {
  return `pid ${t.pid} (${escapeUntrusted(t.comm)})`;
}

function adjChange(item: { target: { pid: number; comm: string }; from: number; to: number }): Change {
  return { what: `${procLabel(item.target)}: oom_score_adj`, from: item.from, to: item.to };
}

function readRuleTargets(ctx: CommandContext): RuleTarget[] {
  const { targets } = readTargets(ctx);
  return targets.map((t) => ({
    pid: t.pid, comm: t.comm, uid: t.uid, user: t.user, exe: t.exe, cmdline: t.cmdline, unit: t.unit,
    cgroupPaths: t.cgroupPaths, kernelThread: t.kernelThread,
    starttime: t.ranked.task.record.starttime, oomScoreAdj: t.ranked.task.oomScoreAdj,
  }));
}

interface Planned {
  sysctl: SysctlWritePlan | undefined;
  sysctlDrift: Change[];
  processes: ProcessRulePlan<RuleTarget> | undefined;
  persist: { unit: string; path: string; from: number | undefined; to: number }[];
  snapshot: RuleTarget[] | undefined;
}

/** Reads what the policy names and plans it; refusals and conflicts throw. */
function planPolicy(ctx: CommandContext, policy: Policy, mode: 'apply' | 'check', selfPid: number, warnings: string[], notes: string[]): Planned {
  const root = ctx.root;
  let sysctl: SysctlWritePlan | undefined;
  const sysctlDrift: Change[] = [];
  if (policy.sysctl.length > 0) {
    // Refusals are judged by apply with --force in view (runPolicyApply), so none is joined here.
    sysctl = planSysctlWrite(root, policy.sysctl.map(({ key, value }) => ({ key, value })), { force: true, nothing: mode === 'apply' ? 'written' : 'checked' });
    const live = sysctl.plan.before;
    for (const a of policy.sysctl) if (live[a.key] !== a.value) sysctlDrift.push({ what: `sysctl ${a.key}`, from: live[a.key] ?? null, to: a.value });
  }

  let processes: ProcessRulePlan<RuleTarget> | undefined;
  let snapshot: RuleTarget[] | undefined;
  const persist: Planned['persist'] = [];
  if (policy.processes.length > 0) {
    snapshot = readRuleTargets(ctx);
    processes = planProcessRules(snapshot, policy.processes, selfPid, escapeUntrusted);
    if (processes.refusals.length > 0) {
      const first = processes.refusals[0] as { rule: ProcessRule; error: OomctlError };
      const message = processes.refusals.map((r) => `${describeRule(r.rule)}: ${r.error.message}`).join('; ');
      throw new OomctlError(`${message}; nothing was ${mode === 'apply' ? 'applied' : 'checked'}`, first.error.exitCode, first.error.code, first.error.hint);
    }
    for (const u of processes.unmatched) {
      const text = `${describeRule(u.rule)}: ${u.reason}`;
      if (mode === 'apply') warnings.push(`${text}: nothing to do now (apply --watch sets it when one starts)`);
      else notes.push(`${text}: not counted as drift`);
    }
    for (const o of processes.overlaps) {
      warnings.push(`${procLabel(o)} is reached by ${describeRule(o.first)} and ${describeRule(o.other)}; the first rule wins (${o.first.oomScoreAdj})`);
    }
    for (const s of processes.skipped) warnings.push(`${describeRule(s.rule)}: left out ${s.count} kernel thread(s) or pid 1 of that name: never touched`);
    const units = planPersistUnits(processes, policy.processes);
    if (units.conflicts.length > 0) throw new UsageError(`${units.conflicts.join('; ')}; nothing was ${mode === 'apply' ? 'applied' : 'checked'}`);
    for (const u of units.units) persist.push({ unit: u.unit, path: dropinPath(u.unit), from: readDropinAdj(root, u.unit), to: u.to });
    for (const n of units.notPersisted) {
      warnings.push(`${procLabel(n.target)} (${describeRule(n.rule)}) is not in a systemd service${n.target.unit ? ` (it runs in ${escapeUntrusted(n.target.unit)})` : ''}: persist: systemd cannot keep its value past its exit`);
    }
  }
  return { sysctl, sysctlDrift, processes, persist, snapshot };
}

function persistChange(p: Planned['persist'][number]): Change {
  return { what: `${p.path}: OOMScoreAdjust`, from: p.from ?? null, to: p.to };
}

function ruleCounts(policy: Policy, plan: ProcessRulePlan<RuleTarget> | undefined): PolicyResult['rules'] {
  return policy.processes.map((r) => ({ index: r.index, line: r.line, matched: plan?.items.filter((i) => i.rule === r).length ?? 0 }));
}

export function runPolicyCheck(ctx: CommandContext, file: string, selfPid: number): PolicyResult {
  const policy = loadPolicy(file);
  const warnings: string[] = [];
  const notes: string[] = [];
  const planned = planPolicy(ctx, policy, 'check', selfPid, warnings, notes);
  const changes: Change[] = [
    ...planned.sysctlDrift,
    ...(planned.processes?.items.filter((i) => i.from !== i.to).map(adjChange) ?? []),
    ...planned.persist.filter((p) => p.from !== p.to).map(persistChange),
  ];
  const error = changes.length > 0
    ? new OomctlError(`the machine differs from ${file} in ${changes.length} place${changes.length === 1 ? '' : 's'}`, ExitCode.FAILURE, 'drift', `oomctl apply -f ${file} makes it match`)
    : undefined;
  return { mode: 'check', file, dryRun: false, changed: changes.length > 0, changes, warnings, notes, rules: ruleCounts(policy, planned.processes), error, snapshot: planned.snapshot };
}

export async function runPolicyApply(ctx: CommandContext, opts: PolicyOptions, policy: Policy = loadPolicy(opts.file)): Promise<PolicyResult> {
  const root = ctx.root;
  const warnings: string[] = [];
  const notes: string[] = [];
  const unkillable = policy.processes.filter((r) => r.oomScoreAdj === OOM_SCORE_ADJ_MIN);
  if (unkillable.length > 0) refuseUnkillable(OOM_SCORE_ADJ_MIN, opts.force, `${unkillable.map(describeRule).join(', ')}: oom_score_adj -1000`, '; nothing was applied');
  const planned = planPolicy(ctx, policy, 'apply', opts.selfPid, warnings, notes);

  // The sysctl checks: refusals stop everything unless --force.
  let refusal: string | undefined;
  if (planned.sysctl) {
    for (const f of planned.sysctl.findings) {
      if (f.level === 'refusal') { if (!opts.force) refusal = refusal ? `${refusal}; ${f.message}` : f.message; else warnings.push(`forced past: ${f.message}`); }
      else if (f.level === 'warning') warnings.push(f.message);
      else notes.push(f.message);
    }
  }
  const sysctlChanges: Change[] = planned.sysctl?.plan.changes.map((c) => ({ what: `sysctl ${c.key}`, from: c.from ?? null, to: c.to })) ?? [];
  const adjItems = planned.processes?.items.filter((i) => i.from !== i.to) ?? [];
  const persistItems = planned.persist.filter((p) => p.from !== p.to);
  const changes = [...sysctlChanges, ...adjItems.map(adjChange), ...persistItems.map(persistChange)];
  const base = { mode: 'apply' as const, file: opts.file, warnings, notes, rules: ruleCounts(policy, planned.processes), snapshot: planned.snapshot };

  if (unkillable.length > 0 && adjItems.some((i) => i.to === OOM_SCORE_ADJ_MIN)) {
    warnings.push(UNKILLABLE_WARNING);
  }
  // Risky: what `sysctl` and `protect` call risky. Nothing to change is never risky.
  const reasons = planned.sysctl ? [...planned.sysctl.risky] : [];
  if (adjItems.length > 1) reasons.push(`${adjItems.length} processes would change`);
  if (adjItems.some((i) => i.to === OOM_SCORE_ADJ_MIN)) reasons.push('oom_score_adj -1000 makes processes unkillable');
  const confirm = { risky: reasons.length > 0, reason: reasons.join('; '), yes: opts.yes, stdinIsTTY: ctx.stdinIsTTY, stdoutIsTTY: ctx.stdoutIsTTY };
  if (opts.dryRun) {
    const note = dryRunConfirmNote(confirm);
    if (note && !refusal) warnings.push(note);
    const error = refusal ? sysctlRefusalError(refusal, true) : dryRunAdjDenial(root, adjItems);
    return { ...base, dryRun: true, changed: changes.length > 0, changes, error };
  }
  if (refusal) throw sysctlRefusalError(refusal, false, '; nothing was applied');
  if (decideConfirmation({ ...confirm, dryRun: false }) === 'ask') {
    await confirmPlan({ changes, question: `oomctl: ${reasons.join('; ')}. Apply?`, notConfirmed: 'not confirmed: nothing was applied', warn: ctx.warn, ask: opts.ask });
  }

  // Apply: sysctls all or nothing first (a failure puts back what was written and stops).
  const done: Change[] = [];
  if (planned.sysctl && writeSysctlPlan(root, planned.sysctl.plan, ctx.warn).applied) done.push(...sysctlChanges);
  const denied: PlannedAdj<RuleTarget>[] = [];
  const statuses = writeAdjChanges(root, adjItems, false, warnings);
  adjItems.forEach((item, i) => {
    const status = statuses[i];
    if (status === 'changed') done.push(adjChange(item));
    else if (status === 'denied') denied.push(item);
    else if (status === 'exited' || status === 'pid-reused') warnings.push(`${procLabel(item.target)} exited before the write: nothing to do for it`);
  });
  const dropins = persistItems.map((p) => ({ unit: p.unit, path: p.path, to: p.to as number | undefined, status: 'planned' }));
  const { failed: persistFailed } = persistDropins(root, dropins, warnings, notes);
  dropins.forEach((d, i) => { if (d.status === 'written' || d.status === 'unchanged') done.push(persistChange(persistItems[i] as Planned['persist'][number])); });

  let error: OomctlError | undefined;
  if (denied.length > 0) {
    const first = denied[0] as PlannedAdj<RuleTarget>;
    const why = explainAdjDenial(readSelfCredentials(), first.target.uid, first.from, first.to);
    const what = `cannot set oom_score_adj of ${procLabel(first.target)} from ${first.from} to ${first.to}${denied.length > 1 ? ` (and ${denied.length - 1} more)` : ''}: ${why.reason}`;
    error = done.length === 0 ? new PermissionError(what, why.hint) : new PartialError(`not all changes were made: ${what}`, why.hint);
  } else if (persistFailed) {
    error = new PartialError('not all changes were made: a systemd drop-in could not be written');
  }
  return { ...base, dryRun: false, changed: done.length > 0, changes: done, error };
}

// --- watch -------------------------------------------------------------------

export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  selfPid: number;
  /** One line per event (cli.ts writes it to stdout). */
  log(event: WatchEvent): void;
  now(): Date;
}

export type WatchEvent =
  | { kind: 'change'; time: Date; change: Change; rule: number }
  | { kind: 'warning'; time: Date; message: string }
  /** on_forecast (core/forecast-watch.ts): its command started, exited, or could not start. */
  | {
    kind: 'forecast'; time: Date; event: 'run' | 'exit' | 'failed'; seconds: number | null; killer: string | null;
    victimPid: number | null; argv: readonly string[]; pid: number | null; status: string | null;
  };

export interface WatchSummary {
  ticks: number;
  changes: number;
}

interface Seen {
  starttime: number;
  comm: string;
  exe: string | undefined;
  /** Seen for the first time in the previous pass: looked at once more, since it may exec after fork. */
  young: boolean;
}

/**
 * Applies the process rules to processes that start after `seed` was read.
 * Each pass lists /proc and reads only pids it has not seen (pid + start
 * time): /proc/PID/stat and the exe link, then, for a process whose name a
 * rule names, what that rule's matchers need. Ends when `signal` aborts.
 */
// Long (~83 lines): one loop whose per-pass state (seen pids, young processes, users) is shared by every step.
export async function runPolicyWatch(ctx: CommandContext, policy: Policy, seed: readonly RuleTarget[], opts: WatchOptions): Promise<WatchSummary> {
  const root = ctx.root;
  const rules = policy.processes;
  if (rules.length === 0 && !policy.onForecast) throw new UsageError('--watch needs process rules or on_forecast: the policy has neither');
  const summary: WatchSummary = { ticks: 0, changes: 0 };
  // on_forecast alone: nothing to watch in /proc here; wait for the stop (core/forecast-watch.ts forecasts).
  if (rules.length === 0) {
    try { await sleep(2 ** 31 - 1, undefined, { signal: opts.signal }); } catch { /* aborted */ }
    return summary;
  }
  const needCgroup = rules.some((r) => r.match.unit !== undefined || r.match.cgroup !== undefined);
  const needCmdline = rules.some((r) => r.match.regex !== undefined);
  let users = readUserNames(root);
  const mayMatch = (p: { pid: number; comm: string; exe: string | undefined }): boolean => rules.some((r) => mayMatchRule(r, p));

  const seen = new Map<number, Seen>();
  const known = new Map<number, RuleTarget>();
  for (const t of seed) {
    seen.set(t.pid, { starttime: t.starttime, comm: t.comm, exe: t.exe, young: false });
    if (!t.kernelThread && mayMatch(t)) known.set(t.pid, t);
  }
  const refusedLogged = new Set<string>();

  while (!opts.signal.aborted) {
    try {
      await sleep(opts.intervalMs, undefined, { signal: opts.signal });
    } catch {
      break; // aborted
    }
    summary.ticks++;
    const pids = listPids(root);
    const live = new Set(pids);
    for (const pid of seen.keys()) {
      if (!live.has(pid)) { seen.delete(pid); known.delete(pid); }
    }
    const fresh: RuleTarget[] = [];
    for (const pid of pids) {
      const before = seen.get(pid);
      if (before && !before.young) continue;
      const brief = readProcessBrief(root, pid);
      if (!brief) continue;
      const exe = brief.kernelThread ? undefined : readExe(root, pid);
      const reused = before !== undefined && before.starttime !== brief.starttime;
      seen.set(pid, { starttime: brief.starttime, comm: brief.comm, exe, young: before === undefined || reused });
      // A second look finds the same program: nothing new.
      if (before && !reused && before.comm === brief.comm && before.exe === exe) continue;
      if (brief.kernelThread || pid === opts.selfPid || !mayMatch({ pid, comm: brief.comm, exe })) { known.delete(pid); continue; }
      const r = readProcess(root, pid, { cgroup: needCgroup, cmdline: needCmdline, oomScore: false });
      if (!r || r.starttime !== brief.starttime) continue;
      if (r.uid !== undefined && !users.has(r.uid)) users = readUserNames(root);
      const target: RuleTarget = {
        pid, comm: r.comm, uid: r.uid, user: r.uid === undefined ? undefined : users.get(r.uid), exe,
        cmdline: r.cmdline === '' ? undefined : r.cmdline, unit: systemdUnitOf(systemdCgroupPath(r.cgroups)),
        cgroupPaths: (r.cgroups ?? []).map((c) => c.path), kernelThread: r.kernelThread,
        starttime: r.starttime, oomScoreAdj: r.oomScoreAdj,
      };
      known.set(pid, target);
      fresh.push(target);
    }
    if (fresh.length === 0) continue;

    const freshPids = new Set(fresh.map((t) => t.pid));
    const plan = planProcessRules([...known.values()], rules, opts.selfPid, escapeUntrusted);
    for (const r of plan.refusals) {
      const touched = fresh.filter((t) => mayMatchRule(r.rule, t));
      if (touched.length === 0) continue;
      const key = `${r.rule.index}:${r.error.message}`;
      if (refusedLogged.has(key)) continue;
      refusedLogged.add(key);
      opts.log({ kind: 'warning', time: opts.now(), message: `${describeRule(r.rule)} not applied to ${touched.map(procLabel).join(', ')}: ${r.error.message}` });
    }
    for (const item of plan.items) {
      if (!freshPids.has(item.target.pid) || item.from === item.to) continue;
      const warnings: string[] = [];
      const status = writeAdjRemembering(root, item.target, item.from, item.to, false, warnings);
      for (const w of warnings) opts.log({ kind: 'warning', time: opts.now(), message: w });
      if (status === 'changed') {
        item.target.oomScoreAdj = item.to;
        summary.changes++;
        opts.log({ kind: 'change', time: opts.now(), change: adjChange(item), rule: item.rule.index });
      } else if (status === 'denied') {
        const why = explainAdjDenial(readSelfCredentials(), item.target.uid, item.from, item.to);
        opts.log({ kind: 'warning', time: opts.now(), message: `cannot set oom_score_adj of ${procLabel(item.target)} from ${item.from} to ${item.to}: ${why.reason}` });
      }
    }
  }
  return summary;
}

/** The help text apply and check share: what a policy file holds. */
export const POLICY_HELP = `
FILE is a policy in YAML or JSON ("-" reads standard input): the sysctls and
the oom_score_adj of process rules (see docs/policy.md, docs/policy.schema.json):
  sysctl:
    vm.panic_on_oom: 0
  processes:
    - match: { name: mysqld, user: mysql }
      oom_score_adj: -500
      persist: systemd`;

/** A policy that does not load lists each of its problems on stderr, before the one-line error. */
export function showPolicyProblems(error: unknown, err: (text: string) => void): void {
  if (error instanceof PolicyInvalidError) {
    for (const line of error.problems) err(`${line}\n`);
  }
}
