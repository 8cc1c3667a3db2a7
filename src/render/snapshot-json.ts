// The fixed snake_case JSON vocabulary shared by every command that shows a
// prediction (documented in docs/json.md). Keys never follow human labels.

import type { RankedTask } from '../kernel/rank.js';
import type { Prediction, ProcessCandidate } from '../core/prediction.js';

export function kernelJson(p: Prediction) {
  return {
    release: p.kernel.release,
    page_size: p.pageSize,
    page_size_source: p.pageSizeFromAuxv ? 'auxv' : 'assumed',
    score_era: p.kernel.era,
    tie_rule: p.kernel.tieRule,
  };
}

export function scopeJson(p: Prediction) {
  const m = p.scope.memcg;
  return {
    type: p.scope.kind,
    cgroup: m ? m.path : null,
    cgroup_version: m ? m.version : null,
    totalpages: Number(p.scope.totalpages),
    totalpages_bytes: Number(p.scope.totalpages * BigInt(p.pageSize)),
    limit_bytes: m ? (m.limits.memoryMaxBytes === 'max' ? null : Number(m.limits.memoryMaxBytes)) : null,
    usage_bytes: m && m.usageBytes !== undefined ? Number(m.usageBytes) : null,
  };
}

export function memoryJson(p: Prediction) {
  const mi = p.meminfo;
  return {
    mem_total_kb: mi.memTotalKb,
    mem_available_kb: mi.memAvailableKb ?? null,
    swap_total_kb: mi.swapTotalKb,
    swap_free_kb: mi.swapFreeKb,
    commit_limit_kb: mi.commitLimitKb ?? null,
    committed_as_kb: mi.committedAsKb ?? null,
    psi: p.pressure
      ? {
          some_avg10: p.pressure.some?.avg10 ?? null,
          some_avg60: p.pressure.some?.avg60 ?? null,
          some_avg300: p.pressure.some?.avg300 ?? null,
          full_avg10: p.pressure.full?.avg10 ?? null,
          full_avg60: p.pressure.full?.avg60 ?? null,
          full_avg300: p.pressure.full?.avg300 ?? null,
        }
      : null,
  };
}

export function processJson(r: RankedTask<ProcessCandidate>, p: Prediction) {
  const t = r.task;
  const points = r.badness.points;
  return {
    rank: r.rank,
    pid: t.pid,
    comm: t.record.comm,
    user: t.user ?? null,
    uid: t.record.uid ?? null,
    oom_score: t.record.oomScore ?? null,
    predicted_oom_score: r.predictedOomScore,
    oom_score_adj: t.oomScoreAdj,
    badness_pages: points === null ? null : Number(points),
    memory_pages: Number(r.badness.memoryPages),
    adj_pages: Number(r.badness.adjPages),
    share_of_totalpages: points === null ? null : Number(points) / Number(p.scope.totalpages),
    rss_anon_kb: t.rssAnonKb,
    rss_file_kb: t.rssFileKb,
    rss_shmem_kb: t.rssShmemKb,
    swap_kb: t.swapKb,
    pgtables_kb: t.pgtablesKb,
    killable: r.badness.points !== null,
    unkillable_reason: r.badness.unkillable,
    oomctl: t.transient === true,
    start_time_ticks: t.record.starttime,
    memory_cgroup: t.memcgPath ?? null,
  };
}
