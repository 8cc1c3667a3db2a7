// Human and JSON renderings of `oomctl explain`.

import type { ChalkInstance } from 'chalk';
import type { ExplainResult, Explanation, ScopeStanding } from '../core/explain-result.js';
import type { Prediction } from '../core/prediction.js';
import { kbToPages } from '../kernel/badness.js';
import { formatBytes, formatPercent } from './format.js';
import { escapeUntrusted } from './sanitize.js';
import { kernelJson } from './snapshot-json.js';
import { partialViewJson, partialViewText } from './partial-view.js';
import { renderOwnerLabel } from './owner.js';
import type { PodAdjNote } from '../kernel/kubelet.js';
import type { QosClass } from '../parse/owner.js';

function podAdjJson(n: PodAdjNote | undefined) {
  if (!n) return null;
  const m = n.meaning;
  return {
    meaning: m.kind,
    matches_qos: n.matchesQos,
    expected_adj: n.expectedAdj,
    request_min_bytes: m.kind === 'burstable' ? Number(m.minBytes) : null,
    request_max_bytes: m.kind === 'burstable' && m.maxBytes !== null ? Number(m.maxBytes) : null,
  };
}

const QOS_NAME: Record<QosClass, string> = { guaranteed: 'Guaranteed', burstable: 'Burstable', besteffort: 'BestEffort' };

/** What the kubelet's adj says (pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust(), v1.15+ rules). */
export function podAdjLines(adj: number, qos: QosClass, n: PodAdjNote, capacityBytes: bigint): string[] {
  const m = n.meaning;
  const cls = QOS_NAME[qos];
  const src = '(pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust(), v1.15+; capacity = MemTotal ' + formatBytes(capacityBytes) + ')';
  const out: string[] = [];
  if (m.kind === 'burstable') {
    const range = m.maxBytes === null ? `at least ${formatBytes(m.minBytes)}` : `${formatBytes(m.minBytes)} to ${formatBytes(m.maxBytes)}`;
    out.push(`  kubelet: oom_score_adj ${adj} = 1000 - 1000·request/capacity: a memory request of ${range} ${src}`);
    // policy.go GetContainerOOMScoreAdjust(), PodLevelResources (v1.32+): req + remainingPodMemReqPerContainer(pod).
    out.push('  with pod-level requests (PodLevelResources, kubelet 1.32+: 1000 - 1000·(request + remainingPodMemReqPerContainer)/capacity, policy.go) that amount is the container\'s request plus its share of the pod\'s remainder; which rule applies is in the pod spec, not on disk');
  } else if (m.kind === 'guaranteed') {
    out.push(`  kubelet: oom_score_adj ${adj} is what it gives Guaranteed and node-critical pods ${src}`);
  } else if (m.kind === 'besteffort') {
    out.push(`  kubelet: oom_score_adj ${adj} is what it gives BestEffort pods ${src}`);
  } else if (m.kind === 'kubelet-or-kube-proxy') {
    out.push(`  kubelet: oom_score_adj ${adj} is the kubelet's and kube-proxy's own, not a pod's ${src}`);
  } else {
    out.push(`  kubelet: no QoS class gives oom_score_adj ${adj}: set by hand, by the runtime (the pod sandbox), or by a rule oomctl does not know ${src}`);
  }
  if (m.kind !== 'impossible' && !n.matchesQos) {
    out.push(`  but the cgroup path says ${cls}${n.expectedAdj !== null ? `, whose adj is ${n.expectedAdj}` : ''}: the adj was not set by the kubelet for this class`);
  }
  return out;
}

const WHY_UNKILLABLE: Record<string, string> = {
  init: 'it is init (pid 1): the kernel never chooses it (mm/oom_kill.c oom_unkillable_task())',
  'kernel-thread': 'it is a kernel thread: the kernel never chooses it (mm/oom_kill.c oom_unkillable_task())',
  'no-memory': 'it has no memory of its own (a zombie or an exiting process): nothing to free',
  'oom-score-adj-min': 'its oom_score_adj is -1000 (OOM_SCORE_ADJ_MIN): the kernel never chooses it',
};

