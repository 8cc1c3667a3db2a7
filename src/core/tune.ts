// `oomctl protect`, `unprotect` and `adj`: set oom_score_adj of the processes
// a TARGET names. read -> plan -> show -> apply: the plan (with the effect on
// the kernel's ranking) is computed first; --dry-run stops there.

import { NotFoundError, OomctlError, PartialError, PermissionError, UsageError } from '../errors.js';
import { DEFAULT_PROTECT_ADJ, legacyOomAdjToScoreAdj, OOM_ADJUST_MAX, OOM_DISABLE } from '../kernel/adj-value.js';
import { computeAdjThresholds, type AdjThresholds } from '../kernel/adjust.js';
import { OOM_SCORE_ADJ_MIN } from '../kernel/badness.js';
import { rankVictims, type RankedTask } from '../kernel/rank.js';
import { ownerWords, selectTargets, type TargetProcess, type TargetQuery } from '../kernel/target.js';
import { systemdCgroupPath, systemdUnitOf } from '../parse/systemd-unit.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { readRememberedAdj } from '../system/adj-memory.js';
import { readOwners } from '../system/owners.js';
import { renderOwnerWarning } from '../render/owner.js';
import { explainAdjDenial, readExe, readSelfCredentials } from '../system/process-identity.js';
import { dropinPath, readDropinAdj, type ReloadOutcome } from '../system/systemd-dropin.js';
import { confirmPlan, decideConfirmation, dryRunConfirmNote } from './confirm.js';
import { dryRunAdjDenial, persistDropins, refuseUnkillable, UNKILLABLE_WARNING, writeAdjChanges, type AdjTarget, type AdjWriteStatus } from './adj-write.js';
import type { CommandContext } from './context.js';
import type { SystemRoot } from '../system/root.js';
import { limitedMemcgsOf, predict, rankInMemcg, type LimitedMemcg, type Prediction, type ProcessCandidate } from './prediction.js';

export type TuneVerb = 'protect' | 'unprotect' | 'adj';

export interface TuneTarget extends TargetProcess {
  ranked: RankedTask<ProcessCandidate>;
}

export interface TuneOptions {
  verb: TuneVerb;
  query: Omit<TargetQuery, 'selfPid'>;
  /** The value to set; undefined: protect's default, unprotect's restore. */
  value: number | undefined;
  force: boolean;
  dryRun: boolean;
  yes: boolean;
  persist: boolean;
  selfPid: number;
  /** Asks the user (only called on a terminal). */
  ask: (question: string) => Promise<boolean>;
}

export interface Standing {
  rank: number | null;
  predictedOomScore: number;
}

export type ProcessStatus = 'planned' | 'changed' | 'unchanged' | 'exited' | 'pid-reused' | 'denied';

export interface ProcessChange {
  target: TuneTarget;
  from: number;
  to: number;
  /** For unprotect: where `to` came from. */
  restoreSource: 'remembered' | 'default' | undefined;
  status: ProcessStatus;
  before: Standing;
  after: Standing;
  /** When the process is still the next victim after the change. */
  thresholdsAfter: AdjThresholds | undefined;
  /** The same effect inside each memory cgroup with a limit on its path, nearest first. */
  memcgs: MemcgEffect[];
}

/** The effect of a change on the ranking an OOM inside one limited memory cgroup makes. */
export interface MemcgEffect {
  scope: LimitedMemcg;
  before: Standing;
  after: Standing;
  killableBefore: number;
  killableAfter: number;
  /** When the process is still the next victim in this cgroup after the change. */
  thresholdsAfter: AdjThresholds | undefined;
}

export type PersistStatus = 'planned' | 'written' | 'unchanged' | 'removed' | 'absent';

export interface PersistChange {
  unit: string;
  path: string;
  from: number | undefined;
  to: number | undefined;
  status: PersistStatus;
}

export interface TuneResult {
  verb: TuneVerb;
  dryRun: boolean;
  prediction: Prediction;
  killableBefore: number;
  killableAfter: number;
  processes: ProcessChange[];
  persist: PersistChange[];
  reload: { outcome: ReloadOutcome; detail: string | undefined } | undefined;
  /** Processes --persist could not cover (not in a systemd service). */
  notPersisted: TuneTarget[];
  warnings: string[];
  notes: string[];
  /** Thrown by cli.ts after the result is shown (exit code for partial or failed changes). */
  error: OomctlError | undefined;
}

