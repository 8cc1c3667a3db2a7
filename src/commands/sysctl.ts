// `oomctl sysctl`: show the OOM sysctls (live, meaning, what boot applies and
// from which file, the overcommit picture), or set them: validate every pair,
// plan, check, confirm, write all or nothing, and optionally persist.

import { NotFoundError, OomctlError, PartialError, UnsupportedError, UsageError } from '../errors.js';
import type { Change } from '../kernel/plan.js';
import {
  SYSCTL_KEYS,
  checkAssignments,
  computeCommitLimit,
  describeSysctlValue,
  normalizeSysctlKey,
  parseKernelInteger,
  validateSysctlValue,
  type Assignment,
  type SysctlKey,
  type SysctlPlan,
  type SysctlValues,
} from '../kernel/sysctl-catalogue.js';
import { computeBootValues, type BootValues, type LoaderName, type SysctlListing } from '../kernel/sysctl-loaders.js';
import { parseSysctlConf, rewriteSysctlConf } from '../parse/sysctl-conf.js';
import { readIfExists } from '../system/atomic-write.js';
import { findKubelet, readLiveSysctls, readSysctlListing } from '../system/sysctl.js';
import { readMemoryFacts } from '../system/system-info.js';
import type { SystemRoot } from '../system/root.js';
import { confirmPlan, decideConfirmation, dryRunConfirmNote } from '../core/confirm.js';
import { planSysctlWrite, sysctlRefusalError, writeSysctlPlan } from '../core/sysctl-write.js';
import type { CommandContext } from '../core/context.js';
import type { CommandModule } from '../core/command.js';
import * as render from '../render/sysctl.js';
import { escapeUntrusted } from '../render/sanitize.js';
import type { BootSource, SysctlRow, OvercommitPicture, SysctlShowResult, PersistOverride, PersistResult, SysctlSetResult } from '../core/sysctl-result.js';
export type { BootSource, SysctlRow, OvercommitPicture, SysctlShowResult, PersistOverride, PersistResult, SysctlSetResult };

export const PERSIST_DIR = '/etc/sysctl.d';
export const PERSIST_NAME = '60-oomctl.conf';
export const PERSIST_FILE = `${PERSIST_DIR}/${PERSIST_NAME}`;
const LOADERS: LoaderName[] = ['systemd-sysctl', 'procps'];

// --- show ----------------------------------------------------------------------



function bootOf(listing: SysctlListing): Record<LoaderName, BootValues> {
  return {
    'systemd-sysctl': computeBootValues(listing, 'systemd-sysctl', SYSCTL_KEYS),
    procps: computeBootValues(listing, 'procps', SYSCTL_KEYS),
  };
}

export function runSysctlShow(ctx: CommandContext, only: readonly SysctlKey[] = []): SysctlShowResult {
  const root = ctx.root;
  const live = readLiveSysctls(root);
  if (Object.keys(live).length === 0) {
    throw new UnsupportedError(`cannot read any OOM sysctl under ${root.path('/proc/sys')}`, 'is /proc mounted (or does --root point at a captured tree)?');
  }
  const boot = bootOf(readSysctlListing(root));
  const rows: SysctlRow[] = [];
  for (const key of SYSCTL_KEYS) {
    if (only.length > 0 && !only.includes(key)) continue;
    const b = {} as Record<LoaderName, BootSource | undefined>;
    const differs: LoaderName[] = [];
    for (const l of LOADERS) {
      const v = boot[l].values.get(key);
      const kernelValue = v ? parseKernelInteger(key, v.final.value) : undefined;
      b[l] = v ? { value: v.final.value, file: v.final.file, line: v.final.lineNo, zeroedBy: v.zeroedBy, kernelValue } : undefined;
      // A text the kernel refuses leaves the value as it was: not counted as a difference.
      if (v && live[key] !== undefined && kernelValue !== undefined && kernelValue !== live[key]) differs.push(l);
    }
    rows.push({ key, live: live[key], meaning: describeSysctlValue(key, live[key], live), boot: b, differsAtBoot: differs });
  }
  const mem = readMemoryFacts(root);
  const mode = live['vm.overcommit_memory'];
  const computed = mem && live['vm.overcommit_ratio'] !== undefined ? computeCommitLimit(mem, live['vm.overcommit_ratio'], live['vm.overcommit_kbytes'] ?? 0) : undefined;
  const limit = mem?.commitLimitKb ?? computed?.kb;
  const committed = mem?.committedAsKb;
  return {
    rows,
    overcommit: {
      mode,
      enforced: mode === 2,
      commitLimitKb: limit,
      committedAsKb: committed,
      headroomKb: limit !== undefined && committed !== undefined ? limit - committed : undefined,
      computed,
    },
    boot,
    kubeletPid: findKubelet(root),
  };
}

