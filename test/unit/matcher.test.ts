// One name matcher (kernel/target.ts matchesName) for explain, adj/protect/
// unprotect (selectTargets), policy rules (mayMatchRule), events --victim
// (commMatchesName) and completion (completionNames): the same names give the
// same processes everywhere.

import { describe, expect, it } from 'vitest';
import { completionNames } from '../../src/commands/completion.js';
import { findTargets } from '../../src/commands/explain.js';
import type { Prediction } from '../../src/core/prediction.js';
import { mayMatchRule } from '../../src/kernel/policy-plan.js';
import { commMatchesName, cutComm, selectTargets, type TargetProcess } from '../../src/kernel/target.js';
import type { ProcessRule } from '../../src/parse/policy.js';

const LONG_UTF8 = 'dæmon-überwachung';
const PROCS: { pid: number; comm: string; exe: string | undefined }[] = [
  { pid: 101, comm: 'systemd-journal', exe: '/usr/lib/systemd/systemd-journald' },
  { pid: 102, comm: 'my-very-long-da', exe: '/opt/app/my-very-long-daemon-name' },
  { pid: 103, comm: 'worker-1', exe: '/opt/app/my-very-long-daemon-name' },
  { pid: 104, comm: cutComm(LONG_UTF8), exe: undefined },
  { pid: 105, comm: 'my-python-tool-', exe: '/usr/bin/python3.11' },
];

// name -> the pids it names
const CASES: [string, number[]][] = [
  ['systemd-journal-upload', []],
  ['systemd-journald', [101]],
  ['systemd-journal', [101]],
  ['my-very-long-da-totally-different', []],
  ['my-very-long-daemon-name', [102, 103]],
  [LONG_UTF8, [104]],
  [cutComm(LONG_UTF8), [104]],
  ['my-python-tool-name', [105]],
];

const target = (p: (typeof PROCS)[number]): TargetProcess => ({ ...p, uid: 0, user: 'root', cmdline: undefined, unit: undefined, cgroupPaths: [], kernelThread: false });
const prediction = { ranked: PROCS.map((p, i) => ({ rank: i + 1, task: { pid: p.pid, record: { comm: p.comm, kernelThread: false } } })) } as unknown as Prediction;
const exeOf = (pid: number): string | undefined => PROCS.find((p) => p.pid === pid)?.exe;

function viaAdj(name: string): number[] {
  try {
    return selectTargets(PROCS.map(target), { target: name, exact: false, regex: undefined, user: undefined, exe: undefined, unit: undefined, cgroup: undefined, allMatches: true, selfPid: undefined }, (s) => s).matches.map((p) => p.pid);
  } catch {
    return [];
  }
}
function viaExplain(name: string): number[] {
  try {
    return findTargets(prediction, name, exeOf).map((r) => r.task.pid);
  } catch {
    return [];
  }
}
/** The pids completion's count for `name` stands for; [] when it does not offer the name. */
function viaCompletion(name: string): number[] {
  return completionNames(PROCS.map((p) => ({ ...p, kernelThread: false }))).find((n) => n.name === name)?.pids ?? [];
}
function viaPolicy(name: string): number[] {
  const rule = { match: { name, exact: false } } as unknown as ProcessRule;
  return PROCS.filter((p) => mayMatchRule(rule, p)).map((p) => p.pid);
}

describe('one matcher', () => {
  it('the 15-byte cut is in bytes: "dæmon-überwachung" keeps 15 bytes, fewer than 15 characters', () => {
    expect(new TextEncoder().encode(cutComm(LONG_UTF8)).length).toBeLessThanOrEqual(15);
    expect(cutComm(LONG_UTF8).length).toBeLessThan(15);
    expect(cutComm(LONG_UTF8)).not.toBe(LONG_UTF8.slice(0, 15));
  });

  it.each(CASES)('%s: adj/protect, explain and policy rules name %j', (name, pids) => {
    expect(viaAdj(name)).toEqual(pids);
    expect(viaExplain(name)).toEqual(pids);
    expect(viaPolicy(name)).toEqual(pids);
  });

  // Completion offers names it reads (comms and executable names), not the longer names a user
  // may type: where it offers a name, its count is the matcher's; where it cannot know the name
  // (the long UTF-8 one, a name no process has), it offers none, and what it offers instead (the
  // cut) names the same process.
  it.each(CASES)('%s: completion offers it with the pids the matcher gives, or not at all', (name, pids) => {
    const offered = viaCompletion(name);
    if (offered.length > 0) expect(offered).toEqual(pids);
    const expectOffered = ['systemd-journald', 'systemd-journal', 'my-very-long-daemon-name', cutComm(LONG_UTF8)].includes(name);
    expect(offered.length > 0).toBe(expectOffered);
  });

  it('every name completion offers names the same pids in adj/protect, explain and policy rules', () => {
    const offered = completionNames(PROCS.map((p) => ({ ...p, kernelThread: false })));
    expect(offered.map((n) => n.name)).toEqual([
      'dæmon-überwac', 'my-python-tool-', 'my-very-long-da', 'my-very-long-daemon-name', 'python3.11', 'systemd-journal', 'systemd-journald', 'worker-1',
    ]);
    expect(cutComm(LONG_UTF8)).toBe('dæmon-überwac');
    for (const { name, pids } of offered) {
      expect([name, viaAdj(name)]).toEqual([name, pids]);
      expect([name, viaExplain(name)]).toEqual([name, pids]);
      expect([name, viaPolicy(name)]).toEqual([name, pids]);
    }
    // The comm of 102 is the cut of its own exe's name: the cut names 102 alone, the exe's name both.
    expect(offered.find((n) => n.name === 'my-very-long-da')?.pids).toEqual([102]);
    expect(offered.find((n) => n.name === 'my-very-long-daemon-name')?.pids).toEqual([102, 103]);
  });

  it('completion leaves out kernel threads, names a shell word cannot carry, and what reads as a pid or a path', () => {
    const offered = completionNames([
      { pid: 2, comm: 'kthreadd', exe: undefined, kernelThread: true },
      { pid: 7, comm: 'evil\tname', exe: undefined, kernelThread: false },
      { pid: 8, comm: '1234', exe: undefined, kernelThread: false },
      { pid: 9, comm: 'ok', exe: '/usr/bin/ok', kernelThread: false },
    ]);
    expect(offered).toEqual([{ name: 'ok', pids: [9] }]);
  });

  it('events --victim compares a logged comm by the same 15-byte rule', () => {
    expect(commMatchesName(cutComm(LONG_UTF8), LONG_UTF8, false)).toBe(true);
    expect(commMatchesName('systemd-journal', 'systemd-journal-upload', false)).toBe(true); // a log has no exe to contradict
    expect(commMatchesName('python3', 'python', false)).toBe(false);
    expect(commMatchesName(cutComm(LONG_UTF8), LONG_UTF8, true)).toBe(false);
  });
});