function writeItem(c: ProcessChange): { target: AdjTarget; from: number; to: number } {
  const t = c.target;
  return { target: { pid: t.pid, starttime: t.ranked.task.record.starttime, comm: t.comm, uid: t.uid }, from: c.from, to: c.to };
}

function label(t: TargetProcess): string {
  return `pid ${t.pid} (${escapeUntrusted(t.comm)})`;
}

/** Reads every process with what TARGET matching needs. */
export function readTargets(ctx: CommandContext, withOwners = false): { prediction: Prediction; targets: TuneTarget[]; ownerWarnings: string[] } {
  const prediction = predict(ctx.root, { withCgroups: true, cmdline: true });
  // the owner core (unit, container, pod) only when a query needs it: it reads the runtimes' files
  const owners = withOwners ? readOwners(ctx.root, prediction.ranked.map((r) => ({ pid: r.task.pid, cgroups: r.task.record.cgroups }))) : undefined;
  const targets = prediction.ranked.map((ranked): TuneTarget => {
    const r = ranked.task.record;
    return {
      owner: owners?.byPid.get(r.pid)?.owner,
      pid: r.pid,
      comm: r.comm,
      uid: r.uid,
      user: ranked.task.user,
      exe: r.kernelThread ? undefined : readExe(ctx.root, r.pid),
      cmdline: r.cmdline === '' ? undefined : r.cmdline,
      unit: systemdUnitOf(systemdCgroupPath(r.cgroups)),
      cgroupPaths: (r.cgroups ?? []).map((c) => c.path),
      kernelThread: r.kernelThread,
      ranked,
    };
  });
  return { prediction, targets, ownerWarnings: (owners?.warnings ?? []).map(renderOwnerWarning) };
}

/** `changes`: a write reads every owner (a pod's process named by pid or name gets the kubelet warning too). */
export function selectTuneTargets(ctx: CommandContext, query: TuneOptions['query'], selfPid: number, changes = false) {
  const withOwners = changes || query.container !== undefined || query.pod !== undefined || query.unit !== undefined;
  const { prediction, targets, ownerWarnings } = readTargets(ctx, withOwners);
  const selection = selectTargets(targets, { ...query, selfPid }, escapeUntrusted);
  return { prediction, selection, ownerWarnings };
}

/**
 * A pod's processes get their oom_score_adj from the kubelet: it computes it from the pod's QoS
 * class and memory requests and hands it to the runtime, which writes it when each container
 * starts (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go generateLinuxContainerConfig():
 * lc.Resources.OomScoreAdj = qos.GetContainerOOMScoreAdjust(...), commit 02abf34). A value set
 * here lasts until the container restarts.
 */
export function kubeletWarnings(matches: readonly TargetProcess[]): string[] {
  const pods = new Map<string, TargetProcess>();
  for (const t of matches) if (t.owner?.pod_uid != null && !pods.has(t.owner.pod_uid)) pods.set(t.owner.pod_uid, t);
  return [...pods.values()].map((t) => {
    const o = t.owner as NonNullable<TargetProcess['owner']>;
    const qos = o.qos_class ?? 'unknown';
    const how = o.qos_class === 'guaranteed' ? 'it is Guaranteed already (the kubelet gives -997)'
      : o.qos_class === 'besteffort' ? 'BestEffort pods get 1000: give its containers memory requests (Burstable), or requests = limits (Guaranteed, -997)'
        : 'raise its containers\' memory requests (Burstable: 1000 - 1000 x request / node memory), or set requests = limits (Guaranteed, -997)';
    return `${ownerWords(o, escapeUntrusted)} (QoS ${qos}): its oom_score_adj is the kubelet's to set; the kubelet hands it to the runtime, which writes it again when each container (re)starts, so this change lasts only until then; for a lasting change ${how}`;
  });
}

function standingOf(r: RankedTask<ProcessCandidate> | undefined): Standing {
  return { rank: r?.rank ?? null, predictedOomScore: r?.predictedOomScore ?? 0 };
}

/**
 * The effect of the planned values (`tasksAfter`) on the ranking inside each
 * limited memory cgroup on a process's path, as `explain` ranks them there.
 * Each cgroup is ranked once, however many changed processes share it.
 */
