// The userspace OOM killers' own words, every wording found in their source
// history (each function cites it), and the witnesses that record a death
// without choosing it (PID 1's unit result, the kubelet's SystemOOM event,
// Docker's and containerd's OOM records). Pure; no backtracking regular
// expressions (indexOf/startsWith on bounded slices). None throws.

import { leadingInt } from './messages.js';

/** 'oomd' is Facebook's oomd (github:facebookincubator/oomd), distinct from systemd's 'systemd-oomd'. */
export type UserspaceKiller = 'earlyoom' | 'nohang' | 'systemd-oomd' | 'oomd' | 'kubelet';
export type Witness = 'systemd' | 'kubelet' | 'docker' | 'containerd' | 'memory.events' | 'memory.oom_control';

export interface UserspaceKill {
  killer: UserspaceKiller;
  pid: number | null;
  comm: string | null;
  uid: number | null;
  signal: string | null;
  badness: number | null;
  oom_score: number | null;
  vm_rss_kb: number | null;
  cgroup: string | null;
  reason: string | null;
  /** earlyoom 1.9+ / nohang: the victim's oom_score_adj as the killer read it. */
  oom_score_adj?: number | null;
  /** earlyoom 1.8+: the victim's command line (untrusted). */
  cmdline?: string | null;
  /** systemd-oomd: 'swap' or 'pressure'; kubelet: 'eviction'; earlyoom/nohang: null. */
  trigger_kind?: 'swap' | 'pressure' | 'eviction' | null;
  /** What happened after the signal (follow-up lines): 'exited', 'did-not-exit', 'kill-failed: ...', 'zombie'. */
  outcome?: string | null;
  /** Seconds from the first signal to the outcome line. */
  outcome_after_sec?: number | null;
  /** earlyoom: seconds after SIGTERM at which it escalated to SIGKILL. */
  escalated_after_sec?: number | null;
  /** earlyoom 1.8+: process_mrelease result ('success' or 'failed: ...'). */
  mrelease?: string | null;
  /** kubelet: the evicted pod as its klog line names it (`pod="NS/NAME"`, `podUID="..."`); untrusted. */
  pod_namespace?: string | null;
  pod_name?: string | null;
  pod_uid?: string | null;
}