// --- set -------------------------------------------------------------------------

export interface SysctlSetOptions {
  persist: boolean;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
}

/** "KEY=VALUE" arguments -> assignments; every bad pair is reported at once. */
export function parseAssignments(args: readonly string[]): Assignment[] {
  const problems: string[] = [];
  const out: Assignment[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      problems.push(`"${arg}" is not KEY=VALUE`);
      continue;
    }
    const rawKey = arg.slice(0, eq);
    const key = normalizeSysctlKey(rawKey);
    if (!key) {
      problems.push(`unknown key "${rawKey}" (oomctl sets only ${SYSCTL_KEYS.join(', ')})`);
      continue;
    }
    const check = validateSysctlValue(key, arg.slice(eq + 1));
    if (!check.ok) {
      problems.push(`${key}: ${check.reason}`);
      continue;
    }
    out.push({ key, value: check.value });
  }
  if (problems.length > 0) throw new UsageError(`nothing written: ${problems.join('; ')}`);
  const conflict = checkAssignments(out);
  if (conflict) throw new UsageError(`nothing written: ${conflict}`);
  return out;
}

/** Change lines as `vm.panic_on_oom: 0 → 1`. */
export function planChanges(plan: SysctlPlan): Change[] {
  return plan.changes.map((c) => ({ what: `${c.key}:`, from: c.from ?? null, to: c.to }));
}

/**
 * The file's new text: the assigned keys with their values, and at most one
 * of overcommit_ratio / overcommit_kbytes (the one in effect after this run),
 * since a boot-time write of either zeroes the other.
 */
function planPersist(root: SystemRoot, assignments: readonly Assignment[], after: SysctlValues, listing: SysctlListing) {
  const current = readIfExists(root.path(PERSIST_FILE));
  const updates = new Map<string, string>();
  const removed: string[] = [];
  const pair: SysctlKey[] = ['vm.overcommit_ratio', 'vm.overcommit_kbytes'];
  for (const a of assignments) if (!pair.includes(a.key)) updates.set(a.key, String(a.value));
  const remove = new Set<string>();
  if (assignments.some((a) => pair.includes(a.key))) {
    const kb = after['vm.overcommit_kbytes'] ?? 0;
    const keep: SysctlKey = kb !== 0 ? 'vm.overcommit_kbytes' : 'vm.overcommit_ratio';
    const drop: SysctlKey = keep === 'vm.overcommit_kbytes' ? 'vm.overcommit_ratio' : 'vm.overcommit_kbytes';
    updates.set(keep, String(after[keep] ?? 0));
    remove.add(drop);
    if (current !== undefined && parseSysctlConf(current).some((l) => l.kind === 'assignment' && l.key === drop)) removed.push(drop);
  }
  const next = rewriteSysctlConf(current, updates, remove);

  // Boot, with this file as it will be: does a later file win for a key?
  const ours = listing.files.filter((f) => !(f.dir === PERSIST_DIR && f.name === PERSIST_NAME));
  ours.push({ dir: PERSIST_DIR, name: PERSIST_NAME, isFile: true, content: next });
  const boot = bootOf({ files: ours, etcSysctlConf: listing.etcSysctlConf });
  const overriddenBy: PersistOverride[] = [];
  for (const l of LOADERS) {
    for (const key of [...updates.keys(), ...remove]) {
      const v = boot[l].values.get(key);
      if (v && v.final.file !== PERSIST_FILE) overriddenBy.push({ loader: l, key, file: v.final.file, value: v.final.value });
    }
  }
  return { current, next, updates, removed, overriddenBy };
}

export interface SetDeps {
  /** Asks a yes/no question on the terminal. */
  ask(question: string): Promise<boolean>;
}

