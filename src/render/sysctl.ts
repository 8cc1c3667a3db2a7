// Human and JSON renderings of `oomctl sysctl`.

import type { ChalkInstance } from 'chalk';
import { stripVTControlCharacters } from 'node:util';
import type { BootSource, SysctlRow, SysctlSetResult, SysctlShowResult } from '../core/sysctl-result.js';
import { KUBELET_TUNABLES, type Finding } from '../kernel/sysctl-catalogue.js';
import type { LoaderName } from '../kernel/sysctl-loaders.js';
import { formatBytes } from './format.js';
import { renderChange } from './plan.js';
import { escapeUntrusted } from './sanitize.js';
import { renderPlainTable } from './table.js';

const LOADER_JSON: Record<LoaderName, string> = { 'systemd-sysctl': 'systemd_sysctl', procps: 'procps' };
const LOADER_LABEL: Record<LoaderName, string> = { 'systemd-sysctl': 'systemd-sysctl', procps: 'sysctl --system' };

function kb(n: number | undefined): string {
  return n === undefined ? '?' : `${n} kB (${formatBytes(n * 1024)})`;
}

/** The boot value, with what the kernel makes of a non-decimal or refused text. */
function bootValue(b: BootSource): string {
  const v = escapeUntrusted(b.value);
  if (b.kernelValue === undefined) return `${v} (refused by the kernel)`;
  return String(b.kernelValue) === b.value ? v : `${v} (= ${b.kernelValue})`;
}

function where(b: BootSource): string {
  const at = `${escapeUntrusted(b.file)}:${b.line}`;
  return b.zeroedBy ? `zeroed by ${b.zeroedBy} at ${at}` : at;
}

function bootCells(r: SysctlRow): [string, string] {
  const s = r.boot['systemd-sysctl'];
  const p = r.boot.procps;
  if (!s && !p) return ['-', '(no file)'];
  if (s && p && s.value === p.value && s.file === p.file && s.zeroedBy === p.zeroedBy) return [bootValue(s), where(s)];
  const one = (l: LoaderName): string => {
    const b = r.boot[l];
    return `${LOADER_LABEL[l]}: ${b ? `${bootValue(b)} (${where(b)})` : '- (no file)'}`;
  };
  return [s && p && s.value === p.value ? bootValue(s) : 'differs', `${one('systemd-sysctl')}; ${one('procps')}`];
}

const MIN_MEANING = 12;

