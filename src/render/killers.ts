// The killers besides the kernel's (kubelet eviction, systemd-oomd, earlyoom)
// in `top`'s header, `top --killer NAME` and --json. Names from disk escaped.

import type { KillerView, PodEvictionEntry } from '../core/top-result.js';
import type { Prediction } from '../core/prediction.js';
import { orderKillers, type KillerTrigger } from '../kernel/killer-order.js';
import type { EvictionThreshold } from '../kernel/kubelet.js';
import type { RankedCandidate } from '../kernel/oomd.js';
import { formatBytes } from './format.js';
import { escapeUntrusted } from './sanitize.js';
import { alignRow, columnWidths, type Align } from './columns.js';

const NAMES: Record<KillerTrigger['killer'], string> = {
  kernel: 'kernel OOM killer',
  kubelet: 'kubelet eviction',
  'oomd-swap': 'systemd-oomd (swap)',
  'oomd-pressure': 'systemd-oomd (pressure)',
  earlyoom: 'earlyoom',
};

export function triggersOf(v: KillerView, p: Prediction): KillerTrigger[] {
  const r = v.report;
  return orderKillers({
    memAvailableBytes: (p.meminfo.memAvailableKb ?? 0) * 1024,
    swapFreeBytes: p.meminfo.swapFreeKb * 1024,
    kubelet: r.kubelet?.distances,
    oomdSwap: r.oomd && r.oomd.state.monitored.some((m) => m.swapKill) ? r.oomd.swap : undefined,
    oomdPressure: r.oomd?.pressure,
    earlyoom: r.earlyoom ? { memory: r.earlyoom.memory, thresholds: r.earlyoom.thresholds } : undefined,
  });
}

function thresholdText(t: EvictionThreshold): string {
  const v = 'bytes' in t.value ? formatBytes(t.value.bytes) : `${Math.round(t.value.fraction * 10000) / 100}%`;
  return `${t.signal} < ${v} (${t.hard ? 'hard' : `soft, grace ${t.gracePeriod ?? '?'}`}${t.source === 'default' ? ', default' : ''})`;
}

/** Where each killer acts, in words. */
function levelText(t: KillerTrigger, v: KillerView, p: Prediction): string {
  const r = v.report;
  const pct = (x: number): string => `${Math.round(x * 100) / 100}%`;
  switch (t.killer) {
    case 'kernel':
      return `when reclaim fails: MemAvailable + SwapFree ${formatBytes(t.toGoBytes ?? 0)} now`;
    case 'kubelet': {
      const d = (r.kubelet?.distances ?? []).filter((x) => x.threshold.signal === 'memory.available').map((x) => thresholdText(x.threshold));
      const avail = r.kubelet?.memoryAvailableBytes;
      return `at ${d.join(', ')}; memory.available ${avail === null || avail === undefined ? '?' : formatBytes(avail)} now`;
    }
    case 'oomd-swap': {
      const s = r.oomd?.swap;
      if (!s) return '?';
      return `when MemAvailable < ${formatBytes(s.memThresholdBytes)} and SwapFree < ${formatBytes(s.swapThresholdBytes)} (SwapUsedLimit=${pct((r.oomd?.state.config.swapUsedLimitPermyriad ?? 0) / 100)})`;
    }
    case 'oomd-pressure': {
      const ts = r.oomd?.pressure ?? [];
      return ts.map((x) => `${escapeUntrusted(x.monitored.unit)} at full avg10 > ${pct(x.limitPermyriad / 100)} for ${x.durationUsec / 1e6}s (now ${pct(x.cgroup?.fullAvg10 ?? 0)})`).join('; ');
    }
    case 'earlyoom': {
      const e = r.earlyoom;
      if (!e) return '?';
      return `SIGTERM when MemAvailable <= ${pct(e.thresholds.memTermPercent)} and SwapFree <= ${pct(e.thresholds.swapTermPercent)} (now ${pct(e.memory.memAvailablePercent)}, ${pct(e.memory.swapFreePercent)})`;
    }
  }
  void p;
}

