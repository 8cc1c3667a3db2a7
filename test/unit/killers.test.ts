// Every killer's own words (test/fixtures/logs, provenance in SOURCES.md), one death per death
// (kernel/death.ts), and what must produce no event at all.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeVerdict, DeathJoiner, eventId, ownerBasisOf, type Death } from '../../src/kernel/death.js';
import { analyzeOomEvent } from '../../src/kernel/oom-event.js';
import { counterEvent, parseKernelLog, type OomEvent } from '../../src/parse/kernel-log/parser.js';
import { parseEarlyoom, parseEarlyoomFollowUp, parseFbOomd, parseKubelet, parseOomd, parsePid1 } from '../../src/parse/kernel-log/userspace.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
const read = (f: string): string => readFileSync(path.join(DIR, f), 'utf8');
const records = (text: string): OomEvent[] => parseKernelLog(text, { year: 2025, witnesses: true }).events;
function deaths(text: string): Death[] {
  const j = new DeathJoiner();
  const out: Death[] = [];
  for (const e of records(text)) out.push(...j.push(e));
  out.push(...j.end());
  return out;
}
const verdicts = (f: string) => deaths(read(f)).map((d) => ({ d, v: computeVerdict(d, analyzeOomEvent(d.primary)) }));
/** The one death of a fixture (fails when it holds more or none). */
function onlyDeath(f: string): ReturnType<typeof verdicts>[number] {
  const v = verdicts(f);
  expect(v).toHaveLength(1);
  return v[0] as ReturnType<typeof verdicts>[number];
}