function memcgEffectsOf(root: SystemRoot, p: Prediction, tasksAfter: readonly ProcessCandidate[]): (task: ProcessCandidate) => MemcgEffect[] {
  const tasksBefore = p.ranked.map((r) => r.task);
  const rankings = new Map<string, { before: RankedTask<ProcessCandidate>[]; after: RankedTask<ProcessCandidate>[] }>();
  const killable = (ranked: RankedTask<ProcessCandidate>[]): number => ranked.filter((r) => r.rank !== null).length;
  return (task) => limitedMemcgsOf(root, p, task.memcgPath).map((scope): MemcgEffect => {
    let r = rankings.get(scope.memcg.path);
    if (!r) {
      r = { before: rankInMemcg(p, scope, tasksBefore), after: rankInMemcg(p, scope, tasksAfter) };
      rankings.set(scope.memcg.path, r);
    }
    const after = r.after.find((x) => x.task.pid === task.pid);
    return {
      scope,
      before: standingOf(r.before.find((x) => x.task.pid === task.pid)),
      after: standingOf(after),
      killableBefore: killable(r.before),
      killableAfter: killable(r.after),
      thresholdsAfter: after && after.rank === 1 ? computeAdjThresholds(after, r.after, scope.totalpages, p.pageSize, p.kernel) : undefined,
    };
  });
}

/** Hints for values whose size is easy to misjudge. */
export function valueNotes(value: number, p: Prediction): string[] {
  const notes: string[] = [];
  if (value !== 0 && Math.abs(value) < 100) {
    const unitPages = p.globalTotalpages / 1000n;
    const bytes = Number(unitPages * BigInt(Math.abs(value)) * BigInt(p.pageSize));
    const mib = (bytes / 1048576).toFixed(0);
    notes.push(`oom_score_adj runs from -1000 to 1000: ${value} ${value < 0 ? 'lowers' : 'raises'} the badness by ${(Math.abs(value) / 10).toFixed(1)} % of RAM + swap (${mib} MiB here)`);
  }
  if (value >= OOM_DISABLE && value <= OOM_ADJUST_MAX && value !== 0) {
    notes.push(`if you meant the legacy /proc/PID/oom_adj ${value}, that is oom_score_adj ${legacyOomAdjToScoreAdj(value)} (fs/proc/base.c oom_adj_write(): oom_adj * 1000 / 17)`);
  }
  return notes;
}

/** The target value of each process, and the ranking after every planned value is applied at once. */
function planProcessChanges(root: SystemRoot, prediction: Prediction, matches: readonly TuneTarget[], value: number | undefined, verb: TuneVerb, warnings: string[]): { processes: ProcessChange[]; rankedAfter: RankedTask<ProcessCandidate>[] } {
  // Plan: the target value of each process.
  const planned = matches.map((t) => {
    const from = t.ranked.task.oomScoreAdj;
    let to: number;
    let restoreSource: ProcessChange['restoreSource'];
    if (value !== undefined) {
      to = value;
      // protect only ever lowers: it must not weaken a stronger protection (sshd at -1000, say).
      if (verb === 'protect' && from < to) {
        warnings.push(`${label(t)} already has oom_score_adj ${from}, below ${to}: left as it is (use "oomctl adj" to raise it)`);
        to = from;
      }
    } else {
      const remembered = readRememberedAdj(root, t.pid, t.ranked.task.record.starttime);
      to = remembered?.original ?? 0;
      restoreSource = remembered ? 'remembered' : 'default';
    }
    return { target: t, from, to, restoreSource };
  });

  // The ranking after the change, with every planned value applied at once.
  const newAdj = new Map(planned.map((p) => [p.target.pid, p.to]));
  const tasksAfter = prediction.ranked.map((r) => (newAdj.has(r.task.pid) ? { ...r.task, oomScoreAdj: newAdj.get(r.task.pid) as number } : r.task));
  const rankedAfter = rankVictims(tasksAfter, prediction.globalTotalpages, prediction.globalTotalpages, prediction.pageSize, prediction.kernel);
  const afterByPid = new Map(rankedAfter.map((r) => [r.task.pid, r]));
  const memcgEffects = memcgEffectsOf(root, prediction, tasksAfter);
  const processes: ProcessChange[] = planned.map((p) => {
    const after = afterByPid.get(p.target.pid);
    return {
      ...p,
      status: 'planned',
      before: standingOf(p.target.ranked),
      after: standingOf(after),
      // In a partial view (hidepid) rank 1 is not known to be the next victim: no "still the next victim".
      thresholdsAfter: after && after.rank === 1 && !prediction.partial
        ? computeAdjThresholds(after, rankedAfter, prediction.globalTotalpages, prediction.pageSize, prediction.kernel)
        : undefined,
      memcgs: memcgEffects(p.target.ranked.task),
    };
  });
  return { processes, rankedAfter };
}