function toGo(t: KillerTrigger): string {
  if (t.triggered) return 'its condition holds now';
  if (t.toGoBytes === null) return 'not a memory level (PSI)';
  return `${t.killer === 'kernel' ? '≈ ' : ''}${formatBytes(t.toGoBytes)} more memory use away`;
}

/** The header: which killer acts first, and at what level each acts (only those that run or are configured). */
export function killerHeaderLines(v: KillerView, p: Prediction): string[] {
  const ts = triggersOf(v, p);
  if (ts.length === 1) return ['killers: only the kernel\'s OOM killer (no kubelet, systemd-oomd or earlyoom runs or is configured)'];
  // A killer that is configured but has no process running does not act: listed, never first.
  const runs = (t: KillerTrigger): boolean => isRunning(t, v);
  const first = ts.find(runs) as KillerTrigger;
  const out = [`killers: ${NAMES[first.killer]} acts first (${toGo(first)})`];
  for (const t of ts) out.push(`  ${NAMES[t.killer]}${runs(t) ? '' : ' (configured, not running)'}: ${levelText(t, v, p)}; ${toGo(t)}`);
  return out;
}

export function isRunning(t: KillerTrigger, v: KillerView): boolean {
  if (t.killer === 'kernel') return true;
  if (t.killer === 'kubelet') return v.running.kubelet;
  if (t.killer === 'earlyoom') return v.running.earlyoom;
  return v.running.oomd;
}

function table(head: string[], rows: string[][], align: Align[]): string[] {
  const w = columnWidths(head, rows);
  return [alignRow(head, w, align), ...rows.map((r) => alignRow(r, w, align))].map((l) => '  ' + l);
}

function candidateRows(ranked: readonly RankedCandidate[], swap: boolean): string[][] {
  return ranked.map((c) => [
    escapeUntrusted(c.cgroup.path),
    swap ? formatBytes(c.cgroup.swapCurrent) : String(c.pgscanRate ?? c.cgroup.pgscan),
    formatBytes(c.cgroup.memoryCurrent),
    c.preference,
    c.skipped ?? '',
  ]);
}