export async function runSysctlSet(ctx: CommandContext, args: readonly string[], opts: SysctlSetOptions, deps: SetDeps): Promise<SysctlSetResult> {
  const assignments = parseAssignments(args);
  const root = ctx.root;
  const { plan, findings, risky: reasons, refusal } = planSysctlWrite(root, assignments, { force: opts.force });

  let persist: PersistResult | undefined;
  let persistText: string | undefined;
  if (opts.persist) {
    const p = planPersist(root, assignments, plan.after, readSysctlListing(root));
    persistText = p.next;
    persist = {
      file: PERSIST_FILE,
      outcome: p.current === p.next ? 'unchanged' : 'would-write',
      keys: Object.fromEntries(p.updates),
      removed: p.removed,
      overriddenBy: p.overriddenBy,
    };
    for (const o of p.overriddenBy) {
      findings.push({ level: 'warning', code: 'persist-overridden', message: `at boot ${o.loader} applies ${o.key} = ${o.value} from ${o.file}, which comes later than ${PERSIST_FILE}` });
    }
  }

  const result: SysctlSetResult = { dryRun: opts.dryRun, plan, changes: planChanges(plan), findings, applied: false, findingsShown: false, refusal, persist };
  const confirm = { risky: reasons.length > 0, reason: reasons.join('; '), yes: opts.yes, stdinIsTTY: ctx.stdinIsTTY, stdoutIsTTY: ctx.stdoutIsTTY };
  if (opts.dryRun) {
    const note = refusal ? undefined : dryRunConfirmNote(confirm);
    if (note) findings.push({ level: 'warning', code: 'needs-yes', message: note });
    return result;
  }
  if (refusal) throw sysctlRefusalError(refusal, false);

  if (decideConfirmation({ ...confirm, dryRun: false }) === 'ask') {
    result.findingsShown = true;
    await confirmPlan({
      changes: result.changes, extra: findings.map((f) => `${f.level}: ${f.message}`),
      question: `${reasons.join('; ')}. Apply?`, notConfirmed: 'not confirmed: nothing written', warn: ctx.warn, ask: deps.ask,
    });
  }

  const written = writeSysctlPlan(root, plan, ctx.warn, persist && persistText !== undefined ? { file: PERSIST_FILE, text: persistText } : undefined);
  result.applied = written.applied;
  if (persist && written.persisted !== undefined) persist.outcome = written.persisted;
  return result;
}

/** The error `--dry-run` ends with when the change would be refused. */
export function dryRunRefusal(result: SysctlSetResult): OomctlError | undefined {
  return result.refusal ? sysctlRefusalError(result.refusal, true) : undefined;
}

// --- sysctl(8) habits: -w, -n, -p [FILE], --system ------------------------------

/** What `-p FILE...` or `--system` would write of the OOM sysctls, and what it leaves to sysctl(8). */
export interface LoadedSettings {
  /** Files in the order they are read (for --system, as procps' PreloadSystem() prints them). */
  files: string[];
  /** KEY=VALUE for runSysctlSet, in catalogue order. */
  assignments: string[];
  /** Keys set in the files that are not OOM sysctls: skipped (sysctl(8) sets those). */
  skippedKeys: string[];
  /** OOM keys whose value the kernel would refuse: "key = value: why". */
  refused: string[];
}

/**
 * The OOM sysctls that loading `listing` leaves, by the loaders' own model
 * (kernel/sysctl-loaders.ts: last assignment wins, globs, excludes, and the
 * ratio/kbytes pair, whose zeroed half is not written: writing the other
 * zeroes it, as at boot).
 */
export function loadSettings(listing: SysctlListing, files: string[]): LoadedSettings {
  const boot = computeBootValues(listing, 'procps', SYSCTL_KEYS);
  const assignments: string[] = [];
  const refused: string[] = [];
  for (const key of SYSCTL_KEYS) {
    const v = boot.values.get(key);
    if (!v || v.zeroedBy) continue;
    const check = validateSysctlValue(key, v.final.value);
    if (check.ok) assignments.push(`${key}=${check.value}`);
    else refused.push(`${key} = ${v.final.value}: ${check.reason}`);
  }
  const skipped = new Set<string>();
  const texts = [...listing.files.filter((f) => f.isFile).map((f) => f.content), listing.etcSysctlConf];
  for (const text of texts) {
    if (text === undefined) continue;
    for (const line of parseSysctlConf(text)) {
      if (line.kind === 'assignment' && !line.isGlob && !(SYSCTL_KEYS as readonly string[]).includes(line.key)) skipped.add(line.key);
    }
  }
  return { files, assignments, skippedKeys: [...skipped], refused };
}