/** --persist: one drop-in per systemd service among the matches; the others are named in a warning. */
function planDropins(root: SystemRoot, processes: readonly ProcessChange[], verb: TuneVerb, warnings: string[]): { persist: PersistChange[]; notPersisted: TuneTarget[] } {
  const persist: PersistChange[] = [];
  const notPersisted: TuneTarget[] = [];
  {
    const units = new Map<string, number>();
    for (const p of processes) {
      const unit = p.target.unit;
      if (unit === undefined || !unit.endsWith('.service')) { notPersisted.push(p.target); continue; }
      const prev = units.get(unit);
      if (prev !== undefined && prev !== p.to) throw new UsageError(`processes of ${unit} would get different values (${prev}, ${p.to}); --persist sets one value per unit`, 'unprotect them one unit at a time, or without --persist');
      units.set(unit, p.to);
    }
    for (const [unit, to] of units) {
      const from = readDropinAdj(root, unit);
      const remove = verb === 'unprotect';
      persist.push({ unit, path: dropinPath(unit), from, to: remove ? undefined : to, status: 'planned' });
    }
    for (const t of notPersisted) {
      warnings.push(`${label(t)} is not in a systemd service${t.unit ? ` (it runs in ${escapeUntrusted(t.unit)})` : ''}: --persist cannot keep its value past its exit; start it with "oomctl run --adj N -- COMMAND", or from a wrapper script that writes /proc/self/oom_score_adj before exec`);
    }
  }

  return { persist, notPersisted };
}

/** How a run that wrote ends: permission (nothing changed, the kernel refused), not found (all exited), partial. */
function tuneOutcomeError(processes: readonly ProcessChange[], firstDenial: { change: ProcessChange; reason: string; hint: string } | undefined, persistFailed: boolean): OomctlError | undefined {
  // Only a write made counts (as apply counts it): a process that already had the value needed
  // none, so "every write refused" is 4 beside it too (docs/design.md, "Exit codes of the two").
  const changed = processes.filter((c) => c.status === 'changed').length;
  const gone = processes.filter((c) => c.status === 'exited' || c.status === 'pid-reused');
  const denied = processes.filter((c) => c.status === 'denied');
  let error: OomctlError | undefined;
  if (firstDenial && changed === 0 && gone.length === 0) {
    const c = firstDenial.change;
    error = new PermissionError(`cannot set oom_score_adj of ${label(c.target)} from ${c.from} to ${c.to}: ${firstDenial.reason}`, firstDenial.hint);
  } else if (gone.length > 0 && gone.length === processes.length) {
    error = new NotFoundError(`${gone.map((c) => label(c.target)).join(', ')} exited before the write; nothing was changed`);
  } else if (denied.length > 0 || gone.length > 0 || persistFailed) {
    const parts = [
      denied.length > 0 ? `${denied.length} refused by the kernel (${firstDenial?.reason ?? 'permission'})` : '',
      gone.length > 0 ? `${gone.length} exited` : '',
      persistFailed ? 'not everything could be made persistent' : '',
    ].filter(Boolean);
    error = new PartialError(`not all changes were made: ${parts.join('; ')}`);
  }
  return error;
}