/** `top --killer oomd|earlyoom|kubelet`. */
export function killerSection(v: KillerView, p: Prediction): string[] {
  const r = v.report;
  const out: string[] = [];
  if (v.shown === 'oomd') {
    const o = r.oomd;
    if (!o) return ['systemd-oomd: nothing to predict (no cgroup v2 hierarchy, or no unit with ManagedOOMSwap=kill or ManagedOOMMemoryPressure=kill)'];
    out.push(`systemd-oomd: config ${o.state.configFiles.length ? o.state.configFiles.map(escapeUntrusted).join(', ') : 'defaults'}; preferences from ${o.state.preferenceSource}`);
    for (const m of o.state.monitored) out.push(`  monitored ${escapeUntrusted(m.unit)} (${escapeUntrusted(m.path)}):${m.swapKill ? ' ManagedOOMSwap=kill' : ''}${m.pressureKill ? ' ManagedOOMMemoryPressure=kill' : ''}`);
    if (o.state.monitored.some((m) => m.swapKill)) {
      const s = o.swap;
      out.push(`swap rule (SwapUsedLimit=${o.state.config.swapUsedLimitPermyriad / 100}%): ${s.triggered ? 'over its limit now' : 'not over its limit'}; MemAvailable ${formatBytes(o.state.system.memAvailable)} vs ${formatBytes(s.memThresholdBytes)} (${s.memBelow ? 'below' : `${formatBytes(s.memToGoBytes)} to go`}), SwapFree ${formatBytes(o.state.system.swapFree)} vs ${formatBytes(s.swapThresholdBytes)} (${s.swapBelow ? 'below' : `${formatBytes(s.swapToGoBytes)} to go`})`);
      out.push(`  would kill: ${s.victim ? escapeUntrusted(s.victim.path) : 'none (no candidate above 5% of swap)'}${s.triggered ? '' : ' (once over the limit)'}`);
      if (s.ranked.length) out.push(...table(['CGROUP', 'SWAP', 'CURRENT', 'PREF', 'SKIPPED'], candidateRows(s.ranked, true), ['left', 'right', 'right', 'left', 'left']));
    }
    for (const t of o.pressure) {
      out.push(`pressure rule ${escapeUntrusted(t.monitored.unit)}: full avg10 ${t.cgroup?.fullAvg10 ?? '?'}% vs limit ${t.limitPermyriad / 100}% for ${t.durationUsec / 1e6}s: ${t.above ? 'above (how long, and whether reclaim runs, need a second sample)' : `${t.toGoPercent} points to go`}`);
      out.push(`  would kill: ${t.victim ? escapeUntrusted(t.victim.path) : 'none'}${t.above ? '' : ' (once over the limit)'}`);
      if (t.ranked.length) out.push(...table(['CGROUP', 'PGSCAN', 'CURRENT', 'PREF', 'SKIPPED'], candidateRows(t.ranked, false), ['left', 'right', 'right', 'left', 'left']));
    }
    return out;
  }
  if (v.shown === 'earlyoom') {
    const e = r.earlyoom;
    if (!e) return ['earlyoom: not running and /etc/default/earlyoom not found'];
    out.push(`earlyoom: ${e.found.pid === null ? 'configured in /etc/default/earlyoom (not running)' : `pid ${e.found.pid}`}, arguments: ${escapeUntrusted(e.found.argv.join(' ')) || '(none)'}`);
    out.push(`  SIGTERM at MemAvailable <= ${e.thresholds.memTermPercent}% and SwapFree <= ${e.thresholds.swapTermPercent}%, SIGKILL at ${e.thresholds.memKillPercent}% and ${e.thresholds.swapKillPercent}%`);
    out.push(`  now MemAvailable ${Math.round(e.memory.memAvailablePercent * 100) / 100}% of ${formatBytes(e.memory.userMemTotalKib * 1024)}, SwapFree ${Math.round(e.memory.swapFreePercent * 100) / 100}%: ${e.memory.signal ?? `${formatBytes(e.memory.memToTermKib * 1024)} of memory and ${formatBytes(e.memory.swapToTermKib * 1024)} of swap to go`}`);
    const vic = e.choice.victim;
    if (e.choice.badRegex.length) out.push(`  victim: unknown (regular expression JavaScript cannot compile: ${e.choice.badRegex.map(escapeUntrusted).join(', ')})`);
    else out.push(`  victim: ${vic ? `pid ${vic.pid} (${escapeUntrusted(v.comms.get(vic.pid) ?? '?')}), score ${vic.score}, VmRSS ${formatBytes(vic.rssKib * 1024)}` : 'none'}`);
    return out;
  }
  if (v.shown === 'kubelet') {
    const k = r.kubelet;
    if (!k) return ['kubelet: no kubelet runs and no kubelet config found'];
    out.push(`kubelet: config ${escapeUntrusted(k.config.file)}${k.config.present ? '' : ' (absent: defaults)'}${k.config.warning ? ' (unreadable: no threshold assumed)' : ''}`);
    out.push(`  memory.available ${k.memoryAvailableBytes === null ? '? (root memory cgroup unreadable)' : formatBytes(k.memoryAvailableBytes)} = capacity ${k.capacityBytes === null ? '?' : formatBytes(k.capacityBytes)} - working set ${k.workingSetBytes === null ? '?' : formatBytes(k.workingSetBytes)}`);
    for (const d of k.distances) out.push(`  ${thresholdText(d.threshold)}: ${d.met ? 'met now: the kubelet evicts' : `${formatBytes(d.headroomBytes)} to go`}`);
    for (const pr of k.problems) out.push(`  ignored: ${escapeUntrusted(pr.signal)}=${escapeUntrusted(pr.value)} (${escapeUntrusted(pr.detail)})`);
    out.push('  eviction order (eviction/helpers.go rankMemoryPressure): pods over their memory request first, then lower priority, then usage above request');
    out.push(...evictionPodLines(v.evictionPods ?? []));
    return out;
  }
  void p;
  return out;
}

const mib = (n: number | null): string => (n === null ? '?' : formatBytes(n));

