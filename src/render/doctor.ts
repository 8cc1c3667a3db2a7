// `oomctl doctor` as text and as JSON. Process names inside a finding are
// untrusted: the human text is escaped as a whole (the checks' own words
// contain no control characters or backslashes); JSON keeps them raw.

import type { ChalkInstance } from 'chalk';
import { SEVERITIES, type Severity } from '../kernel/doctor.js';
import type { DoctorResult } from '../core/doctor-result.js';
import { escapeUntrusted } from './sanitize.js';

function countBySeverity(r: DoctorResult): Record<Severity, number> {
  const counts: Record<Severity, number> = { info: 0, warning: 0, critical: 0 };
  for (const f of r.findings) counts[f.severity]++;
  return counts;
}

export function renderDoctorHuman(r: DoctorResult, chalk: ChalkInstance): string {
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => chalk.red.bold(s),
    warning: (s) => chalk.yellow(s),
    info: (s) => chalk.cyan(s),
  };
  const lines: string[] = [];
  for (const f of r.findings) {
    lines.push(`${paint[f.severity](f.severity.toUpperCase().padEnd(8))}  ${f.code}  ${chalk.bold(escapeUntrusted(f.title))}`);
    lines.push(`                 ${escapeUntrusted(f.detail)}`);
    lines.push(`                 fix: ${escapeUntrusted(f.fix)}`);
    lines.push('');
  }
  const c = countBySeverity(r);
  const n = r.findings.length;
  const summary = n === 0
    ? 'no findings'
    : `${n} finding${n === 1 ? '' : 's'}: ${[...SEVERITIES].reverse().map((s) => `${c[s]} ${s}`).join(', ')}`;
  const gate = r.failOn === 'none' ? '' : `; --fail-on ${r.failOn}: ${r.failed ? 'FAIL' : 'pass'}`;
  lines.push(summary + gate);
  return lines.join('\n') + '\n';
}

export function doctorJson(r: DoctorResult): unknown {
  const f = r.facts;
  return {
    findings: r.findings.map((x) => ({
      code: x.code,
      severity: x.severity,
      title: x.title,
      detail: x.detail,
      fix: x.fix,
      ...(x.processes ? { processes: x.processes.map((p) => ({ pid: p.pid, comm: p.comm, user: p.user ?? null, rss_kb: p.rssKb })) } : {}),
    })),
    summary: countBySeverity(r),
    fail_on: r.failOn,
    failed: r.failed,
    facts: {
      sysctl: f.sysctl,
      mem_total_kb: f.memTotalKb,
      swap_total_kb: f.swapTotalKb,
      commit_limit_kb: f.commitLimitKb ?? null,
      committed_as_kb: f.committedAsKb ?? null,
      psi: f.psi,
      memory_cgroup_version: f.memoryCgroup,
      cgroup2_mounted: f.cgroup2Mounted,
      oom_score_adj_min_pids: f.adjMin.map((p) => p.pid),
      kubelet_pids: f.kubelets.map((k) => k.pid),
      node_version: f.nodeVersion,
      systemd_oomctl: f.systemdOomctl ?? null,
      path_oomctl: f.pathOomctl ?? null,
      oom_kills: f.oomKills,
      eviction: f.eviction ? {
        memory_available_bytes: f.eviction.memoryAvailableBytes,
        thresholds: f.eviction.thresholds.map((t) => ({ threshold: t.text, headroom_bytes: t.headroomBytes, met: t.met })),
        kernel_oom_to_go_bytes: f.eviction.kernelToGoBytes,
        config_file: f.eviction.configFile,
      } : null,
    },
  };
}