/** MEANING cut to `width` characters, the last one an ellipsis (the catalogue's text is ASCII). */
function ellipsize(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/**
 * `columns`: the terminal's width, when stdout is one. The MEANING column is
 * then cut to make the table fit, down to 12 characters, as systemctl cuts
 * descriptions; piped or redirected, every line is whole.
 */
export function renderSysctlShowHuman(r: SysctlShowResult, chalk: ChalkInstance, columns?: number): string {
  const table = (meaningWidth: number | undefined): string => renderPlainTable(['KEY', 'LIVE', 'MEANING', 'BOOT', 'FROM'], r.rows.map((row) => {
    const [boot, from] = bootCells(row);
    const live = row.live === undefined ? '-' : String(row.live);
    const meaning = meaningWidth === undefined ? row.meaning : ellipsize(row.meaning, meaningWidth);
    return [row.key, row.differsAtBoot.length > 0 ? chalk.yellow(live) : live, meaning, boot, from];
  }), ['left', 'right', 'left', 'right', 'left']);
  let shown = table(undefined);
  if (columns !== undefined && columns > 0) {
    const widest = Math.max(...shown.split('\n').map((l) => stripVTControlCharacters(l).length));
    const longest = Math.max(0, ...r.rows.map((row) => row.meaning.length));
    if (widest > columns && longest > MIN_MEANING) shown = table(Math.max(MIN_MEANING, longest - (widest - columns)));
  }
  let out = shown + '\n';

  const drift = r.rows.filter((row) => row.differsAtBoot.length > 0);
  if (drift.length > 0) {
    out += '\n';
    for (const row of drift) {
      for (const l of row.differsAtBoot) {
        const b = row.boot[l];
        if (!b) continue;
        out += `${chalk.yellow('differs at boot')}: ${row.key} is ${row.live} now; at boot ${LOADER_LABEL[l]} ${b.zeroedBy ? `leaves 0: the kernel zeroes it when ${b.zeroedBy} is written (${escapeUntrusted(b.file)}:${b.line})` : `applies ${bootValue(b)} from ${escapeUntrusted(b.file)}:${b.line}`}\n`;
      }
    }
  }

  const o = r.overcommit;
  out += `\nOvercommit: vm.overcommit_memory=${o.mode ?? '?'}${o.enforced ? ' (strict: CommitLimit is enforced)' : ' (CommitLimit is not enforced; only overcommit_memory=2 enforces it)'}\n`;
  const lines: string[][] = [
    ['CommitLimit', kb(o.commitLimitKb), o.computed ? `= ${o.computed.formula}` : ''],
    ['Committed_AS', kb(o.committedAsKb), ''],
    ['headroom', kb(o.headroomKb), o.headroomKb !== undefined && o.headroomKb < 0 ? (o.enforced ? 'over the limit: allocations fail' : 'over the limit (harmless unless overcommit_memory=2)') : ''],
  ];
  out += renderPlainTable(['', '', ''], lines, ['left', 'right', 'left']).split('\n').slice(1).map((l) => `  ${l}`).join('\n') + '\n';
  if (o.computed && o.commitLimitKb !== undefined && o.computed.kb !== o.commitLimitKb) {
    out += `  (the formula gives ${o.computed.kb} kB; /proc/meminfo says ${o.commitLimitKb} kB)\n`;
  }
  if (r.kubeletPid !== undefined) {
    const sets = Object.entries(KUBELET_TUNABLES).map(([k, v]) => `${k}=${v}`);
    out += `\nkubelet runs (pid ${r.kubeletPid}): it sets ${sets.slice(0, -1).join(', ')} and ${sets.at(-1)} when it starts\n`;
  }
  return out;
}

export function sysctlShowJson(r: SysctlShowResult) {
  return {
    sysctls: r.rows.map((row) => ({
      key: row.key,
      live: row.live ?? null,
      meaning: row.meaning,
      boot: Object.fromEntries((['systemd-sysctl', 'procps'] as LoaderName[]).map((l) => {
        const b = row.boot[l];
        return [LOADER_JSON[l], b ? { value: b.value, kernel_value: b.kernelValue ?? null, file: b.file, line: b.line, zeroed_by: b.zeroedBy ?? null } : null];
      })),
      differs_at_boot: row.differsAtBoot.map((l) => LOADER_JSON[l]),
    })),
    overcommit: {
      overcommit_memory: r.overcommit.mode ?? null,
      enforced: r.overcommit.enforced,
      commit_limit_kb: r.overcommit.commitLimitKb ?? null,
      committed_as_kb: r.overcommit.committedAsKb ?? null,
      headroom_kb: r.overcommit.headroomKb ?? null,
      commit_limit_computed_kb: r.overcommit.computed?.kb ?? null,
      commit_limit_basis: r.overcommit.computed?.basis ?? null,
      commit_limit_formula: r.overcommit.computed?.formula ?? null,
    },
    boot_files: Object.fromEntries((['systemd-sysctl', 'procps'] as LoaderName[]).map((l) => [LOADER_JSON[l], { applied: r.boot[l].applied, masked: r.boot[l].masked }])),
    kubelet_pid: r.kubeletPid ?? null,
  };
}

export function renderFinding(f: Finding): string {
  return `${f.level === 'refusal' ? 'refused' : f.level}: ${f.message}`;
}

export function renderSysctlSetHuman(r: SysctlSetResult): string {
  let out = '';
  if (r.plan.changes.length === 0) out += 'no live change: every value is already set\n';
  for (const c of r.plan.changes) {
    const line = renderChange({ what: `${c.key}:`, from: c.from ?? null, to: c.to });
    out += c.sideEffectOf ? `${line} (set by the kernel when ${c.sideEffectOf} is written)\n` : `${line}\n`;
  }
  if (r.persist) {
    const p = r.persist;
    const verb = p.outcome === 'written' ? 'persisted in' : p.outcome === 'unchanged' ? 'already persisted, unchanged:' : 'would write';
    out += `${verb} ${p.file}\n`;
    for (const k of p.removed) out += `  removed ${k} from it (it would zero the key kept)\n`;
  }
  if (r.dryRun) out += 'dry run: nothing was written\n';
  return out;
}

export function sysctlSetJson(r: SysctlSetResult) {
  return {
    dry_run: r.dryRun,
    applied: r.applied,
    changes: r.plan.changes.map((c) => ({ key: c.key, from: c.from ?? null, to: c.to, side_effect_of: c.sideEffectOf ?? null })),
    warnings: r.findings.map((f) => ({ level: f.level, code: f.code, message: f.message })),
    refusal: r.refusal ?? null,
    persist: r.persist
      ? {
          file: r.persist.file,
          outcome: r.persist.outcome,
          keys: r.persist.keys,
          removed: r.persist.removed,
          overridden_by: r.persist.overriddenBy.map((o) => ({ loader: LOADER_JSON[o.loader], key: o.key, file: o.file, value: o.value })),
        }
      : null,
  };
}

/** After a write in sysctl(8)'s habit: "key = value" per key (procps WriteSetting()), or the values alone (-n). */
export function renderSysctlWritten(assignments: readonly { key: string; value: number }[], valuesOnly: boolean): string {
  return assignments.map((a) => (valuesOnly ? `${a.value}\n` : `${a.key} = ${a.value}\n`)).join('');
}

/** The keys `-p` / `--system` add to the JSON (docs/json.md). */
export function sysctlLoadJson(l: { files: string[]; skippedKeys: string[]; refused: string[] }) {
  return { loaded_files: l.files, skipped_keys: l.skippedKeys, not_applied: l.refused };
}