function num(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** Number after `key` in s (bounded look-ahead); null when absent. */
function after(s: string, key: string, from = 0): number | null {
  const i = s.indexOf(key, from);
  if (i < 0) return null;
  return num(leadingInt(s.slice(i + key.length, i + key.length + 24).trimStart()));
}

/** A decimal like "2.4" or "0.100" at the start of s. */
function leadingDecimal(s: string): number | null {
  let i = 0;
  while (i < s.length && i < 24 && ((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || s[i] === '.')) i++;
  if (i === 0) return null;
  const n = Number(s.slice(0, i));
  return Number.isFinite(n) ? n : null;
}

/** earlyoom colours its stderr on a tty (msg.c color_log): a pasted terminal line may start with an SGR sequence. */
export function stripSgr(s: string): string {
  if (s.charCodeAt(0) !== 27) return s;
  const m = s.indexOf('m');
  if (m < 0 || m > 12) return s;
  let t = s.slice(m + 1);
  const reset = t.lastIndexOf('\x1b[0m');
  if (reset >= 0 && reset > t.length - 6) t = t.slice(0, reset);
  return t;
}

const SIGNAL_NAMES: Record<number, string> = { 9: 'SIGKILL', 15: 'SIGTERM' };

function blank(killer: UserspaceKiller): UserspaceKill {
  return { killer, pid: null, comm: null, uid: null, signal: null, badness: null, oom_score: null, vm_rss_kb: null, cgroup: null, reason: null };
}

/**
 * earlyoom's kill line, every wording in kill.c's history (github:rfjakob/earlyoom):
 *   v1.0 (2018-01)  "Killing process %d %s"                                        (only with the earlyoom ident: too generic alone)
 *   v1.1            "Killing process: %s, pid: %d, badness: %d, VmRSS: %lu MiB"
 *   v1.2 (bcd1ad4)  "Killing process '%s' with signal %d, pid: %d, badness: %d, VmRSS: %lu MiB"
 *   v1.3-rc1 (4c68c6a) "killing process %d \"%s\" with signal %d: badness %d, VmRSS %lu MiB"
 *   v1.3 (8c6fdb1)  "sending %s to process %d \"%s\": badness %d, VmRSS %lu MiB"
 *   v1.4 (522fdd1)  "sending %s to process %d uid %d \"%s\": badness %d, VmRSS %lu MiB"
 *   v1.8 (7534065, 5c452f9) "... \"%s\": oom_score %d, VmRSS %lld MiB, cmdline \"%s\""
 *   v1.9 (cbf0bb2)  "... \"%s\": oom_score %d, oom_score_adj %d, VmRSS %lld MiB, cmdline \"%s\""
 * `identified`: the line carries earlyoom's syslog/journal ident (the v1.0 form is accepted only then).
 */
export function parseEarlyoom(raw: string, identified = true): UserspaceKill | undefined {
  const text = stripSgr(raw);
  const u = blank('earlyoom');
  let rest: string;
  if (text.startsWith('sending SIG')) {
    const to = text.indexOf(' to process ');
    if (to < 0 || to > 24) return undefined;
    u.signal = text.slice(8, to);
    rest = text.slice(to + 12);
  } else if (text.startsWith('killing process ')) {
    rest = text.slice(16);
    const w = rest.indexOf(' with signal ');
    if (w < 0) return undefined;
    const n = leadingInt(rest.slice(w + 13, w + 20));
    u.signal = SIGNAL_NAMES[n] ?? `signal ${n}`;
  } else if (text.startsWith('Killing process: ')) {
    // v1.1: name first, then ", pid: N"
    const p = text.lastIndexOf(', pid: ');
    if (p < 0) return undefined;
    u.comm = text.slice(17, p);
    u.pid = num(leadingInt(text.slice(p + 7, p + 20)));
    u.signal = 'SIGKILL';
    u.badness = after(text, 'badness: ', p);
    const mib = after(text, 'VmRSS: ', p);
    u.vm_rss_kb = mib === null ? null : mib * 1024;
    return u.pid === null ? undefined : u;
  } else if (text.startsWith("Killing process '")) {
    const q = text.indexOf("' with signal ", 17);
    if (q < 0) return undefined;
    u.comm = text.slice(17, q);
    const n = leadingInt(text.slice(q + 14, q + 20));
    u.signal = SIGNAL_NAMES[n] ?? `signal ${n}`;
    u.pid = after(text, ', pid: ', q);
    u.badness = after(text, 'badness: ', q);
    const mib = after(text, 'VmRSS: ', q);
    u.vm_rss_kb = mib === null ? null : mib * 1024;
    return u.pid === null ? undefined : u;
  } else if (identified && text.startsWith('Killing process ')) {
    // v1.0: "Killing process %d %s"
    const r = text.slice(16);
    const pid = leadingInt(r);
    const sp = r.indexOf(' ');
    if (!Number.isFinite(pid) || sp < 0) return undefined;
    u.pid = pid;
    u.comm = r.slice(sp + 1);
    u.signal = 'SIGKILL';
    return u;
  } else return undefined;
  const pid = leadingInt(rest);
  if (!Number.isFinite(pid)) return undefined;
  u.pid = pid;
  const q1 = rest.indexOf('"');
  // the name is quoted raw (kill.c prints the comm as is): it may hold '"' and '": ' itself. The closing quote is
  // the one before the first field name; a comm is at most 15 bytes, so that is near.
  let q2 = -1;
  for (const f of ['": badness ', '": oom_score ', '" with signal ']) {
    const k = rest.indexOf(f, q1 + 1);
    if (k >= 0 && (q2 < 0 || k < q2)) q2 = k;
  }
  if (q1 < 0 || q2 < 0) return undefined;
  u.comm = rest.slice(q1 + 1, q2);
  const uidAt = rest.indexOf(' uid ');
  if (uidAt >= 0 && uidAt < q1) u.uid = num(leadingInt(rest.slice(uidAt + 5, uidAt + 20)));
  const tail = rest.slice(q2);
  // the cmdline comes last and is untrusted: read the numbers before it
  const cmd = tail.indexOf(', cmdline "');
  const nums = cmd >= 0 ? tail.slice(0, cmd) : tail.slice(0, 200);
  u.badness = after(nums, 'badness ');
  u.oom_score = after(nums, 'oom_score ');
  u.oom_score_adj = after(nums, 'oom_score_adj ');
  const mib = after(nums, 'VmRSS ');
  u.vm_rss_kb = mib === null ? null : mib * 1024;
  if (u.badness === null && u.oom_score === null && mib === null) return undefined;
  if (cmd >= 0) {
    const body = tail.slice(cmd + 11);
    u.cmdline = body.endsWith('"') ? body.slice(0, -1) : body;
  }
  return u;
}

export interface EarlyoomFollowUp {
  pid: number | null;
  escalated_after_sec?: number;
  outcome?: string;
  outcome_after_sec?: number | null;
  mrelease?: string;
}

/**
 * The lines earlyoom prints after a kill line (kill.c kill_wait()/kill_release()):
 *   "escalating to SIGKILL after %.1f seconds" (v1.3-1.7), "%.3f" (v1.8+, b42ad4a)
 *   "process exited after %.1f seconds" (v1.3-1.7), "process %d exited after %.3f seconds" (v1.8+, 8d5818c; also 1.3-rc1)
 *   "process %d did not exit" (v1.8+), "kill failed: %s" (v1.3+)
 *   "kill_release: pid=%d: process_mrelease pidfd=%d success|failed: %s" (v1.8+, 21ae145)
 */
export function parseEarlyoomFollowUp(raw: string): EarlyoomFollowUp | undefined {
  const text = stripSgr(raw);
  if (text.startsWith('escalating to SIGKILL after ')) {
    const s = leadingDecimal(text.slice(28));
    return s === null ? undefined : { pid: null, escalated_after_sec: s };
  }
  if (text.startsWith('process exited after ')) return { pid: null, outcome: 'exited', outcome_after_sec: leadingDecimal(text.slice(21)) };
  if (text.startsWith('process ')) {
    const pid = leadingInt(text.slice(8, 30));
    if (!Number.isFinite(pid)) return undefined;
    const sp = text.indexOf(' ', 8);
    const r = text.slice(sp + 1);
    if (r.startsWith('exited after ')) return { pid, outcome: 'exited', outcome_after_sec: leadingDecimal(r.slice(13)) };
    if (r.startsWith('did not exit')) return { pid, outcome: 'did-not-exit', outcome_after_sec: null };
    return undefined;
  }
  if (text.startsWith('kill failed: ')) return { pid: null, outcome: `kill-failed: ${text.slice(13, 120)}`, outcome_after_sec: null };
  const mr = text.indexOf(': process_mrelease pidfd=');
  if (mr >= 0 && text.startsWith('kill_release: pid=')) {
    const pid = leadingInt(text.slice(18, 40));
    const r = text.slice(mr + 25);
    const sp = r.indexOf(' ');
    if (sp < 0) return undefined;
    return { pid: num(pid), mrelease: r.slice(sp + 1, sp + 120) };
  }
  return undefined;
}

/** nohang's victim report, one line at a time (src/nohang, v0.2-v0.3 and master: implement_corrective_action()). */
export type NohangLine =
  | { kind: 'victim-status' }
  | { kind: 'pid'; pid: number; comm: string; uid: number | null }
  | { kind: 'badness'; badness: number | null; oom_score: number | null; oom_score_adj: number | null }
  | { kind: 'rss'; vm_rss_kb: number | null }
  | { kind: 'cgroup_v2' | 'cgroup_v1'; path: string }
  | { kind: 'sending'; signal: string }
  | { kind: 'outcome'; outcome: string; after_sec: number | null }
  | { kind: 'threshold'; reason: string };

export function parseNohangLine(text: string): NohangLine | undefined {
  const t = text.trimStart();
  if (t.startsWith('Victim status (found in ')) return { kind: 'victim-status' };
  if (t.startsWith('Memory status that requires corrective actions')) return { kind: 'threshold', reason: '' };
  if (t.startsWith('PID:')) {
    // "PID:       12297, name: tail, state: R (running), EUID: 1000, SID: ..." (the name runs up to ", state: ")
    const pid = leadingInt(t.slice(4).trimStart());
    const n = t.indexOf(', name: ');
    const st = t.indexOf(', state: ', n + 1);
    if (!Number.isFinite(pid) || n < 0) return undefined;
    const comm = t.slice(n + 8, st > n ? st : undefined);
    return { kind: 'pid', pid, comm, uid: after(t, 'EUID: ') };
  }
  if (t.startsWith('badness:')) return { kind: 'badness', badness: after(t, 'badness:'), oom_score: after(t, 'oom_score:'), oom_score_adj: after(t, 'oom_score_adj:') };
  if (t.startsWith('Vm, MiB:')) {
    const r = after(t, 'RSS: ');
    return { kind: 'rss', vm_rss_kb: r === null ? null : r * 1024 };
  }
  if (t.startsWith('cgroup_v2: ')) return { kind: 'cgroup_v2', path: t.slice(11) };
  if (t.startsWith('cgroup_v1: ')) return { kind: 'cgroup_v1', path: t.slice(11) };
  if (t.startsWith('Sending SIG') && t.endsWith(' to the victim')) return { kind: 'sending', signal: t.slice(8, t.length - 14) };
  if (t.startsWith('The victim died in ')) return { kind: 'outcome', outcome: 'exited', after_sec: leadingDecimal(t.slice(19)) };
  if (t.startsWith('The victim became a zombie in ')) return { kind: 'outcome', outcome: 'zombie', after_sec: leadingDecimal(t.slice(30)) };
  if (t.startsWith("The victim doesn't respond on corrective action")) return { kind: 'outcome', outcome: 'did-not-exit', after_sec: null };
  if (t.startsWith('MemAvailable [') || t.startsWith('SwapFree [') || t.startsWith('PSI ')) return { kind: 'threshold', reason: t.slice(0, 200) };
  return undefined;
}

/**
 * systemd-oomd (src/oom/oomd-manager.c), by version:
 *   v248-v259 "Killed %s due to memory pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s with reclaim activity"
 *   v249-v259 "Killed %s due to memory used (%lu) / total (%lu) and swap used (%lu) / total (%lu) being more than %lu.%02lu%%"
 *   v260+     "Marked %s for killing due to ..." (the same two tails; the kill follows after the prekill hooks)
 */
export function parseOomd(text: string): UserspaceKill | undefined {
  let path: string;
  let reason: string;
  if (text.startsWith('Killed ')) {
    const due = text.indexOf(' due to ');
    if (due < 0) return undefined;
    path = text.slice(7, due);
    reason = text.slice(due + 8);
  } else if (text.startsWith('Marked ')) {
    const due = text.indexOf(' for killing');
    if (due < 0) return undefined;
    path = text.slice(7, due);
    reason = text.startsWith(' due to ', due + 12) ? text.slice(due + 20) : '';
  } else if (text.startsWith('oomd attempting to kill ')) {
    // v247-v249 (oomd-util.c oomd_cgroup_kill(), then at debug level): one line per pid, no cgroup
    const pid = leadingInt(text.slice(24, 40));
    if (!Number.isFinite(pid)) return undefined;
    const u = blank('systemd-oomd');
    u.pid = pid;
    const w = text.indexOf(' with ', 24);
    u.signal = w > 0 ? `SIG${text.slice(w + 6, w + 12).trim()}` : 'SIGKILL';
    return u;
  } else return undefined;
  const u = blank('systemd-oomd');
  u.signal = 'SIGKILL';
  u.cgroup = path;
  u.reason = reason;
  u.trigger_kind = reason.startsWith('memory pressure') ? 'pressure' : reason.startsWith('memory used') || reason.includes('swap used') ? 'swap' : null;
  return u;
}

/** Facebook oomd's cgroup path as oomd printed it, made absolute under the cgroup2 root (so it joins the kernel's and PID 1's). */
function fbOomdPath(p: string): string {
  let s = p.trim();
  if (s.startsWith('/sys/fs/cgroup/')) s = s.slice(14);
  else if (s === '/sys/fs/cgroup') s = '/';
  return s.startsWith('/') ? s : `/${s}`;
}

/**
 * Facebook oomd's OLOG prefix (src/oomd/Log.h OLOG): "[../src/oomd/plugins/BaseKillPlugin.cpp:141] " in v0.x,
 * "MMDD HH:MM:SS [BaseKillPlugin.cpp:665] " once OOMD_LOG_TIME() was added. The message after it, or the text as is.
 */
function stripOlog(text: string): string {
  let i = 0;
  if (text.charCodeAt(0) !== 91 /* [ */) {
    // "0306 17:53:21 [" : 4 digits, a space, HH:MM:SS, a space
    if (text.length < 16 || text[4] !== ' ' || text[13] !== ' ' || text[14] !== '[') return text;
    i = 14;
  }
  const close = text.indexOf('] ', i);
  if (close < 0 || close - i > 120 || !text.slice(i, close).includes(':')) return text;
  return text.slice(close + 2);
}

export type FbOomdLine =
  | { kind: 'kill'; kill: UserspaceKill }
  | { kind: 'killed'; killed: number; pids: { pid: number; comm: string | null; failed: boolean }[] };

/**
 * Facebook oomd's kill lines (github:facebookincubator/oomd, src/oomd/plugins/BaseKillPlugin.cpp, 88c28fd):
 *   tryToKillCgroup()      OLOG "Trying to kill " <cgroup> [" with cgroup.freeze and cgroup.kill"]
 *   tryToKillPids()        OLOG "Killed " <n> ":" then " pid(comm)" per pid, "[E<errno>]" after a failed kill(2)
 *   tryToLogAndKillCgroup() kmsg "oomd kill: " <p10> <p60> <p300> <cgroup> <usage> "ruleset:[R] detectorgroup:[D] killer:NAME v2"
 *                          (ruleset/detectorgroup since a452710, 2019-01; LogTest.cpp keeps the older
 *                          "oomd kill: 10.00 60.00 600.00 Evil  1999 detector:swap,12345MB killer:Evaporate")
 * Its dry run ("OOMD: In dry-run mode; would have tried to kill") kills nothing and is not read.
 */
export function parseFbOomd(raw: string): FbOomdLine | undefined {
  const text = stripOlog(raw);
  if (text.startsWith('Trying to kill ')) {
    let path = text.slice(15);
    const w = path.indexOf(' with cgroup.freeze');
    if (w >= 0) path = path.slice(0, w);
    if (path.length === 0) return undefined;
    const u = blank('oomd');
    u.signal = 'SIGKILL';
    u.cgroup = fbOomdPath(path);
    return { kind: 'kill', kill: u };
  }
  if (text.startsWith('Killed ')) {
    const colon = text.indexOf(':', 7);
    if (colon < 0 || colon > 20) return undefined;
    const killed = leadingInt(text.slice(7, colon));
    if (!Number.isFinite(killed)) return undefined;
    const pids: { pid: number; comm: string | null; failed: boolean }[] = [];
    // " 1377(ssh-agent)[E1] 1401(tmux: server)[E1] ..." (a comm may hold spaces: it ends at ")" followed by " ", "[" or the end)
    let i = colon + 1;
    while (i < text.length && pids.length < 1000) {
      while (text[i] === ' ') i++;
      const pid = leadingInt(text.slice(i, i + 12));
      if (!Number.isFinite(pid)) break;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      let comm: string | null = null;
      if (text[i] === '(') {
        let j = text.indexOf(')', i);
        while (j >= 0 && j + 1 < text.length && text[j + 1] !== ' ' && text[j + 1] !== '[') j = text.indexOf(')', j + 1);
        if (j < 0) { comm = text.slice(i + 1); i = text.length; } else { comm = text.slice(i + 1, j); i = j + 1; }
      }
      let failed = false;
      if (text.startsWith('[E', i)) { failed = true; const k = text.indexOf(']', i); i = k < 0 ? text.length : k + 1; }
      pids.push({ pid, comm, failed });
    }
    if (pids.length === 0) return undefined;
    return { kind: 'killed', killed, pids };
  }
  if (text.startsWith('oomd kill: ')) {
    const f = text.slice(11).split(' ').filter((x) => x !== '');
    const p = f.slice(0, 3).map((x) => leadingDecimal(x));
    const path = f[3];
    if (p.some((x) => x === null) || path === undefined) return undefined;
    const u = blank('oomd');
    u.signal = 'SIGKILL';
    u.cgroup = fbOomdPath(path);
    const usage = f[4] !== undefined ? leadingInt(f[4]) : NaN;
    const tail = f.slice(Number.isFinite(usage) ? 5 : 4).filter((x) => x !== 'v2').join(' ');
    u.reason = `${tail}${tail ? '; ' : ''}memory pressure ${p.join('/')} (avg10/avg60/avg300)${Number.isFinite(usage) ? `, usage ${usage}` : ''}`.slice(0, 300);
    return { kind: 'kill', kill: u };
  }
  return undefined;
}

/**
 * Lines of systemd-oomd that say which path fired before the kill line: v247's notice "Memory pressure for %s is
 * %lu.%02lu%% > ... with reclaim activity" (PR #15206), the dump's "Swap Usage:" / "Memory Pressure Limit:"
 * (v251+, PR #22395) and v260's "Rule '%s' conditions met for cgroup %s ..., taking action %s".
 */
export function parseOomdContext(text: string): { trigger_kind: 'swap' | 'pressure'; reason: string | null } | undefined {
  const t = text.trimStart();
  if (t.startsWith('Memory pressure for ') && t.includes(' with reclaim activity')) return { trigger_kind: 'pressure', reason: t.slice(0, 300) };
  if (t.startsWith('Swap Usage: ')) return { trigger_kind: 'swap', reason: null };
  if (t.startsWith('Memory Pressure Limit: ')) return { trigger_kind: 'pressure', reason: null };
  if (t.startsWith('Rule ') && t.includes(' conditions met for cgroup ')) {
    return t.includes('kill-by-swap') ? { trigger_kind: 'swap', reason: t.slice(0, 300) } : { trigger_kind: 'pressure', reason: t.slice(0, 300) };
  }
  return undefined;
}

export interface WitnessRecord {
  witness: Witness;
  /** systemd unit, Docker/containerd container id, or null. */
  unit: string | null;
  container_id: string | null;
  pid: number | null;
  comm: string | null;
  /** 'systemd-oomd' (PID 1 says oomd killed), 'kernel' (PID 1: the kernel OOM killer), null. */
  says_killer: 'systemd-oomd' | 'kernel' | null;
  processes_killed: number | null;
  text: string;
}

function witness(w: Witness, text: string): WitnessRecord {
  return { witness: w, unit: null, container_id: null, pid: null, comm: null, says_killer: null, processes_killed: null, text: text.slice(0, 300) };
}

/**
 * PID 1 and the user managers (systemd src/core; wordings as seen in real journals, systemd #23606 and
 * omarchy #9799, and quoted in systemd PRs #20690 / #22629; the source functions were not re-read here):
 *   "%s: systemd-oomd killed %lu process(es) in this unit."
 *   "%s: A process of this unit has been killed by the OOM killer."
 *   "%s: Failed with result 'oom-kill'." (for oomd kills too since PR #22629, v251)
 */
export function parsePid1(text: string): WitnessRecord | undefined {
  const c = text.indexOf(': ');
  if (c <= 0 || c > 256) return undefined;
  const unit = text.slice(0, c);
  const r = text.slice(c + 2);
  if (r.startsWith('systemd-oomd killed ')) {
    const w = witness('systemd', text);
    w.unit = unit;
    w.says_killer = 'systemd-oomd';
    w.processes_killed = num(leadingInt(r.slice(20)));
    return w;
  }
  if (r.startsWith('A process of this unit has been killed by the OOM killer')) {
    const w = witness('systemd', text);
    w.unit = unit;
    w.says_killer = 'kernel';
    return w;
  }
  if (r.startsWith("Failed with result 'oom-kill'")) {
    const w = witness('systemd', text);
    w.unit = unit;
    return w;
  }
  return undefined;
}

/**
 * The kubelet: eviction "The node was low on resource: memory. Container %v was using %v, which exceeds its
 * request of %v." (pkg/kubelet/eviction/helpers.go evictionMessage(), as seen in k8s #112927 and squat/kilo #329);
 * "System OOM encountered" (seen in k8s PR #78174), ", victim process: %s, pid: %d" added by that PR
 * (pkg/kubelet/oom watcher; that wording was not seen in a real log here).
 * Found anywhere in a line: kubectl describe, kubelet's klog and the event stream all carry the text.
 */
/** A klog structured value ` key="value"` (no escaped quotes in a pod name or uid); null when absent. */
function klogValue(text: string, key: string): string | null {
  const k = text.indexOf(` ${key}="`);
  if (k < 0) return null;
  const from = k + key.length + 3;
  const end = text.indexOf('"', from);
  if (end < 0 || end - from > 300) return null;
  return text.slice(from, end);
}

export function parseKubelet(text: string): { eviction: UserspaceKill } | { witness: WitnessRecord } | undefined {
  const low = text.indexOf('The node was low on resource: memory');
  if (low >= 0) {
    const u = blank('kubelet');
    u.trigger_kind = 'eviction';
    u.signal = 'eviction';
    const c = text.indexOf('Container ', low);
    if (c >= 0) {
      const w = text.indexOf(' was using ', c);
      if (w > c) u.comm = text.slice(c + 10, w);
    }
    const end = text.indexOf('"', low);
    u.reason = text.slice(low, end > low ? Math.min(end, low + 300) : low + 300).trim();
    // pkg/kubelet/eviction/eviction_manager.go evictPod(): klog.V(3).InfoS("Evicting pod", "pod", klog.KObj(pod),
    // "podUID", pod.UID, "message", evictMsg): KObj prints "NAMESPACE/NAME"
    const pod = klogValue(text, 'pod');
    const slash = pod === null ? -1 : pod.indexOf('/');
    if (pod !== null && slash > 0 && slash < pod.length - 1) {
      u.pod_namespace = pod.slice(0, slash);
      u.pod_name = pod.slice(slash + 1);
    }
    const uid = klogValue(text, 'podUID');
    if (uid !== null && /^[0-9a-f-]{8,64}$/.test(uid)) u.pod_uid = uid;
    return { eviction: u };
  }
  const s = text.indexOf('System OOM encountered');
  if (s >= 0) {
    const w = witness('kubelet', text.slice(s));
    w.says_killer = 'kernel';
    const v = text.indexOf('victim process: ', s);
    if (v >= 0) {
      const p = text.indexOf(', pid: ', v);
      if (p > v) {
        w.comm = text.slice(v + 16, p);
        w.pid = num(leadingInt(text.slice(p + 7, p + 20)));
      }
    }
    return { witness: w };
  }
  return undefined;
}

function hexId(s: string): string | null {
  let i = 0;
  while (i < s.length && i < 64) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) break;
    i++;
  }
  return i >= 12 ? s.slice(0, i) : null;
}

/**
 * Docker: `docker events` "container oom <id> (attrs)" (daemon/monitor.go LogContainerEvent "oom", moby #9246);
 * containerd: "TaskOOM event container_id:\"<id>\"" (pkg/cri/server/events.go, logged at info).
 */
export function parseContainerRecord(text: string): WitnessRecord | undefined {
  const d = text.startsWith('container oom ') ? -1 : text.indexOf(' container oom ');
  if (d >= -1 && (d >= 0 || text.startsWith('container oom '))) {
    const id = hexId(text.slice(d + 15));
    if (id) {
      const w = witness('docker', text);
      w.container_id = id;
      w.says_killer = 'kernel';
      return w;
    }
  }
  const c = text.indexOf('TaskOOM event ');
  if (c >= 0) {
    const k = text.indexOf('container_id:', c);
    if (k < 0) return undefined;
    let s = text.slice(k + 13, k + 100);
    while (s.startsWith('\\') || s.startsWith('"')) s = s.slice(1);
    const id = hexId(s);
    if (!id) return undefined;
    const w = witness('containerd', text);
    w.container_id = id;
    w.says_killer = 'kernel';
    return w;
  }
  return undefined;
}