/** `-p [FILE...]`: the files read as procps' Preload() reads them, one after the other (default /etc/sysctl.conf under --root). */
function readLoadFiles(root: SystemRoot, files: readonly string[]): LoadedSettings {
  const names = files.length > 0 ? [...files] : [root.path('/etc/sysctl.conf')];
  const texts = names.map((f) => {
    const text = readIfExists(f);
    if (text === undefined) throw new NotFoundError(`cannot open "${f}": no such file`);
    return text;
  });
  return loadSettings({ files: [], etcSysctlConf: texts.join('\n') }, files.length > 0 ? [...files] : ['/etc/sysctl.conf']);
}

/** `--system`: what `sysctl --system` (procps) would apply at boot, from the files under --root. */
function readSystemSettings(root: SystemRoot): LoadedSettings {
  const listing = readSysctlListing(root);
  return loadSettings(listing, computeBootValues(listing, 'procps', SYSCTL_KEYS).applied);
}

/** A KEY alone (show mode): its dotted name, or a usage error. */
export function normalizeKeyArg(arg: string): SysctlKey {
  const key = normalizeSysctlKey(arg);
  if (!key) throw new UsageError(`unknown key "${arg}" (oomctl knows ${SYSCTL_KEYS.join(', ')})`);
  return key;
}

