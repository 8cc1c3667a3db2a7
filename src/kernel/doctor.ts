// `oomctl doctor`: the OOM setup of a machine and its risks, as pure checks
// over a plain facts object. Each finding has a stable code (never reused
// for another meaning), a severity, numbers in its detail, and a fix.

import { KUBELET_TUNABLES } from './sysctl-catalogue.js';

export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface Finding {
  code: string;
  severity: Severity;
  title: string;
  detail: string;
  fix: string;
  /** OOM007: the processes it is about (raw names; renderers escape them). */
  processes?: readonly ProtectedProcess[];
}

export interface ProtectedProcess {
  pid: number;
  /** Raw comm: untrusted; the renderer escapes it. */
  comm: string;
  user: string | undefined;
  rssKb: number;
}

export type OomctlBinaryKind = 'ours' | 'systemd' | 'other';

export interface DoctorFacts {
  /** vm.panic_on_oom, vm.overcommit_memory, vm.overcommit_ratio, vm.oom_kill_allocating_task, vm.oom_dump_tasks, kernel.panic; null = unreadable. */
  sysctl: Readonly<Record<string, number | null>>;
  memTotalKb: number;
  swapTotalKb: number;
  commitLimitKb: number | undefined;
  committedAsKb: number | undefined;
  /** /proc/pressure/memory exists. */
  psi: boolean;
  /** Which hierarchy carries the memory controller; also whether a cgroup2 mount exists at all. */
  memoryCgroup: 1 | 2 | null;
  cgroup2Mounted: boolean;
  /** Userspace processes at oom_score_adj -1000. */
  adjMin: readonly ProtectedProcess[];
  /** Running kubelet processes. */
  kubelets: ReadonlyArray<{ pid: number }>;
  /** Node.js version running oomctl, e.g. "20.20.2". */
  nodeVersion: string;
  /** systemd's oomctl binary (/usr/bin/oomctl), if installed. */
  systemdOomctl: string | undefined;
  /** What `oomctl` on PATH resolves to, if anything. */
  pathOomctl: { path: string; kind: OomctlBinaryKind } | undefined;
  /** /proc/vmstat oom_kill: kernel OOM kills since boot; null when unknown (kernel < 4.13, or unreadable). */
  oomKills: number | null;
  /**
   * Present when a kubelet runs or its config exists: its memory.available
   * thresholds and how far each is (kernel/kubelet.ts evictionDistances), and
   * the kernel's own distance (MemAvailable + SwapFree, kernel/killer-order.ts).
   */
  eviction?: {
    memoryAvailableBytes: number | null;
    thresholds: ReadonlyArray<{ text: string; headroomBytes: number; met: boolean }>;
    kernelToGoBytes: number;
    configFile: string;
    configBroken: boolean;
  };
}

/** package.json "engines": { "node": ">=20" } */
export const MIN_NODE_MAJOR = 20;


/** -1000 processes holding more than this share of RAM make a warning, not a note. */
const ADJ_MIN_WARN_SHARE = 0.1;

const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a';
}

type Check = (f: DoctorFacts) => Finding[];

const checkOomctlName: Check = (f) => {
  const out: Finding[] = [];
  if (f.systemdOomctl !== undefined && f.pathOomctl?.kind === 'ours') {
    out.push({
      code: 'OOM001', severity: 'info',
      title: 'this oomctl shadows systemd\'s oomctl',
      detail: `${f.pathOomctl.path} (this oomctl) comes first on PATH, before systemd-oomd's client ${f.systemdOomctl}. Its invocations ("oomctl dump", a bare "oomctl --no-pager") are handed over to ${f.systemdOomctl} unchanged; everything else runs this oomctl.`,
      fix: `Nothing to do. Run ${f.systemdOomctl} by its full path to bypass the hand-over.`,
    });
  }
  if (f.pathOomctl !== undefined && f.pathOomctl.kind !== 'ours') {
    out.push({
      code: 'OOM002', severity: 'warning',
      title: '"oomctl" on PATH is not this oomctl',
      detail: `PATH resolves "oomctl" to ${f.pathOomctl.path}${f.pathOomctl.kind === 'systemd' ? ', systemd-oomd\'s client' : ''}; scripts that run "oomctl top" get that program instead.`,
      fix: 'Put the folder of this oomctl (npm prefix -g, then bin/) before it on PATH, or call this oomctl by its full path.',
    });
  }
  return out;
};

