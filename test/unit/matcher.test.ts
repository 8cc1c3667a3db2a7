// One name matcher (kernel/target.ts matchesName) for explain, adj/protect/
// unprotect (selectTargets), policy rules (mayMatchRule) and events --victim
// (commMatchesName): the same names give the same processes everywhere.

import { describe, expect, it } from 'vitest';
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

  it('events --victim compares a logged comm by the same 15-byte rule', () => {
    expect(commMatchesName(cutComm(LONG_UTF8), LONG_UTF8, false)).toBe(true);
    expect(commMatchesName('systemd-journal', 'systemd-journal-upload', false)).toBe(true); // a log has no exe to contradict
    expect(commMatchesName('python3', 'python', false)).toBe(false);
    expect(commMatchesName(cutComm(LONG_UTF8), LONG_UTF8, true)).toBe(false);
  });
});
