// `oomctl doctor`: reads the facts the checks in kernel/doctor.ts judge.

import { computeFindings, failsAt, type DoctorFacts, type ProtectedProcess, type Severity } from '../kernel/doctor.js';
import { OOM_SCORE_ADJ_MIN } from '../kernel/badness.js';
import { findMemoryHierarchy, readCgroupMounts } from '../system/memcg.js';
import { readProcesses } from '../system/procfs.js';
import { findKubelets } from '../system/sysctl.js';
import { classifyOomctlBinary, findOnPath, findSystemdOomctlUnder } from '../system/systemd-oomctl.js';
import { readMeminfo, readOomKillCount, readSysctls, readUserNames, SNAPSHOT_SYSCTLS } from '../system/system-info.js';
import type { CommandContext } from '../core/context.js';
import { escapeUntrusted } from '../render/sanitize.js';
import { kubeletConfigPathFromArgs } from '../parse/kubelet-args.js';
import { Option } from 'commander';
import { ExitCode } from '../errors.js';
import type { CommandModule } from '../core/command.js';
import { doctorJson, renderDoctorHuman } from '../render/doctor.js';
import type { DoctorResult } from '../core/doctor-result.js';
export type { DoctorResult };

export interface DoctorOptions {
  /** The Node.js version running oomctl (cli.ts passes process.versions.node). */
  nodeVersion: string;
  failOn: Severity | 'none';
}

/** The kubelet's eviction distances, when a kubelet runs or its config exists (system/killers.ts). */
async function readEviction(ctx: CommandContext, kubeletPids: readonly number[], meminfo: NonNullable<ReturnType<typeof readMeminfo>>): Promise<DoctorFacts['eviction']> {
  const { readKillerReport } = await import('../system/killers.js');
  const pid = kubeletPids[0];
  const raw = pid === undefined ? undefined : ctx.root.readText(`/proc/${pid}/cmdline`);
  const kubeletConfigPath = raw === undefined ? undefined : kubeletConfigPathFromArgs(raw.replace(/\0+$/, '').split('\0'));
  const r = await readKillerReport(ctx.root, [], { kubeletConfigPath, kubeletRunning: pid !== undefined, oomd: false, recordsComplete: true });
  const k = r.kubelet;
  if (!k) return undefined;
  if (k.config.warning) ctx.warn(`warning: cannot read kubelet config ${escapeUntrusted(k.config.file)}: ${escapeUntrusted(k.config.warning.detail)}`);
  const mem = k.distances.filter((d) => d.threshold.signal === 'memory.available');
  return {
    memoryAvailableBytes: k.memoryAvailableBytes,
    thresholds: mem.map((d) => ({ text: `memory.available < ${Math.round(d.thresholdBytes / 1048576)} MiB (${d.threshold.hard ? 'hard' : 'soft'})`, headroomBytes: d.headroomBytes, met: d.met })),
    kernelToGoBytes: Math.max(0, ((meminfo.memAvailableKb ?? 0) + meminfo.swapFreeKb) * 1024),
    configFile: k.config.file,
    configBroken: k.config.warning !== undefined,
  };
}

export function readDoctorFacts(ctx: CommandContext, nodeVersion: string): DoctorFacts {
  const { root } = ctx;
  const meminfo = readMeminfo(root);
  const mounts = readCgroupMounts(root);
  const hierarchy = findMemoryHierarchy(root, mounts);
  const users = readUserNames(root);
  const adjMin: ProtectedProcess[] = [];
  for (const p of readProcesses(root, { oomScore: false })) {
    if (p.kernelThread) continue;
    if (p.oomScoreAdj <= OOM_SCORE_ADJ_MIN) {
      adjMin.push({ pid: p.pid, comm: p.comm, user: p.uid === undefined ? undefined : users.get(p.uid) ?? String(p.uid), rssKb: p.rssAnonKb + p.rssFileKb + p.rssShmemKb });
    }
  }
  adjMin.sort((a, b) => a.pid - b.pid);
  // Found as sysctl and apply find it: by comm, or by argv[0] when comm was renamed.
  const kubelets = findKubelets(root).map((pid) => ({ pid }));
  const onPath = findOnPath(root, 'oomctl', ctx.env.PATH);
  return {
    sysctl: readSysctls(root, SNAPSHOT_SYSCTLS),
    memTotalKb: meminfo.memTotalKb,
    swapTotalKb: meminfo.swapTotalKb,
    commitLimitKb: meminfo.commitLimitKb,
    committedAsKb: meminfo.committedAsKb,
    psi: root.readText('/proc/pressure/memory') !== undefined,
    memoryCgroup: hierarchy?.version ?? null,
    cgroup2Mounted: mounts.some((m) => m.version === 2),
    adjMin,
    kubelets,
    nodeVersion,
    systemdOomctl: findSystemdOomctlUnder(root),
    pathOomctl: onPath === undefined ? undefined : { path: onPath.path, kind: classifyOomctlBinary(onPath.file) },
    oomKills: readOomKillCount(root) ?? null,
  };
}

export async function runDoctor(ctx: CommandContext, opts: DoctorOptions): Promise<DoctorResult> {
  const facts = readDoctorFacts(ctx, opts.nodeVersion);
  facts.eviction = await readEviction(ctx, facts.kubelets.map((k) => k.pid), readMeminfo(ctx.root));
  const findings = computeFindings(facts);
  return { facts, findings, failOn: opts.failOn, failed: opts.failOn !== 'none' && failsAt(findings, opts.failOn) };
}

export const command: CommandModule = {
  name: 'doctor',
  summary: 'check this machine\'s OOM setup for risks; each finding has a code, a severity and a fix',
  configure(cmd) {
    cmd
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above SEVERITY').choices(['info', 'warning', 'critical', 'none']).default('critical'))
      .addHelpText('after', `
Examples:
  oomctl doctor
  oomctl doctor --json --fail-on warning

Exit status: 1 when a finding is at or above --fail-on (default critical), else 0.`);
  },
  async run(ctx, _args, o) {
    const opts = o as { failOn: 'info' | 'warning' | 'critical' | 'none' };
    const result = await runDoctor(ctx, { nodeVersion: ctx.nodeVersion, failOn: opts.failOn });
    if (ctx.globals.json) ctx.emitJson(doctorJson(result));
    else ctx.out(renderDoctorHuman(result, ctx.chalk()));
    ctx.reportDenied();
    if (result.failed) return { exitCode: ExitCode.FAILURE };
  },
};