const checkSwapStrictOvercommit: Check = (f) => {
  if (f.sysctl['vm.overcommit_memory'] !== 2 || f.swapTotalKb > 0) return [];
  const ratio = f.sysctl['vm.overcommit_ratio'];
  const limit = f.commitLimitKb;
  return [{
    code: 'OOM003', severity: 'warning',
    title: 'strict overcommit without swap',
    detail: `vm.overcommit_memory=2 and no swap: CommitLimit is RAM * vm.overcommit_ratio (${ratio ?? '?'}%)${limit !== undefined ? ` = ${mib(limit)} of ${mib(f.memTotalKb)} RAM (${percent(limit, f.memTotalKb)})` : ''}. Allocations fail (ENOMEM) while the rest of RAM sits unused by anonymous memory.`,
    fix: 'Add swap, or raise vm.overcommit_ratio (e.g. sysctl -w vm.overcommit_ratio=90), or use vm.overcommit_memory=0.',
  }];
};

const checkPanicWithoutReboot: Check = (f) => {
  const pan = f.sysctl['vm.panic_on_oom'];
  if (pan === null || pan === undefined || pan === 0 || f.sysctl['kernel.panic'] !== 0) return [];
  return [{
    code: 'OOM004', severity: 'critical',
    title: 'an OOM panics the machine and it never reboots',
    detail: `vm.panic_on_oom=${pan} and kernel.panic=0: an OOM ${pan === 2 ? '(any, including a memory cgroup\'s)' : '(system-wide)'} panics the kernel, which then waits forever instead of rebooting.`,
    fix: 'sysctl -w kernel.panic=10 (reboot 10 s after a panic), or sysctl -w vm.panic_on_oom=0 (kill a process instead); persist in /etc/sysctl.d/.',
  }];
};

const checkPanicScope: Check = (f) => {
  const pan = f.sysctl['vm.panic_on_oom'];
  // mm/oom_kill.c check_panic_on_oom(): unless panic_on_oom == 2, a constrained (memcg, cpuset, mempolicy) OOM does not panic
  if (pan === 1) {
    return [{
      code: 'OOM005', severity: 'info',
      title: 'vm.panic_on_oom=1 does not panic on a memory cgroup\'s OOM',
      detail: 'vm.panic_on_oom=1 panics on a system-wide OOM only; an OOM inside a memory cgroup (a container or a systemd MemoryMax=) still kills a process there.',
      fix: 'If every OOM must panic, sysctl -w vm.panic_on_oom=2. If none should, vm.panic_on_oom=0.',
    }];
  }
  if (pan === 2) {
    return [{
      code: 'OOM006', severity: 'warning',
      title: 'vm.panic_on_oom=2 panics the whole machine when any memory cgroup hits its limit',
      detail: `vm.panic_on_oom=2: a container or service reaching its own memory limit panics the kernel${f.memoryCgroup !== null ? ` (the memory controller is in use, cgroup v${f.memoryCgroup})` : ''}.`,
      fix: 'sysctl -w vm.panic_on_oom=1 to panic only on system-wide OOMs (or 0 to always kill a process).',
    }];
  }
  return [];
};

const checkAdjMin: Check = (f) => {
  if (f.adjMin.length === 0) return [];
  const rss = f.adjMin.reduce((s, p) => s + p.rssKb, 0);
  const share = f.memTotalKb > 0 ? rss / f.memTotalKb : 0;
  const shown = f.adjMin.slice(0, 10).map((p) => `${p.pid} (${p.comm}, ${p.user ?? '?'}, ${mib(p.rssKb)})`).join(', ');
  const more = f.adjMin.length > 10 ? ` and ${f.adjMin.length - 10} more` : '';
  return [{
    code: 'OOM007', severity: share > ADJ_MIN_WARN_SHARE ? 'warning' : 'info',
    title: `${f.adjMin.length} process${f.adjMin.length === 1 ? '' : 'es'} at oom_score_adj -1000 (never killed)`,
    detail: `${shown}${more}; together ${mib(rss)} resident, ${percent(rss, f.memTotalKb)} of RAM. If one of them leaks, the OOM killer takes everything else first, then the kernel panics ("no killable processes").`,
    fix: 'Keep -1000 for what must survive (sshd, udevd); give the others a negative adj above -1000 (e.g. -900) with OOMScoreAdjust= or oom_score_adj, and a memory limit.',
    processes: f.adjMin,
  }];
};

const checkKubelet: Check = (f) => {
  if (f.kubelets.length === 0) return [];
  const differ = Object.entries(KUBELET_TUNABLES)
    .filter(([k, v]) => f.sysctl[k] !== v)
    .map(([k, v]) => `${k} ${f.sysctl[k] ?? '?'} -> ${v}`);
  return [{
    code: 'OOM008', severity: 'warning',
    title: 'kubelet is running and rewrites OOM sysctls when it starts',
    detail: `kubelet (pid ${f.kubelets.map((k) => k.pid).join(', ')}) sets ${Object.entries(KUBELET_TUNABLES).map(([k, v]) => `${k}=${v}`).join(', ')} at start unless --protect-kernel-defaults is set. ${differ.length > 0 ? `Its next start changes: ${differ.join(', ')}.` : 'The current values already match.'}`,
    fix: 'Set these sysctls through kubelet\'s configuration (or set protectKernelDefaults: true and the values kubelet expects), not with oomctl or sysctl.d alone.',
  }];
};