describe('earlyoom, every wording (kill.c history)', () => {
  it.each([
    // v1.1 (source format string, kill.c at tag v1.1; no real log found)
    ['Killing process: tail, pid: 24059, badness: 997, VmRSS: 4278 MiB', { pid: 24059, comm: 'tail', signal: 'SIGKILL', badness: 997, vm_rss_kb: 4278 * 1024 }],
    // v1.2, real (earlyoom #243, quoted in reference/killers.md)
    ["Killing process 'tail' with signal 15, pid: 24059, badness: 997, VmRSS: 4278 MiB", { pid: 24059, comm: 'tail', signal: 'SIGTERM', badness: 997 }],
    // v1.3-rc1, real (earlyoom #128)
    ['killing process 28367 "python3" with signal 15: badness 698, VmRSS 11793 MiB', { pid: 28367, comm: 'python3', signal: 'SIGTERM', badness: 698 }],
    // v1.3, real (earlyoom #131, the sample)
    ['sending SIGTERM to process 12006 "python3": badness 209, VmRSS 2891 MiB', { pid: 12006, comm: 'python3', uid: null, signal: 'SIGTERM', badness: 209, vm_rss_kb: 2891 * 1024 }],
    // v1.4-1.7, real (earlyoom #309)
    ['sending SIGTERM to process 29410 uid 1000 "cluster": badness 1264, VmRSS 23964 MiB', { pid: 29410, uid: 1000, comm: 'cluster', badness: 1264 }],
    // v1.8, real (earlyoom #344)
    ['sending SIGTERM to process 1024668 uid 1000 "Web Content": oom_score 823, VmRSS 79 MiB, cmdline "/usr/lib/firefox/firefox -contentproc"', { pid: 1024668, comm: 'Web Content', oom_score: 823, cmdline: '/usr/lib/firefox/firefox -contentproc' }],
    // v1.9 (source format string, kill.c cbf0bb2; no real log found)
    ['sending SIGKILL to process 4242 uid 1000 "a "q": x": oom_score 900, oom_score_adj 300, VmRSS 12 MiB, cmdline "evil": oom_score 1"', { pid: 4242, comm: 'a "q": x', signal: 'SIGKILL', oom_score: 900, oom_score_adj: 300, cmdline: 'evil": oom_score 1' }],
  ])('%s', (line, want) => {
    expect(parseEarlyoom(line)).toMatchObject(want);
  });

  it('reads the v1.0 wording only with earlyoom\'s ident (alone it is too generic)', () => {
    expect(parseEarlyoom('Killing process 1234 firefox', true)).toMatchObject({ pid: 1234, comm: 'firefox' });
    expect(parseEarlyoom('Killing process 1234 firefox', false)).toBeUndefined();
  });

  it('reads the follow-up lines of every version', () => {
    expect(parseEarlyoomFollowUp('escalating to SIGKILL after 2.4 seconds')).toEqual({ pid: null, escalated_after_sec: 2.4 });
    expect(parseEarlyoomFollowUp('escalating to SIGKILL after 0.300 seconds')).toEqual({ pid: null, escalated_after_sec: 0.3 });
    expect(parseEarlyoomFollowUp('process exited after 2.8 seconds')).toMatchObject({ outcome: 'exited', outcome_after_sec: 2.8 });
    expect(parseEarlyoomFollowUp('process 1024668 exited after 0.100 seconds')).toMatchObject({ pid: 1024668, outcome: 'exited', outcome_after_sec: 0.1 });
    expect(parseEarlyoomFollowUp('process 906175 did not exit')).toMatchObject({ pid: 906175, outcome: 'did-not-exit' });
    expect(parseEarlyoomFollowUp('kill_release: pid=906175: process_mrelease pidfd=4 failed: Invalid argument')).toMatchObject({ pid: 906175, mrelease: 'failed: Invalid argument' });
    expect(parseEarlyoomFollowUp('kill_release: pid=1024668: process_mrelease pidfd=4 success')).toMatchObject({ mrelease: 'success' });
  });

  it('the issue\'s plain output: one death by earlyoom, SIGTERM escalated to SIGKILL, exited after 2.8 s', () => {
    const [x, ...rest] = verdicts('earlyoom-131-plain-1.3rc.log');
    expect(rest).toHaveLength(0);
    expect(x?.d.primary.victim).toMatchObject({ pid: 12006, comm: 'python3' });
    expect(x?.d.primary.userspace).toMatchObject({ signal: 'SIGKILL', escalated_after_sec: 2.4, outcome: 'exited', outcome_after_sec: 2.8, reason: 'low memory! at or below SIGTERM limits: mem 50 %, swap 10 %' });
    expect(x?.v.killer).toBe('earlyoom');
    expect(x?.v.trigger.detail).toMatch(/escalated to SIGKILL after 2.4 s; exited after 2.8 s/);
  });

  it('earlyoom\'s SIGTERM and the kernel\'s kill of the same pid are one death, by the kernel (earlyoom #128)', () => {
    const v = verdicts('earlyoom-128-plain-and-syslog-kernel-killed.log');
    expect(v).toHaveLength(1);
    expect(v[0]?.v.killer).toBe('kernel-global');
    expect(v[0]?.d.records.map((r) => r.killer)).toEqual(['earlyoom', 'kernel']);
    expect(v[0]?.v.notes[0]).toMatch(/earlyoom had sent SIGTERM/);
  });

  it.each([
    ['earlyoom-249-journal-1.6-pgroup.log', 6674, { outcome: 'exited', outcome_after_sec: 0 }],
    ['earlyoom-344-journal-1.8-mrelease.log', 1024668, { oom_score: 823, mrelease: 'success', outcome: 'exited', outcome_after_sec: 0.1 }],
    ['earlyoom-354-journal-oom-score.log', 906175, { mrelease: 'failed: Invalid argument', outcome: 'kill-failed: Timer expired' }],
    ['earlyoom-309-journal.log', 29410, { badness: 1264, outcome: 'exited' }],
  ])('%s', (f, pid, us) => {
    const v = verdicts(f);
    const x = v.find((y) => y.d.primary.victim?.pid === pid);
    expect(x?.v.killer).toBe('earlyoom');
    expect(x?.d.primary.userspace).toMatchObject(us);
  });
});

describe('nohang', () => {
  it('reads the multi-line victim report (built from the format string of src/nohang: no real one found)', () => {
    const v = verdicts('nohang-format-string-journal.log');
    expect(v).toHaveLength(1);
    expect(v[0]?.v.killer).toBe('nohang');
    expect(v[0]?.d.primary.victim).toMatchObject({ pid: 4711, comm: 'tail', uid: 1000, oom_score_adj: 0, rss_kb: 3380 * 1024 });
    expect(v[0]?.d.primary.userspace).toMatchObject({ signal: 'SIGKILL', badness: 866, oom_score: 866, cgroup: '/user.slice/user-1000.slice/session-3.scope', outcome: 'exited', outcome_after_sec: 0.031 });
    expect(v[0]?.v.trigger.detail).toMatch(/MemAvailable \[187 MiB, 4.8 %\] <= hard_threshold_min_mem/);
  });
});