function standingJson(s: ScopeStanding, p: Prediction) {
  const t = s.target;
  return {
    type: s.kind,
    cgroup: s.memcg?.path ?? null,
    totalpages: Number(s.totalpages),
    adj_unit_pages: Number(s.totalpages / 1000n),
    badness_pages: t.badness.points === null ? null : Number(t.badness.points),
    adj_pages: Number(t.badness.adjPages),
    adj_bytes: Number(t.badness.adjPages * BigInt(p.pageSize)),
    rank: t.rank,
    killable_count: s.killableCount,
    rank_one: s.rankOne && !p.partial ? { pid: s.rankOne.task.pid, comm: s.rankOne.task.record.comm, badness_pages: Number(s.rankOne.badness.points) } : null,
    next: s.next ? { pid: s.next.task.pid, comm: s.next.task.record.comm, badness_pages: Number(s.next.badness.points) } : null,
    adj_to_drop_below_next: s.thresholds.adjToDropBelowNext,
    adj_to_become_next_victim: p.partial ? null : s.thresholds.adjToBecomeNextVictim,
  };
}

function explanationJson(e: Explanation, p: Prediction) {
  const t = e.global.target.task;
  const pages = (kb: number): number => Number(kbToPages(kb, p.pageSize));
  return {
    pid: t.pid,
    comm: t.record.comm,
    user: t.user ?? null,
    uid: t.record.uid ?? null,
    oom_score_adj: t.oomScoreAdj,
    oom_score: t.record.oomScore ?? null,
    predicted_oom_score: e.global.target.predictedOomScore,
    killable: e.global.target.rank !== null,
    unkillable_reason: e.global.target.badness.unkillable,
    terms: {
      rss_anon: { kb: t.rssAnonKb, pages: pages(t.rssAnonKb) },
      rss_file: { kb: t.rssFileKb, pages: pages(t.rssFileKb) },
      rss_shmem: { kb: t.rssShmemKb, pages: pages(t.rssShmemKb) },
      swap: { kb: t.swapKb, pages: pages(t.swapKb) },
      pgtables: { kb: t.pgtablesKb, pages: pages(t.pgtablesKb) },
      memory_pages: Number(e.global.target.badness.memoryPages),
    },
    memory_cgroup: t.memcgPath ?? null,
    owner: e.owner?.owner ?? null,
    pod_adj: podAdjJson(e.podAdj),
    global: standingJson(e.global, p),
    memory_cgroups: e.memcgs.map((s) => standingJson(s, p)),
  };
}

export function explainJson(r: ExplainResult) {
  return { kernel: kernelJson(r.prediction), query: r.query, partial_view: partialViewJson(r.prediction), processes: r.explanations.map((e) => explanationJson(e, r.prediction)) };
}

function name(pid: number, comm: string): string {
  return `pid ${pid} (${escapeUntrusted(comm)})`;
}