const checkPsi: Check = (f) => f.psi ? [] : [{
  code: 'OOM009', severity: 'warning',
  title: 'no memory pressure information (PSI)',
  detail: '/proc/pressure/memory is missing: the kernel predates 4.20, lacks CONFIG_PSI, or was booted with psi=0. systemd-oomd, oomd and pressure-based alerts cannot see memory stalls before the OOM killer acts.',
  fix: 'Boot with psi=1 (kernel command line) on a kernel built with CONFIG_PSI=y.',
}];

const checkCgroup: Check = (f) => {
  if (f.memoryCgroup === 2) {
    return [{
      code: 'OOM010', severity: 'info',
      title: 'cgroup v2 memory controller',
      detail: 'Memory limits use cgroup v2 (memory.max, memory.high, memory.oom.group, per-cgroup memory.pressure).',
      fix: 'Nothing to do.',
    }];
  }
  if (f.memoryCgroup === 1) {
    return [{
      code: 'OOM011', severity: 'warning',
      title: 'cgroup v1 memory controller',
      detail: `Memory limits use the legacy cgroup v1 hierarchy${f.cgroup2Mounted ? ' (a cgroup2 mount exists, without the memory controller)' : ''}: no memory.high, no memory.oom.group (a container's processes are killed one by one), no per-cgroup PSI; systemd 256+ no longer supports v1.`,
      fix: 'Boot with systemd.unified_cgroup_hierarchy=1 (and cgroup_no_v1=all) to move to cgroup v2.',
    }];
  }
  return [{
    code: 'OOM012', severity: 'warning',
    title: 'no memory cgroup controller',
    detail: 'Neither cgroup v1 "memory" nor cgroup v2 with the memory controller is mounted: services cannot be given memory limits, so every OOM is system-wide.',
    fix: 'Mount cgroup2 with the memory controller enabled (systemd does this by default).',
  }];
};

const checkNode: Check = (f) => {
  const major = Number(/^v?(\d+)/.exec(f.nodeVersion)?.[1]);
  if (Number.isFinite(major) && major >= MIN_NODE_MAJOR) return [];
  return [{
    code: 'OOM013', severity: 'critical',
    title: `Node.js ${f.nodeVersion} is older than oomctl supports`,
    detail: `oomctl needs Node.js >= ${MIN_NODE_MAJOR} (package.json engines); it runs on ${f.nodeVersion}.`,
    fix: `Install Node.js ${MIN_NODE_MAJOR} or later.`,
  }];
};

const checkAllocatingTask: Check = (f) => f.sysctl['vm.oom_kill_allocating_task'] !== 1 ? [] : [{
  code: 'OOM014', severity: 'warning',
  title: 'the OOM killer kills whoever allocated last, not the biggest',
  detail: 'vm.oom_kill_allocating_task=1: a system-wide OOM kills the task that triggered it, ignoring badness and oom_score_adj (so protections and the ranking of oomctl top do not apply). Memory cgroup OOMs are not affected.',
  fix: 'sysctl -w vm.oom_kill_allocating_task=0',
}];

const checkDumpTasks: Check = (f) => f.sysctl['vm.oom_dump_tasks'] !== 0 ? [] : [{
  code: 'OOM015', severity: 'warning',
  title: 'OOM kills are logged without the task table',
  detail: 'vm.oom_dump_tasks=0: the kernel log of an OOM kill lacks the per-process table (rss, swap, oom_score_adj), so a post-mortem (oomctl explain of a past kill) cannot see who else was there.',
  fix: 'sysctl -w vm.oom_dump_tasks=1',
}];

const checkCommit: Check = (f) => {
  if (f.commitLimitKb === undefined || f.committedAsKb === undefined || f.committedAsKb <= f.commitLimitKb) return [];
  const strict = f.sysctl['vm.overcommit_memory'] === 2;
  return [{
    code: 'OOM016', severity: strict ? 'critical' : 'info',
    title: 'more memory is committed than CommitLimit',
    detail: `Committed_AS ${mib(f.committedAsKb)} > CommitLimit ${mib(f.commitLimitKb)} (${percent(f.committedAsKb, f.commitLimitKb)}). ${strict ? 'Under vm.overcommit_memory=2 new allocations fail with ENOMEM.' : `Under vm.overcommit_memory=${f.sysctl['vm.overcommit_memory'] ?? '?'} the limit is not enforced; it says how much was promised.`}`,
    fix: strict ? 'Add swap, raise vm.overcommit_ratio, or stop what commits the most.' : 'Nothing required; switching to vm.overcommit_memory=2 now would make allocations fail.',
  }];
};