describe('systemd-oomd and PID 1', () => {
  it('pressure (v248-259, systemd #23606): oomd\'s kill and the user manager\'s line are one death', () => {
    const v = verdicts('systemd-23606-oomd-journal.log');
    expect(v).toHaveLength(1);
    expect(v[0]?.v.killer).toBe('systemd-oomd-pressure');
    expect(v[0]?.v.trigger.detail).toMatch(/51.07% > 50.00% for > 20s with reclaim activity; 12 process\(es\) killed/);
    expect(v[0]?.d.records.map((r) => r.witness?.witness ?? r.killer)).toEqual(['systemd-oomd', 'systemd']);
  });

  it('swap (v249+, the line of systemd #25853)', () => {
    const v = verdicts('systemd-25853-oomd-swap-line.log');
    expect(v[0]?.v.killer).toBe('systemd-oomd-swap');
    expect(parseOomd('Killed /a.scope due to memory used (1) / total (2) and swap used (3) / total (4) being more than 90.00%')?.trigger_kind).toBe('swap');
  });

  it('v260 "Marked ... for killing" after a swap dump (omarchy #9799), with PID 1\'s count and result', () => {
    const v = verdicts('systemd-9799-oomd-260-marked-swap.log');
    expect(v).toHaveLength(1);
    expect(v[0]?.v.killer).toBe('systemd-oomd-swap');
    expect(v[0]?.d.records).toHaveLength(3);
    expect(v[0]?.v.trigger.detail).toMatch(/2104 process\(es\)/);
  });

  it('v260 "Marked %s for killing due to ..." with either tail (format strings of src/oom/oomd-manager.c, v260)', () => {
    expect(parseOomd('Marked /user.slice/a.scope for killing due to memory pressure for /user.slice being 51.07% > 50.00% for > 20s with reclaim activity')).toMatchObject({ cgroup: '/user.slice/a.scope', trigger_kind: 'pressure' });
    expect(parseOomd('Marked /system.slice/b.service for killing due to memory used (1) / total (2) and swap used (3) / total (4) being more than 90.00%')).toMatchObject({ cgroup: '/system.slice/b.service', trigger_kind: 'swap' });
  });

  it('v247 "oomd attempting to kill N" after the pressure notice (systemd PR #22032)', () => {
    const v = verdicts('systemd-22032-oomd-247-pressure-attempting.log');
    expect(v.map((x) => [x.d.primary.victim?.pid, x.v.killer])).toEqual([[113, 'systemd-oomd-pressure'], [118, 'systemd-oomd-pressure'], [108, 'systemd-oomd-pressure']]);
  });

  it('PID 1\'s wordings', () => {
    expect(parsePid1('foo.service: systemd-oomd killed 3 process(es) in this unit.')).toMatchObject({ unit: 'foo.service', says_killer: 'systemd-oomd', processes_killed: 3 });
    expect(parsePid1('foo.service: A process of this unit has been killed by the OOM killer.')).toMatchObject({ unit: 'foo.service', says_killer: 'kernel' });
    expect(parsePid1("foo.service: Failed with result 'oom-kill'.")).toMatchObject({ unit: 'foo.service', says_killer: null });
    expect(parsePid1("foo.service: Failed with result 'signal'.")).toBeUndefined();
  });
});

