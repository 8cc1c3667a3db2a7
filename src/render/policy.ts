// apply / check results as text and as the JSON Ansible modules print:
// {changed, changes: [{what, from, to}], warnings}, plus a few keys of ours.

import type { PolicyResult, WatchEvent } from '../core/policy.js';
import { changesJson, renderChange } from './plan.js';
import { formatEta } from './forecast.js';
import { escapeUntrusted } from './sanitize.js';

export function renderPolicyHuman(r: PolicyResult): string {
  const lines: string[] = [];
  if (r.mode === 'check') {
    if (r.changes.length === 0) lines.push(`the machine matches ${r.file}`);
    else {
      lines.push(`${r.changes.length} difference${r.changes.length === 1 ? '' : 's'} from ${r.file} (live → policy):`);
      for (const c of r.changes) lines.push(`  ${renderChange(c)}`);
    }
  } else if (r.changes.length === 0) {
    lines.push(r.dryRun ? `nothing to change: the machine matches ${r.file}` : `nothing changed: the machine matches ${r.file}`);
  } else {
    lines.push(r.dryRun ? `would change (dry run, nothing written):` : `changed:`);
    for (const c of r.changes) lines.push(`  ${renderChange(c)}`);
  }
  return lines.join('\n') + '\n';
}

/** Lines for stderr: warnings, then notes. */
export function policyMessages(r: PolicyResult): string[] {
  return [...r.warnings.map((w) => `warning: ${w}`), ...r.notes.map((n) => `note: ${n}`)];
}

export function policyJson(r: PolicyResult) {
  return {
    ...changesJson(r.changed, r.changes, r.warnings),
    notes: [...r.notes],
    mode: r.mode,
    file: r.file,
    dry_run: r.dryRun,
    rules: r.rules.map((x) => ({ index: x.index, line: x.line, matched: x.matched })),
  };
}

export function renderWatchEvent(e: WatchEvent, json: boolean): string {
  const time = e.time.toISOString();
  if (e.kind === 'forecast') {
    if (json) return JSON.stringify({ time, on_forecast: { event: e.event, seconds_to_oom: e.seconds, killer: e.killer, victim_pid: e.victimPid, exec: e.argv, pid: e.pid, status: e.status } }) + '\n';
    const cmd = e.argv.map((a) => escapeUntrusted(a)).join(' ');
    const eta = e.seconds === null ? 'none' : formatEta(e.seconds);
    if (e.event === 'run') return `${time} on_forecast: ${e.killer ?? '?'} in ${eta}${e.victimPid === null ? '' : ` (victim pid ${e.victimPid})`}: running ${cmd}${e.pid === null ? '' : ` (pid ${e.pid})`}\n`;
    return `${time} on_forecast: ${cmd}${e.pid === null ? '' : ` (pid ${e.pid})`} ${e.event === 'failed' ? `could not run: ${escapeUntrusted(e.status ?? '')}` : `ended: ${e.status ?? '?'}`}\n`;
  }
  if (json) {
    return JSON.stringify(e.kind === 'change'
      ? { time, what: e.change.what, from: e.change.from, to: e.change.to, rule: e.rule }
      : { time, warning: e.message }) + '\n';
  }
  return e.kind === 'change' ? `${time} ${renderChange(e.change)} (processes[${e.rule}])\n` : `${time} warning: ${e.message}\n`;
}
