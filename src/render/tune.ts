// Human and JSON renderings of protect / unprotect / adj / their --dry-run.

import type { AdjShowResult, ProcessChange, Standing, TuneResult, TuneTarget } from '../core/tune.js';
import type { AdjThresholds } from '../kernel/adjust.js';
import type { Change } from '../kernel/plan.js';
import { changesJson, renderChange } from './plan.js';
import { escapeUntrusted } from './sanitize.js';

function what(t: TuneTarget): string {
  return `pid ${t.pid} (${escapeUntrusted(t.comm)}): oom_score_adj`;
}

/** The plan as data: one change per process whose value changes, one per drop-in. */
export function tuneChanges(r: TuneResult): Change[] {
  const out: Change[] = [];
  for (const c of r.processes) {
    if (c.from === c.to) continue;
    if (r.dryRun || c.status === 'changed') out.push({ what: what(c.target), from: c.from, to: c.to });
  }
  for (const p of r.persist) {
    if (r.dryRun ? p.from !== p.to : p.status === 'written' || p.status === 'removed') {
      out.push({ what: `${p.path}: OOMScoreAdjust`, from: p.from ?? null, to: p.to ?? null });
    }
  }
  return out;
}

function rankText(rank: number | null, killable: number): string {
  return rank === null ? 'never chosen' : `rank ${rank} of ${killable}`;
}

const STATUS_NOTE: Record<string, string> = {
  exited: ' — not changed: the process exited',
  'pid-reused': ' — not changed: the pid now names another process',
  denied: ' — refused by the kernel',
};

function stillNextVictim(after: Standing, thresholds: AdjThresholds | undefined, where: string): string {
  if (after.rank !== 1 || !thresholds) return '';
  const t = thresholds.adjToDropBelowNext;
  return t === null
    ? `\n  still the next victim${where}: only -1000 (unkillable) would change that`
    : `\n  still the next victim${where}: oom_score_adj ${t} or lower would put another process first`;
}

function effectLine(c: ProcessChange, r: TuneResult): string {
  const rb = rankText(c.before.rank, r.killableBefore);
  const ra = rankText(c.after.rank, r.killableAfter);
  let line = `  ${rb} → ${ra}; predicted oom_score ${c.before.predictedOomScore} → ${c.after.predictedOomScore}`;
  line += stillNextVictim(c.after, c.thresholdsAfter, '');
  for (const m of c.memcgs) {
    line += `\n  in memory cgroup ${escapeUntrusted(m.scope.memcg.path)}: ${rankText(m.before.rank, m.killableBefore)} → ${rankText(m.after.rank, m.killableAfter)}`;
    line += stillNextVictim(m.after, m.thresholdsAfter, ' there');
  }
  return line;
}

export function renderTuneHuman(r: TuneResult): string {
  const lines: string[] = [];
  for (const c of r.processes) {
    const note = c.from === c.to ? ' (unchanged)' : STATUS_NOTE[c.status] ?? '';
    const source = c.restoreSource === 'remembered' ? ' (restored: the value before oomctl changed it)'
      : c.restoreSource === 'default' ? ' (no earlier value recorded: the default 0)' : '';
    lines.push(`${renderChange({ what: what(c.target), from: c.from, to: c.to })}${note}${c.status === 'changed' || c.status === 'planned' ? source : ''}`);
    if (c.from !== c.to && (c.status === 'changed' || c.status === 'planned')) lines.push(effectLine(c, r));
  }
  for (const p of r.persist) {
    const change = renderChange({ what: `${p.path}: OOMScoreAdjust`, from: p.from ?? null, to: p.to ?? null });
    const tail = p.status === 'unchanged' || (p.status === 'planned' && p.from === p.to) ? ' (unchanged)'
      : p.status === 'absent' ? ' (no drop-in to remove)'
        : p.to !== undefined ? ' — the unit\'s next start applies it; the running process already has it' : '';
    lines.push(change + tail);
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Lines for stderr: notes, warnings, what happened to systemd. */
export function tuneMessages(r: TuneResult): string[] {
  const out = [...r.warnings, ...r.notes];
  if (r.reload) {
    if (r.reload.outcome === 'reloaded') out.push('ran systemctl daemon-reload');
    else if (r.reload.outcome === 'no-systemd') out.push('systemd is not running here: run "systemctl daemon-reload" where it does before the unit restarts');
    else if (r.reload.outcome === 'other-root') out.push('--root is not /: did not run systemctl daemon-reload');
  }
  if (r.dryRun) out.push('dry run: nothing was written');
  return out;
}

export function tuneJson(r: TuneResult) {
  const changes = tuneChanges(r);
  return {
    ...changesJson(changes.length > 0 && !r.dryRun, changes, r.warnings),
    dry_run: r.dryRun,
    notes: r.notes,
    processes: r.processes.map((c) => ({
      pid: c.target.pid,
      comm: c.target.comm,
      user: c.target.user ?? null,
      uid: c.target.uid ?? null,
      exe: c.target.exe ?? null,
      unit: c.target.unit ?? null,
      owner: c.target.owner ?? null,
      starttime: c.target.ranked.task.record.starttime,
      status: c.status,
      oom_score_adj_before: c.from,
      oom_score_adj_after: c.to,
      restored_from: c.restoreSource ?? null,
      rank_before: c.before.rank,
      rank_after: c.after.rank,
      predicted_oom_score_before: c.before.predictedOomScore,
      predicted_oom_score_after: c.after.predictedOomScore,
      adj_to_drop_below_next: c.thresholdsAfter?.adjToDropBelowNext ?? null,
      memory_cgroups: c.memcgs.map((m) => ({
        cgroup: m.scope.memcg.path,
        totalpages: Number(m.scope.totalpages),
        rank_before: m.before.rank,
        rank_after: m.after.rank,
        killable: m.killableAfter,
        adj_to_drop_below_next: m.thresholdsAfter?.adjToDropBelowNext ?? null,
      })),
    })),
    killable_before: r.killableBefore,
    killable_after: r.killableAfter,
    persist: r.persist.map((p) => ({ unit: p.unit, path: p.path, oom_score_adjust_before: p.from ?? null, oom_score_adjust_after: p.to ?? null, status: p.status })),
    not_persisted: r.notPersisted.map((t) => t.pid),
    daemon_reload: r.reload?.outcome ?? null,
    error: r.error ? { code: r.error.code, message: r.error.message } : null,
  };
}

export function renderAdjShowHuman(r: AdjShowResult): string {
  return r.processes.map(({ target: t, remembered }) => {
    const rank = rankText(t.ranked.rank, r.killable);
    const mem = remembered !== undefined ? `, ${remembered} before oomctl changed it` : '';
    return `pid ${t.pid} (${escapeUntrusted(t.comm)}): oom_score_adj ${t.ranked.task.oomScoreAdj} (${rank}, predicted oom_score ${t.ranked.predictedOomScore}${mem})\n`;
  }).join('');
}

export function adjShowJson(r: AdjShowResult) {
  return {
    killable: r.killable,
    processes: r.processes.map(({ target: t, remembered }) => ({
      pid: t.pid,
      comm: t.comm,
      user: t.user ?? null,
      uid: t.uid ?? null,
      exe: t.exe ?? null,
      unit: t.unit ?? null,
      owner: t.owner ?? null,
      oom_score_adj: t.ranked.task.oomScoreAdj,
      rank: t.ranked.rank,
      predicted_oom_score: t.ranked.predictedOomScore,
      oom_score_adj_before_oomctl: remembered ?? null,
    })),
  };
}