describe("Facebook oomd's kills (github:facebookincubator/oomd BaseKillPlugin.cpp, killer 'oomd')", () => {
  it('oomd#122, real: "Trying to kill" then "Killed 0: pid(comm)[E1] ..." are one death of that cgroup, every kill refused', () => {
    const d = onlyDeath('oomd-122-journal-trying-killed.log');
    expect(d.v.killer).toBe('oomd');
    expect(d.d.primary.userspace).toMatchObject({ killer: 'oomd', signal: 'SIGKILL', cgroup: '/user.slice/user-1000.slice/user@1000.service/gnome-launched-firefox-11870.scope', outcome: 'killed 0 of 10 process(es)' });
    expect(d.d.primary.victim).toMatchObject({ pid: 1377, comm: 'ssh-agent' });
  });

  it('format strings at 88c28fd: the journal\'s "Trying to kill"/"Killed 2:" and the kmsg "oomd kill:" line join into one death; the dry run is no kill', () => {
    const d = onlyDeath('oomd-format-string-syslog-kmsg.log');
    expect(d.v.killer).toBe('oomd');
    expect(d.d.records.map((r) => r.killer)).toEqual(['oomd', 'oomd']);
    expect(d.d.primary.victim).toMatchObject({ pid: 4242, comm: 'batch' });
    expect(d.v.trigger.detail).toMatch(/ruleset:\[protection against high memory pressure\] detectorgroup:\[high memory pressure\] killer:kill_by_memory_size_or_growth; memory pressure 62.34\/41.02\/15.8/);
    expect(d.v.trigger.detail).toMatch(/killed 2 process\(es\) in \/system.slice\/batch.service/);
    expect(d.v.why).toMatch(/kill_by_memory_size_or_growth plugin/);
  });

  it.each([
    // LogTest.cpp's sample of the kmsg line before a452710 (2019-01, no ruleset/detectorgroup)
    ['oomd kill: 10.00 60.00 600.00 Evil  1999 detector:swap,12345MB killer:Evaporate ', { cgroup: '/Evil', reason: 'detector:swap,12345MB killer:Evaporate; memory pressure 10/60/600 (avg10/avg60/avg300), usage 1999' }],
    ['[../src/oomd/plugins/BaseKillPlugin.cpp:96] Trying to kill /sys/fs/cgroup/a.slice/b.scope', { cgroup: '/a.slice/b.scope' }],
  ])('%s', (line, want) => {
    const f = parseFbOomd(line);
    expect(f?.kind).toBe('kill');
    expect(f?.kind === 'kill' ? f.kill : null).toMatchObject(want);
  });

  it('"Killed N:" keeps a comm with spaces and marks refused kills', () => {
    expect(parseFbOomd('0306 17:53:21 [BaseKillPlugin.cpp:665] Killed 1: 1401(tmux: server) 1402(zsh)[E3]')).toEqual({ kind: 'killed', killed: 1, pids: [{ pid: 1401, comm: 'tmux: server', failed: false }, { pid: 1402, comm: 'zsh', failed: true }] });
    expect(parseFbOomd('[BaseKillPlugin.cpp:543] OOMD: In dry-run mode; would have tried to kill x.slice')).toBeUndefined();
    expect(parseFbOomd('Killed process 12 (x) total-vm:1kB')).toBeUndefined();
  });
});

describe('kubelet, Docker, containerd', () => {
  it('an eviction (k8s #112927) is the kubelet\'s, with its message', () => {
    const v = verdicts('k8s-112927-evicted-describe.log');
    expect(v).toHaveLength(1);
    expect(v[0]?.v.killer).toBe('kubelet-eviction');
    expect(v[0]?.d.primary.userspace?.reason).toBe('The node was low on resource: memory. Container citadel was using 43536Ki, which exceeds its request of 0.');
  });

  it('SystemOOM events (k8s PR #78174, before it) are the kernel\'s, victim unknown', () => {
    const v = verdicts('k8s-78174-systemoom-describe.log');
    expect(v).toHaveLength(3);
    expect(v.every((x) => x.v.killer === 'kernel' && x.d.primary.witness?.witness === 'kubelet')).toBe(true);
  });

  it('Docker\'s "container oom" and containerd\'s TaskOOM name the container', () => {
    expect(records(read('docker-670-events-container-oom.log'))[0]?.witness).toMatchObject({ witness: 'docker', container_id: '29d72966e0beb17d9b0b9fbcbfc734e2df2eb5428690115f9b24430357de08e5' });
    expect(records(read('containerd-8893-taskoom.log')).map((r) => r.witness?.container_id)).toEqual(['4bcba7fc4369fee4d7d2e6263b58fce52cfc928c6a31cfac4d43c838708991ce']);
  });

  it('joins a container record with the kernel\'s kill in that container\'s cgroup', () => {
    const kernel = read('saksdirect-32-memcg-limit-of.log');
    const docker = 'container oom 8fce98455ffa497e57269ae0520e5277b22f7e0934975523bb60d76ef9467b25 (name=x)';
    const d = deaths(`${kernel}\n${docker}\n`);
    expect(d).toHaveLength(1);
    expect(d[0]?.records.map((r) => r.witness?.witness ?? r.killer).sort()).toEqual(['docker', 'kernel']);
    expect(d[0]?.primary.killer).toBe('kernel');
  });
});