export const command: CommandModule = {
  name: 'sysctl',
  summary: 'show, explain, check, set and persist the OOM sysctls',
  configure(cmd) {
    cmd
      .argument('[KEY=VALUE...]', 'values to set (vm.panic_on_oom=1, vm/panic_on_oom=1 or panic_on_oom=1); KEYs alone show only those')
      .option('--persist', 'also write /etc/sysctl.d/60-oomctl.conf so boot applies the values', false)
      .option('--dry-run', 'print the plan and the checks, write nothing', false)
      .option('--yes', 'apply a risky change without asking (needed without a terminal)', false)
      .option('--force', 'apply a change the checks refuse (e.g. overcommit_memory=2 below Committed_AS)', false)
      .option('-w, --write', 'as sysctl(8): every argument is KEY=VALUE; prints "key = value" for each', false)
      .option('-n, --values', 'as sysctl(8): print values only (reading KEYs, or after a write)', false)
      .option('-p, --load [file]', 'as sysctl(8): load the OOM sysctls of FILE (and of FILE arguments; default /etc/sysctl.conf); other keys are skipped and named')
      .option('--system', 'as sysctl(8) --system: apply the OOM sysctls the sysctl.d files and /etc/sysctl.conf set at boot (procps order)', false)
      .addHelpText('after', `
Examples:
  oomctl sysctl                          live values, meaning, boot values and their files
  oomctl sysctl vm.oom_dump_tasks=1      set one value now
  oomctl sysctl panic_on_oom=1 kernel.panic=10 --persist --yes
  oomctl sysctl vm.overcommit_memory=2 --dry-run --json
  oomctl sysctl -n vm.panic_on_oom        the value alone, as sysctl -n
  oomctl sysctl -p /etc/sysctl.d/90-oom.conf --yes
  oomctl sysctl --system --dry-run        what boot would set, without setting it`);
  },
  async run(ctx, [a], o) {
    const args = a as string[];
    const opts = o as unknown as SysctlSetOptions & { write: boolean; values: boolean; load?: string | true; system: boolean };
    const json = ctx.globals.json;
    const habit = opts.write || opts.values || opts.load !== undefined || opts.system;
    let loaded: LoadedSettings | undefined;
    if (opts.load !== undefined || opts.system) {
      if (opts.load !== undefined && opts.system) throw new UsageError('-p and --system cannot be used together');
      if (opts.system && args.length > 0) throw new UsageError('--system takes no arguments');
      loaded = opts.system ? readSystemSettings(ctx.root) : readLoadFiles(ctx.root, [...(typeof opts.load === 'string' ? [opts.load] : []), ...args]);
      if (!json && opts.system) for (const f of loaded.files) ctx.out(`* Applying ${escapeUntrusted(f)} ...\n`);
      if (loaded.skippedKeys.length > 0) {
        ctx.warn(`skipped ${loaded.skippedKeys.length} key${loaded.skippedKeys.length === 1 ? '' : 's'} that oomctl does not set (${loaded.skippedKeys.slice(0, 3).map(escapeUntrusted).join(', ')}${loaded.skippedKeys.length > 3 ? ', …' : ''}): sysctl(8) sets those`);
      }
      for (const r of loaded.refused) ctx.warn(`not applied: ${escapeUntrusted(r)}`);
      if (loaded.assignments.length === 0) {
        if (json) ctx.emitJson({ ...render.sysctlLoadJson(loaded), changes: [], applied: false });
        else ctx.warn(`no OOM sysctl to apply in ${loaded.files.length === 0 ? 'the boot files' : loaded.files.map(escapeUntrusted).join(', ')}`);
        if (loaded.refused.length > 0) throw new UsageError(`nothing written: ${loaded.refused.length} value${loaded.refused.length === 1 ? '' : 's'} the kernel would refuse`);
        return;
      }
    }
    const setArgs = loaded ? loaded.assignments : args;
    if (opts.write && setArgs.some((x) => !x.includes('='))) throw new UsageError(`-w needs KEY=VALUE, not "${setArgs.find((x) => !x.includes('='))}"`);
    const setting = setArgs.some((x) => x.includes('='));
    if (!setting) {
      if (opts.persist || opts.dryRun || opts.force) throw new UsageError('--persist, --dry-run and --force need KEY=VALUE pairs');
      const only = args.map((x) => normalizeKeyArg(x));
      if (opts.values) {
        // sysctl -n KEY...: each value on its own line (procps ReadSetting() with PrintName off)
        if (only.length === 0) throw new UsageError('-n needs KEYs (sysctl -n prints the values of the keys named)');
        const live = readLiveSysctls(ctx.root);
        const missing = only.filter((k) => live[k] === undefined);
        if (missing.length > 0) throw new UnsupportedError(`cannot read ${missing.map((k) => ctx.root.path('/proc/sys/' + k.replace(/\./g, '/'))).join(', ')}`);
        if (json) ctx.emitJson(Object.fromEntries(only.map((k) => [k, live[k]])));
        else ctx.out(only.map((k) => `${live[k]}\n`).join(''));
        return;
      }
      const result = runSysctlShow(ctx, only);
      if (json) ctx.emitJson(render.sysctlShowJson(result));
      else ctx.out(render.renderSysctlShowHuman(result, ctx.chalk(), ctx.columns));
      ctx.reportDenied();
      return;
    }
    const { askYesNo } = await import('../system/prompt.js');
    const result = await runSysctlSet(ctx, setArgs, opts, { ask: askYesNo });
    const refused = dryRunRefusal(result);
    if (json) ctx.emitJson(loaded ? { ...render.sysctlSetJson(result), ...render.sysctlLoadJson(loaded) } : render.sysctlSetJson(result));
    else {
      // A dry run that ends in "would refuse: ..." says the refusal once, in that error.
      const shown = refused ? result.findings.filter((f) => f.level !== 'refusal') : result.findings;
      if (!result.findingsShown) for (const f of shown) ctx.warn(render.renderFinding(f));
      if (habit) {
        // sysctl(8)'s own lines (procps WriteSetting(): "key = value", or the value alone with -n)
        ctx.out(render.renderSysctlWritten(parseAssignments(setArgs), opts.values));
        if (result.dryRun) ctx.warn('dry run: nothing was written');
      } else {
        ctx.out(render.renderSysctlSetHuman(result));
      }
    }
    if (refused) throw refused;
    if (loaded && loaded.refused.length > 0 && !result.dryRun) {
      throw new PartialError(`${loaded.refused.length} value${loaded.refused.length === 1 ? '' : 's'} not applied (the kernel would refuse ${loaded.refused.length === 1 ? 'it' : 'them'}); the others are set`);
    }
  },
};
