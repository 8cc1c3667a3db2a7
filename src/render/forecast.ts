// Human and JSON renderings of `oomctl forecast` (keys in docs/json.md).

import type { ForecastResult, KillerForecast, VictimForecast } from '../core/forecast-result.js';
import type { Growth } from '../kernel/forecast-fit.js';
import type { SeriesForecast } from '../kernel/forecast.js';
import { formatBytes } from './format.js';
import { renderOwnerLabel } from './owner.js';
import { escapeUntrusted } from './sanitize.js';

/** "~4 min 10 s", "~2 h 5 min", "~12 s", "now". */
export function formatEta(seconds: number): string {
  if (seconds < 0.5) return 'now';
  const s = Math.round(seconds);
  if (s < 60) return `~${s} s`;
  if (s < 3600) return `~${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) { const m = Math.round(s / 60); return `~${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`; }
  return `~${(s / 86_400).toFixed(1)} days`;
}

/** Bytes per second the scope grows by (the machine's level falls, so its sign turns). */
export function scopeGrowthBytesPerSecond(s: SeriesForecast): number {
  return s.direction === 'up' ? s.growth.rate : -s.growth.rate;
}

export type ConfidenceLevel = 'high' | 'low' | 'none';

/** How far to trust seconds_to_oom, and why. */
export function confidenceOf(r: ForecastResult): { level: ConfidenceLevel; reason: string } {
  const g = r.first?.series?.growth ?? r.scope.series.growth;
  const reasons: Record<Growth['verdict'], string> = {
    'too-few-samples': 'too few samples for a fit',
    flat: 'nothing grows significantly',
    step: 'a one-off jump, not steady growth',
    noisy: `noisy: the line explains ${((g.fit?.r2 ?? 0) * 100).toFixed(0)} % of the variance`,
    shrinking: 'shrinking',
    growing: 'steady growth',
  };
  if (!r.first) return { level: 'none', reason: reasons[g.verdict] };
  if (r.first.seconds === 0) return { level: 'high', reason: 'already at the threshold' };
  if (g.verdict !== 'growing') return { level: 'low', reason: reasons[g.verdict] };
  // Extrapolating far beyond the window is a guess, however straight the line.
  if ((r.first.seconds ?? 0) > 100 * r.windowSec) return { level: 'low', reason: `projected over more than 100x the ${r.windowSec} s window` };
  return { level: 'high', reason: `steady growth, R² ${(g.fit?.r2 ?? 0).toFixed(3)}` };
}

/** " of unit mysql.service", " of pod shop/api (burstable) api"; " (owner unknown)" when it could not be read; nothing for kind none. */
function ownerWords(v: VictimForecast): string {
  if (v.owner === null) return ' (owner unknown)';
  return v.owner.kind === 'none' ? '' : ` of ${renderOwnerLabel(v.owner)}`;
}

function victimJson(v: VictimForecast | undefined) {
  if (!v) return null;
  const p = v.ranked.badness.points;
  return { pid: v.ranked.task.pid, comm: v.ranked.task.record.comm, owner: v.owner, projected_badness_pages: p === null ? null : Number(p), rank_now: v.rankNow };
}

function seriesJson(s: SeriesForecast | undefined) {
  if (!s) return null;
  const g = s.growth;
  return {
    level_bytes: Math.round(s.level), threshold_bytes: Number.isFinite(s.target) ? Math.round(s.target) : null, direction: s.direction,
    rate_bytes_per_second: g.rate, verdict: g.verdict, r_squared: g.fit ? g.fit.r2 : null,
  };
}

function killerJson(k: KillerForecast) {
  return {
    killer: k.killer, watches: k.watches, rule: k.rule, seconds: k.seconds, forecastable: k.forecastable, counts: k.counts,
    series: seriesJson(k.series), victim: victimJson(k.victim), victim_note: k.victimNote ?? null, note: k.note ?? null,
  };
}

export function forecastJson(r: ForecastResult) {
  const s = r.scope;
  const m = s.memcg;
  const conf = confidenceOf(r);
  const g = s.series.growth;
  const nv = r.nextVictimNow;
  return {
    seconds_to_oom: r.first ? r.first.seconds : null,
    killer: r.first ? r.first.killer : null,
    killer_watches: r.first ? r.first.watches : null,
    victim_at_oom: r.first ? victimJson(r.first.victim) : null,
    next_victim_now: nv ? { pid: nv.task.pid, comm: nv.task.record.comm } : null,
    growth_bytes_per_second: scopeGrowthBytesPerSecond(s.series),
    scope: {
      type: s.kind,
      cgroup: m ? m.path : null,
      requested_cgroup: s.requested ?? null,
      cgroup_version: m ? m.version : null,
      limit_bytes: m && m.limits.memoryMaxBytes !== 'max' ? Number(m.limits.memoryMaxBytes) : null,
      totalpages: Number(s.totalpages),
      level_bytes: Math.round(s.series.level),
      threshold_bytes: Number.isFinite(s.series.target) ? Math.round(s.series.target) : null,
    },
    samples: r.samples.length,
    window_seconds: r.windowSec,
    interval_seconds: r.intervalSec,
    forecast_at: r.forecastAt.toISOString(),
    confidence: { level: conf.level, reason: conf.reason, verdict: g.verdict, r_squared: g.fit ? g.fit.r2 : null },
    top_growers: r.growers.map((x) => ({
      pid: x.candidate.pid, comm: x.candidate.record.comm,
      growth_bytes_per_second: x.growth.rate * 1024,
      memory_bytes: (x.candidate.rssAnonKb + x.candidate.rssFileKb + x.candidate.rssShmemKb + x.candidate.swapKb + x.candidate.pgtablesKb) * 1024,
      verdict: x.growth.verdict, r_squared: x.growth.fit ? x.growth.fit.r2 : null,
    })),
    killers: r.killers.map(killerJson),
    killers_omitted: r.omitted,
    notes: r.notes,
  };
}

export function who(pid: number, comm: string): string {
  return `pid ${pid} ${escapeUntrusted(comm)}`;
}

export function rate(bytesPerSecond: number): string {
  return `${bytesPerSecond >= 0 ? '+' : ''}${formatBytes(bytesPerSecond)}/s`;
}

function scopeName(r: ForecastResult, k: KillerForecast | undefined): string {
  if (k && k.watches !== 'machine' && k.killer === 'kernel') return escapeUntrusted(k.watches);
  if (r.scope.kind === 'memcg' && r.scope.memcg && !k) return `memory cgroup ${escapeUntrusted(r.scope.memcg.path)}`;
  return 'the machine';
}

const KILLER_WORDS: Record<string, string> = {
  kernel: 'the kernel', earlyoom: 'earlyoom', 'systemd-oomd-swap': 'systemd-oomd (swap rule)',
  'systemd-oomd-pressure': 'systemd-oomd (pressure rule)', 'kubelet-eviction': 'the kubelet (eviction)',
};

export function renderForecastHuman(r: ForecastResult): string {
  const out: string[] = [];
  const first = r.first;
  const growth = scopeGrowthBytesPerSecond(first?.series ?? r.scope.series);
  const top = r.growers[0];
  const mostly = top && growth > 0 && top.growth.rate * 1024 >= growth / 2 ? `, mostly ${who(top.candidate.pid, top.candidate.record.comm)}` : '';
  const nv = r.nextVictimNow;
  const nextNow = nv ? `next victim now: ${who(nv.task.pid, nv.task.record.comm)}` : 'no killable process now';
  if (!first) {
    const conf = confidenceOf(r);
    out.push(`${scopeName(r, undefined)}: no OOM kill forecast (${conf.reason}; ${rate(growth)} over ${r.windowSec} s); ${nextNow}`);
  } else {
    const sec = first.seconds as number;
    const when = sec === 0 ? 'has run out' : `runs out in ${formatEta(sec)}`;
    const v = first.victim;
    const then = v
      ? `${KILLER_WORDS[first.killer]} would then kill ${who(v.ranked.task.pid, v.ranked.task.record.comm)}${ownerWords(v)} (now rank ${v.rankNow ?? '-'})`
      : `${KILLER_WORDS[first.killer]} acts then${first.victimNote ? ` (${first.victimNote})` : ''}`;
    out.push(`${scopeName(r, first)} ${when} (${rate(growth)}${mostly}); ${then}; ${nextNow}`);
    out.push(`confidence: ${confidenceOf(r).level} (${confidenceOf(r).reason}), ${r.samples.length} samples over ${r.windowSec} s`);
  }
  out.push('');
  out.push('killers:');
  for (const k of r.killers) {
    const eta = k.seconds === null ? (k.forecastable ? 'not forecast' : 'not forecastable') : formatEta(k.seconds);
    const victim = k.victim ? `, then ${who(k.victim.ranked.task.pid, k.victim.ranked.task.record.comm)}${ownerWords(k.victim)}` : '';
    out.push(`  ${KILLER_WORDS[k.killer]} (${escapeUntrusted(k.watches)}): ${eta}${victim}`);
    out.push(`    ${escapeUntrusted(k.rule)}${k.note ? `; ${escapeUntrusted(k.note)}` : ''}`);
  }
  for (const o of r.omitted) out.push(`  ${KILLER_WORDS[o.killer]}: ${o.reason}`);
  if (r.growers.length > 0) {
    out.push('');
    out.push('growing:');
    for (const g of r.growers) {
      const t = g.candidate;
      out.push(`  ${who(t.pid, t.record.comm)}: ${rate(g.growth.rate * 1024)} (${g.growth.verdict}, R² ${(g.growth.fit?.r2 ?? 0).toFixed(2)}), now ${formatBytes((t.rssAnonKb + t.rssFileKb + t.rssShmemKb + t.swapKb + t.pgtablesKb) * 1024)}`);
    }
  }
  return out.join('\n') + '\n';
}