export async function runTune(ctx: CommandContext, opts: TuneOptions): Promise<TuneResult> {
  const warnings: string[] = [];
  const notes: string[] = [];
  if (opts.verb === 'protect' && opts.value !== undefined && opts.value > 0) {
    throw new UsageError(`protect lowers oom_score_adj; ${opts.value} would make the processes preferred victims`, `use "oomctl adj TARGET ${opts.value}" to raise it on purpose`);
  }
  const value = opts.verb === 'protect' ? opts.value ?? DEFAULT_PROTECT_ADJ : opts.value;
  refuseUnkillable(value, opts.force, 'oom_score_adj -1000');
  if (value === OOM_SCORE_ADJ_MIN) warnings.push(UNKILLABLE_WARNING);

  const { prediction, selection, ownerWarnings } = selectTuneTargets(ctx, opts.query, opts.selfPid, true);
  warnings.push(...ownerWarnings);
  const matches = selection.matches as TuneTarget[];
  const podWarnings = kubeletWarnings(matches);
  warnings.push(...podWarnings);
  if (selection.skipped.length > 0) {
    warnings.push(`left out ${selection.skipped.length} kernel thread(s) or pid 1 of that name: never touched`);
  }

  const { processes, rankedAfter } = planProcessChanges(ctx.root, prediction, matches, value, opts.verb, warnings);
  if (prediction.partial) warnings.push('the ranks are among the processes visible here: /proc hides or refuses others (hidepid), so the kernel\'s order is not known');
  for (const v of new Set(processes.filter((p) => p.from !== p.to).map((p) => p.to))) notes.push(...valueNotes(v, prediction));

  const { persist, notPersisted } = opts.persist ? planDropins(ctx.root, processes, opts.verb, warnings) : { persist: [], notPersisted: [] };

  // Risky: several processes change, or one becomes unkillable. Nothing to change is never risky.
  const changing = processes.filter((p) => p.from !== p.to);
  // a pod's value is the kubelet's: changing it is risky (confirmation, or --yes), as several processes are
  const podChange = changing.some((c) => c.target.owner?.pod_uid != null);
  const risky = changing.length > 1 || (value === OOM_SCORE_ADJ_MIN && changing.length > 0) || podChange;
  const reason = value === OOM_SCORE_ADJ_MIN ? `oom_score_adj -1000 makes ${changing.length} process(es) unkillable`
    : podChange && changing.length === 1 ? 'the process belongs to a Kubernetes pod, whose oom_score_adj the kubelet sets'
      : podChange ? `${changing.length} processes of Kubernetes pods would change (the kubelet sets their oom_score_adj)` : `${changing.length} processes would change`;
  const confirm = { risky, reason, yes: opts.yes, stdinIsTTY: ctx.stdinIsTTY, stdoutIsTTY: ctx.stdoutIsTTY };
  const decision = decideConfirmation({ ...confirm, dryRun: opts.dryRun });
  const base = { verb: opts.verb, prediction, killableBefore: prediction.ranked.filter((r) => r.rank !== null).length, killableAfter: rankedAfter.filter((r) => r.rank !== null).length, processes, persist, notPersisted, warnings, notes };
  if (decision === 'dry-run') {
    const note = dryRunConfirmNote(confirm);
    if (note) warnings.push(note);
    return { ...base, dryRun: true, reload: undefined, error: dryRunAdjDenial(ctx.root, changing.map(writeItem)) };
  }
  if (decision === 'ask') {
    await confirmPlan({
      changes: changing.map((c) => ({ what: `${label(c.target)}: oom_score_adj`, from: c.from, to: c.to })),
      extra: persist.map((p) => `will ${p.to === undefined ? 'remove' : 'write'} ${p.path}`),
      question: `oomctl: ${reason}. Go ahead?`, notConfirmed: 'cancelled: nothing was changed', warn: ctx.warn, ask: opts.ask,
    });
  }

  // Apply.
  const self = readSelfCredentials();
  let firstDenial: { change: ProcessChange; reason: string; hint: string } | undefined;
  const statuses = writeAdjChanges(ctx.root, processes.map(writeItem), opts.verb === 'unprotect', warnings);
  processes.forEach((c, i) => {
    c.status = statuses[i] as AdjWriteStatus;
    if (c.status === 'denied' && !firstDenial) firstDenial = { change: c, ...explainAdjDenial(self, c.target.uid, c.from, c.to) };
  });

  let reload: TuneResult['reload'];
  let persistFailed = notPersisted.length > 0;
  if (persist.length > 0) {
    const done = persistDropins(ctx.root, persist, warnings);
    reload = done.reload;
    persistFailed ||= done.failed;
  }

  const error = tuneOutcomeError(processes, firstDenial, persistFailed);
  return { ...base, dryRun: false, reload, error };
}

export interface AdjShowResult {
  warnings: string[];
  prediction: Prediction;
  killable: number;
  processes: { target: TuneTarget; remembered: number | undefined }[];
}

/** `oomctl adj TARGET`: the current values; no impostor rule, since nothing changes. */
export function runAdjShow(ctx: CommandContext, query: TuneOptions['query'], selfPid: number): AdjShowResult {
  const { prediction, selection, ownerWarnings } = selectTuneTargets(ctx, { ...query, allMatches: true, readOnly: true }, selfPid);
  return {
    warnings: ownerWarnings,
    prediction,
    killable: prediction.ranked.filter((r) => r.rank !== null).length,
    processes: (selection.matches as TuneTarget[]).map((target) => ({
      target,
      remembered: readRememberedAdj(ctx.root, target.pid, target.ranked.task.record.starttime)?.original,
    })),
  };
}