function standingLines(s: ScopeStanding, p: Prediction, chalk: ChalkInstance): string[] {
  const t = s.target;
  const out: string[] = [];
  const unit = s.totalpages / 1000n;
  const where = s.kind === 'global' ? 'whole machine' : `memory cgroup ${escapeUntrusted(s.memcg?.path ?? '?')}`;
  out.push(chalk.bold(`In the ${where}`) + ` (totalpages ${s.totalpages} = ${formatBytes(s.totalpages * BigInt(p.pageSize))}; 1 point of oom_score_adj = ${unit} pages = ${formatBytes(unit * BigInt(p.pageSize))}):`);
  if (t.badness.points === null) {
    out.push(`  never chosen: ${WHY_UNKILLABLE[t.badness.unkillable ?? ''] ?? 'unkillable'}`);
    return out;
  }
  const adj = t.task.oomScoreAdj;
  const adjBytes = t.badness.adjPages * BigInt(p.pageSize);
  out.push(`  badness = ${t.badness.memoryPages} memory pages ${adj >= 0 ? '+' : '-'} ${t.badness.adjPages < 0n ? -t.badness.adjPages : t.badness.adjPages} adj pages = ${t.badness.points} pages (${formatPercent(Number(t.badness.points) / Number(s.totalpages))} of totalpages)`);
  out.push(`  oom_score_adj ${adj} ≈ ${adjBytes >= 0n ? '+' : '-'}${formatBytes(adjBytes < 0n ? -adjBytes : adjBytes)} here`);
  if (t.task.transient === true) {
    out.push('  not ranked: this is oomctl itself, gone when the prediction is used');
    return out;
  }
  const r1 = s.rankOne;
  if (p.partial) {
    // Ranks among the visible processes only: no victim, no rank of the kernel's, no "becomes the next victim".
    out.push(`  rank ${t.rank} among the ${s.killableCount} killable processes visible here; ${partialViewText(p.partial)}`);
    if (s.next) {
      const th = s.thresholds;
      out.push(th.adjToDropBelowNext === null
        ? `  no oom_score_adj above -1000 moves it below ${name(s.next.task.pid, s.next.task.record.comm)}; only -1000 (never kill) would`
        : `  oom_score_adj ${th.adjToDropBelowNext} or lower moves it below ${name(s.next.task.pid, s.next.task.record.comm)}`);
    }
    return out;
  }
  const isFirst = t.rank === 1;
  out.push(`  rank ${t.rank} of ${s.killableCount} killable` + (isFirst ? chalk.red.bold(' — this is the next victim') : r1 ? `; the next victim is ${name(r1.task.pid, r1.task.record.comm)} with ${r1.badness.points} pages` : ''));
  const th = s.thresholds;
  if (s.next) {
    out.push(th.adjToDropBelowNext === null
      ? `  no oom_score_adj above -1000 moves it below ${name(s.next.task.pid, s.next.task.record.comm)}; only -1000 (never kill) would`
      : `  oom_score_adj ${th.adjToDropBelowNext} or lower moves it below ${name(s.next.task.pid, s.next.task.record.comm)} (rank ${s.next.rank})`);
  } else {
    out.push('  it is already last in line');
  }
  if (!isFirst) {
    out.push(th.adjToBecomeNextVictim === null
      ? '  no oom_score_adj up to 1000 makes it the next victim'
      : `  oom_score_adj ${th.adjToBecomeNextVictim} or higher makes it the next victim`);
  }
  return out;
}

export function renderExplainHuman(r: ExplainResult, chalk: ChalkInstance): string {
  const p = r.prediction;
  const blocks = r.explanations.map((e) => {
    const t = e.global.target.task;
    const pages = (kb: number): string => `${kbToPages(kb, p.pageSize)} pages (${formatBytes(kb * 1024)})`;
    const lines: string[] = [];
    lines.push(chalk.bold(`${name(t.pid, t.record.comm)}, user ${escapeUntrusted(t.user ?? String(t.record.uid ?? '?'))}, oom_score_adj ${t.oomScoreAdj}`));
    lines.push(`  owner: ${e.owner ? renderOwnerLabel(e.owner.owner) : '? (/proc/PID/cgroup unreadable)'}`);
    if (e.podAdj && e.owner?.owner.qos_class) lines.push(...podAdjLines(t.oomScoreAdj, e.owner.owner.qos_class, e.podAdj, BigInt(p.meminfo.memTotalKb) * 1024n));
    lines.push(`  oom_score: kernel ${t.record.oomScore ?? '?'}, predicted ${e.global.target.predictedOomScore} (rules ${p.kernel.era})`);
    lines.push('  memory counted by the kernel (mm/oom_kill.c oom_badness()):');
    lines.push(`    RssAnon   ${pages(t.rssAnonKb)}`);
    lines.push(`    RssFile   ${pages(t.rssFileKb)}`);
    lines.push(`    RssShmem  ${pages(t.rssShmemKb)}`);
    lines.push(`    VmSwap    ${pages(t.swapKb)}`);
    lines.push(`    VmPTE     ${pages(t.pgtablesKb)}`);
    lines.push(`    total     ${e.global.target.badness.memoryPages} pages (${formatBytes(e.global.target.badness.memoryPages * BigInt(p.pageSize))})`);
    lines.push(...standingLines(e.global, p, chalk));
    if (t.memcgPath !== undefined && e.memcgs.length === 0) lines.push(`memory cgroup ${escapeUntrusted(t.memcgPath)}: no memory limit on it or its ancestors`);
    for (const m of e.memcgs) lines.push(...standingLines(m, p, chalk));
    return lines.join('\n');
  });
  return blocks.join('\n\n') + '\n';
}