/** The pods in the order disk shows, and which terms of the kubelet's order are unknown. */
function evictionPodLines(pods: readonly PodEvictionEntry[]): string[] {
  if (!pods.length) return ['  no pod process in scope'];
  const rows = pods.map((e, i) => [
    String(i + 1),
    escapeUntrusted(e.namespace !== null && e.name !== null ? `${e.namespace}/${e.name}` : `uid ${e.pod.id}`),
    e.pod.qos,
    mib(e.pod.workingSetBytes),
    mib(e.requestBytes),
    e.exceedsRequest === null ? '?' : e.exceedsRequest ? 'yes' : 'no',
    e.usageOverRequestBytes === null ? '?' : (e.usageOverRequestBytes < 0 ? '-' : '') + formatBytes(Math.abs(e.usageOverRequestBytes)),
    e.unknown.map((u) => u.replace(/_/g, ' ')).join(', '),
  ]);
  const out = table(['ORDER', 'POD', 'QOS', 'WORKSET', 'REQUEST', 'OVER', 'ABOVE REQ', 'UNKNOWN'], rows, ['right', 'left', 'left', 'right', 'right', 'left', 'right', 'left']).map((l) => `  ${l}`);
  out.push('  request from disk: BestEffort 0, Guaranteed = the pod cgroup\'s memory limit; a Burstable pod\'s request is in its spec, not on disk: it belongs with the pods over their request if its usage exceeds it, else with those under it (it is listed between the two)');
  out.push('  priority (spec.priority) is not on disk: among pods with the same OVER answer a lower priority goes first, so their order here can differ');
  return out;
}

export function killerJson(v: KillerView) {
  const r = v.report;
  return {
    kubelet: r.kubelet ? {
      config_file: r.kubelet.config.file,
      config_present: r.kubelet.config.present,
      config_error: r.kubelet.config.warning?.detail ?? null,
      memory_available_bytes: r.kubelet.memoryAvailableBytes,
      working_set_bytes: r.kubelet.workingSetBytes,
      capacity_bytes: r.kubelet.capacityBytes,
      thresholds: r.kubelet.distances.map((d) => ({ signal: d.threshold.signal, hard: d.threshold.hard, threshold_bytes: d.thresholdBytes, headroom_bytes: d.headroomBytes, met: d.met })),
      eviction_order: v.evictionPods?.map((e) => ({
        pod_uid: e.pod.id, pod_namespace: e.namespace, pod_name: e.name, qos_class: e.pod.qos, processes: e.processes,
        working_set_bytes: e.pod.workingSetBytes, limit_bytes: e.pod.limitBytes, request_bytes: e.requestBytes,
        exceeds_request: e.exceedsRequest, usage_over_request_bytes: e.usageOverRequestBytes, unknown: e.unknown,
      })) ?? null,
    } : null,
    oomd: r.oomd ? {
      swap_used_limit_percent: r.oomd.state.config.swapUsedLimitPermyriad / 100,
      swap: { triggered: r.oomd.swap.triggered, mem_to_go_bytes: r.oomd.swap.memToGoBytes, swap_to_go_bytes: r.oomd.swap.swapToGoBytes, victim: r.oomd.swap.victim?.path ?? null },
      pressure: r.oomd.pressure.map((t) => ({ unit: t.monitored.unit, cgroup: t.monitored.path, limit_percent: t.limitPermyriad / 100, full_avg10: t.cgroup?.fullAvg10 ?? null, above: t.above, to_go_percent: t.toGoPercent, victim: t.victim?.path ?? null })),
    } : null,
    earlyoom: r.earlyoom ? {
      pid: r.earlyoom.found.pid,
      mem_term_percent: r.earlyoom.thresholds.memTermPercent,
      swap_term_percent: r.earlyoom.thresholds.swapTermPercent,
      mem_available_percent: r.earlyoom.memory.memAvailablePercent,
      swap_free_percent: r.earlyoom.memory.swapFreePercent,
      signal: r.earlyoom.memory.signal,
      victim_pid: r.earlyoom.choice.badRegex.length ? null : r.earlyoom.choice.victim?.pid ?? null,
    } : null,
  };
}