describe('the join', () => {
  it('joins a cgroup counter with the kernel\'s memcg kill of that cgroup, not with another cgroup\'s', () => {
    const [k] = records(read('machine-6.18-memcg-v1.kmsg.log'));
    const kernel = k as OomEvent;
    kernel.time_ms = 1_000_000;
    const j = new DeathJoiner();
    j.push(kernel);
    j.push(counterEvent('memory.oom_control', '/elsewhere', 1, 1_000_500));
    j.push(counterEvent('memory.oom_control', kernel.oom_memcg as string, 1, 1_000_400));
    const d = j.end();
    expect(d).toHaveLength(2);
    expect(d[0]?.records.map((r) => r.witness?.witness ?? 'kernel')).toEqual(['kernel', 'memory.oom_control']);
    expect(d[0]?.primary).toBe(kernel);
  });

  it('keeps two kernel kills apart however close, and records more than 5 s apart', () => {
    const a = records(read('machine-6.18-memcg-v1.kmsg.log'))[0] as OomEvent;
    const b = { ...a, victim: { ...(a.victim as NonNullable<OomEvent['victim']>), pid: 1 }, time_ms: 1000 };
    const c = counterEvent('memory.oom_control', a.oom_memcg as string, 1, 9000);
    const j = new DeathJoiner();
    const out = [...j.push({ ...a, time_ms: 1000 }), ...j.push(b), ...j.push(c), ...j.end()];
    expect(out).toHaveLength(3);
  });

  it('gives ids that do not change when earlier kills leave the log or later ones arrive', () => {
    const text = read('aks-syslog-oom-group.log') + read('machine-6.18-memcg-v1.dmesg-T.log');
    const all = deaths(text).map((d) => d.id);
    const lastOnly = deaths(read('machine-6.18-memcg-v1.dmesg-T.log')).map((d) => d.id);
    expect(all.slice(-lastOnly.length)).toEqual(lastOnly);
    expect(new Set(all).size).toBe(all.length);
    const k = records(read('machine-6.18-memcg-v1.kmsg.log'))[0] as OomEvent;
    expect(eventId(k, 'e6acc6fe')).toBe('e6acc6fe-420892079-4460');
  });
});

describe('no event', () => {
  it.each([
    // application messages that say "out of memory"
    ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
    ['Jun 24 18:49:43 db postgres[2211]: [3-1] ERROR:  out of memory'],
    ['Jun 24 18:49:43 db postgres[2211]: [3-2] DETAIL:  Failed on request of size 1048576 in memory context "ExecutorState".'],
    ['2025-01-01 10:00:00.000 UTC [123] DETAIL:  out of memory while reading tuples'],
    ['Killed process group 1234 by user request'],
    ['sending SIGTERM to process 1234'],
    ['process 123 exited after 5 seconds'],
    ['The victim died in 0.5s'],
  ])('%s', (line) => {
    expect(records(line)).toHaveLength(0);
  });

  it('a page allocation failure report without a kill (systemd #36434)', () => {
    const p = parseKernelLog(read('systemd-36434-page-allocation-failure.log'), { witnesses: true });
    expect(p.events).toHaveLength(0);
    expect(p.parser.unparsedCount).toBe(0);
  });
});

describe("the kubelet's eviction names its pod (eviction_manager.go evictPod())", () => {
  it('"Evicting pod" pod="NS/NAME" podUID=... message="The node was low on resource: memory..." (format string): owner basis pod', () => {
    const d = onlyDeath('k8s-format-string-kubelet-evicting-pod.log');
    expect(d.v.killer).toBe('kubelet-eviction');
    expect(d.d.primary.userspace).toMatchObject({ pod_namespace: 'shop', pod_name: 'api-6c9b7d5f4-x2kqp', pod_uid: '0b6ad7a1-1c39-4f70-9a52-3f9d8c1e2a77' });
    expect(ownerBasisOf(d.d).pod).toEqual({ namespace: 'shop', name: 'api-6c9b7d5f4-x2kqp', uid: '0b6ad7a1-1c39-4f70-9a52-3f9d8c1e2a77' });
  });

  it('kubectl describe (kubernetes#112927, real) names no namespace: no pod basis', () => {
    const v = verdicts('k8s-112927-evicted-describe.log');
    expect(v.map((x) => ownerBasisOf(x.d).pod)).toEqual([null]);
  });

  it('a pod value without a namespace, or a uid that is not one, is not taken', () => {
    const k = parseKubelet('"Evicting pod" pod="api" podUID="$(evil)" message="The node was low on resource: memory. "');
    expect(k && 'eviction' in k ? [k.eviction.pod_name ?? null, k.eviction.pod_uid ?? null] : 'none').toEqual([null, null]);
  });
});