// mm/oom_kill.c __oom_kill_process() (v4.13+): count_vm_event(OOM_KILL) for every kill by the kernel's
// OOM killer, system-wide or inside a memory cgroup (memcg_memory_event_mm counts the cgroup too).
// A warning, not critical: each is a process killed and its work lost, worth a look (and a
// --fail-on warning gate), while the machine itself survived, as the killer is meant to make it.
const checkOomKills: Check = (f) => f.oomKills === null || f.oomKills === 0 ? [] : [{
  code: 'OOM017', severity: 'warning',
  title: `${f.oomKills} OOM kill${f.oomKills === 1 ? '' : 's'} since boot`,
  detail: `/proc/vmstat oom_kill = ${f.oomKills}: the kernel's OOM killer (system-wide or inside a memory cgroup) has killed ${f.oomKills === 1 ? 'a process' : `${f.oomKills} processes`} since this boot. Kills by earlyoom or systemd-oomd are not counted there.`,
  fix: 'oomctl events lists the kills the logs kept (victim, scope, why); then protect what must survive (oomctl protect) or give the culprit a memory limit.',
}];

// Node-pressure eviction (pkg/kubelet/eviction) acts on memory.available, before the kernel's OOM
// killer would on the same memory: say which of the two comes first and how far each is.
const checkEviction: Check = (f) => {
  const e = f.eviction;
  if (!e) return [];
  const gib = (b: number): string => `${(b / 1073741824).toFixed(2)} GiB`;
  const kernel = `the kernel's OOM killer ≈ ${gib(e.kernelToGoBytes)} away (MemAvailable + SwapFree)`;
  if (e.thresholds.length === 0 || e.memoryAvailableBytes === null) {
    return [{
      code: 'OOM018', severity: 'warning',
      title: 'the kubelet\'s memory eviction distance is unknown',
      detail: `${e.configBroken ? `${e.configFile} does not parse, so no eviction threshold is known` : e.memoryAvailableBytes === null ? 'the root memory cgroup could not be read, so memory.available is unknown' : 'no memory.available threshold is configured: the kubelet never evicts for memory'}; ${kernel}.`,
      fix: e.configBroken ? `Fix ${e.configFile} (the kubelet would not start with it).` : 'Set evictionHard memory.available in the kubelet config, so pods are evicted before the kernel kills at random.',
    }];
  }
  const nearest = [...e.thresholds].sort((a, b) => a.headroomBytes - b.headroomBytes)[0] as { text: string; headroomBytes: number; met: boolean };
  const first = nearest.met || nearest.headroomBytes <= e.kernelToGoBytes ? 'kubelet' : 'kernel';
  return [{
    code: 'OOM018', severity: nearest.met ? 'warning' : first === 'kernel' ? 'warning' : 'info',
    title: nearest.met ? `the kubelet is evicting: ${nearest.text} is met` : `${first === 'kubelet' ? 'kubelet eviction comes first' : 'the kernel\'s OOM killer comes before kubelet eviction'}: ${gib(Math.min(nearest.headroomBytes, e.kernelToGoBytes))} of memory use away`,
    detail: `memory.available ${gib(e.memoryAvailableBytes)}; ${e.thresholds.map((t) => `${t.text}: ${t.met ? 'met' : `${gib(t.headroomBytes)} away`}`).join('; ')}; ${kernel}.`,
    fix: first === 'kernel' ? 'Raise evictionHard memory.available above what the kernel needs (or add swap), so pods are evicted before the kernel kills.' : 'Nothing required; oomctl top --killer kubelet shows the thresholds.',
  }];
};

const CHECKS: readonly Check[] = [
  checkOomctlName, checkSwapStrictOvercommit, checkPanicWithoutReboot, checkPanicScope, checkAdjMin, checkKubelet,
  checkPsi, checkCgroup, checkNode, checkAllocatingTask, checkDumpTasks, checkCommit, checkOomKills, checkEviction,
];

/** Every finding, most severe first, then by code. */
export function computeFindings(f: DoctorFacts): Finding[] {
  const all = CHECKS.flatMap((c) => c(f));
  return all.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** True when some finding is at or above the threshold. */
export function failsAt(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((x) => severityRank(x.severity) >= severityRank(threshold));
}
