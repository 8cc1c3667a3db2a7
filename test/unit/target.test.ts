import { describe, expect, it } from 'vitest';
import { NotFoundError, RefusedError, UsageError } from '../../src/errors.js';
import { compileRegex, cutComm, selectTargets, type TargetProcess, type TargetQuery } from '../../src/kernel/target.js';

const base: Omit<TargetProcess, 'pid' | 'comm'> = {
  uid: 0, user: 'root', exe: undefined, cmdline: undefined, unit: undefined, cgroupPaths: ['/'], kernelThread: false,
};
function proc(pid: number, comm: string, extra: Partial<TargetProcess> = {}): TargetProcess {
  return { ...base, pid, comm, ...extra };
}
const PROCS: TargetProcess[] = [
  proc(1, 'init', { exe: '/sbin/init', cmdline: '/sbin/init' }),
  proc(2, 'kthreadd', { kernelThread: true, uid: 0 }),
  proc(100, 'mysqld', { exe: '/usr/sbin/mysqld', cmdline: '/usr/sbin/mysqld --port=3306', unit: 'mysql.service', cgroupPaths: ['/system.slice/mysql.service'], uid: 27, user: 'mysql' }),
  proc(101, 'mysqld', { exe: '/usr/sbin/mysqld', cmdline: '/usr/sbin/mysqld --port=3307', unit: 'mysql.service', cgroupPaths: ['/system.slice/mysql.service'], uid: 27, user: 'mysql' }),
  proc(200, 'my-very-long-da', { exe: '/opt/bin/my-very-long-daemon-name', cmdline: '/opt/bin/my-very-long-daemon-name -f' }),
  proc(300, 'postgres', { exe: '/usr/lib/postgresql/16/bin/postgres', uid: 26, user: 'postgres' }),
  proc(301, 'postgres', { exe: '/usr/lib/postgresql/16/bin/postgres', uid: 26, user: 'postgres' }),
  proc(400, 'kworker', { kernelThread: true }),
  proc(500, 'bash', { exe: '/usr/bin/bash' }),
  proc(600, 'Xorg', { exe: '/usr/lib/xorg/Xorg' }),
];
const IMPOSTOR = proc(900, 'mysqld', { exe: '/home/eve/mysqld', cmdline: './mysqld', uid: 1000, user: 'eve' });

function q(target: string, extra: Partial<TargetQuery> = {}): TargetQuery {
  return { target, exact: false, regex: undefined, user: undefined, exe: undefined, unit: undefined, cgroup: undefined, allMatches: false, selfPid: undefined, ...extra };
}
const id = (s: string): string => s;
function caught(fn: () => unknown): { message: string; hint: string | undefined } {
  try {
    fn();
  } catch (error) {
    return { message: (error as Error).message, hint: (error as { hint?: string }).hint };
  }
  throw new Error('expected a throw');
}
const pids = (procs: TargetProcess[], query: TargetQuery): number[] => selectTargets(procs, query, id).matches.map((p) => p.pid);

describe('selectTargets', () => {
  // A name on a machine with no process of that name (or none at all, as a policy checked against a
  // root without processes) is "not found", never the usage error of a missing TARGET.
  it('a name with no process at all is not found, not a missing target', () => {
    expect(() => selectTargets([], q('mysqld'), id)).toThrow(NotFoundError);
    expect(() => selectTargets([], q('mysqld'), id)).not.toThrow(UsageError);
  });
  it('takes a pid', () => {
    expect(pids(PROCS, q('300'))).toEqual([300]);
  });
  it('matches comm, the 15-byte cut, and the executable basename', () => {
    expect(pids(PROCS, q('mysqld'))).toEqual([100, 101]);
    expect(pids(PROCS, q('my-very-long-daemon-name'))).toEqual([200]);
    // issue 17: the cut is no match when /proc/PID/exe is readable and names another program
    // (comm "my-very-long-da" is the cut of its own exe, my-very-long-daemon-name)
    expect(caught(() => pids(PROCS, q('my-very-long-daemon-nameX'))).message).toMatch(/no process named/);
    expect(pids([proc(201, 'my-very-long-da', { exe: undefined })], q('my-very-long-daemon-nameX'))).toEqual([201]);
  });
  it('--exact drops the 15-byte cut but keeps the basename', () => {
    expect(pids(PROCS, q('my-very-long-daemon-name', { exact: true }))).toEqual([200]);
    expect(caught(() => pids([proc(201, 'my-very-long-da', { exe: undefined })], q('my-very-long-daemon-nameX', { exact: true }))).hint).toMatch(/my-very-long-da .*drop --exact/);
    // An exe that contradicts the cut: dropping --exact would not match, so the hint does not say it.
    const contradicted = caught(() => pids(PROCS, q('my-very-long-daemon-nameX', { exact: true }))).hint;
    expect(contradicted).toMatch(/my-very-long-da \(the 15-byte cut of "my-very-long-daemon-nameX", but also of its executable's name my-very-long-daemon-name/);
    expect(contradicted).not.toMatch(/drop --exact/);
  });
  it('narrows by --regex on the command line, --user, --exe, --unit, --cgroup', () => {
    expect(pids(PROCS, q('mysqld', { regex: compileRegex('port=3307') }))).toEqual([101]);
    expect(pids(PROCS, q('postgres', { user: '26' }))).toEqual([300, 301]);
    expect(pids(PROCS, q('mysqld', { unit: 'mysql' }))).toEqual([100, 101]);
    expect(pids(PROCS, q('mysqld', { cgroup: '/system.slice' }))).toEqual([100, 101]);
    expect(() => pids(PROCS, q('mysqld', { user: 'root' }))).toThrow(/2 processes named "mysqld", but none matches --user root/);
  });
  it('never touches pid 1 or kernel threads', () => {
    expect(() => pids(PROCS, q('1'))).toThrow(RefusedError);
    expect(() => pids(PROCS, q('2'))).toThrow(/kernel thread/);
    expect(() => pids(PROCS, q('kworker'))).toThrow(/never touches/);
    const sel = selectTargets([...PROCS, proc(700, 'kworker', { exe: '/tmp/kworker' })], q('kworker'), id);
    expect(sel.matches.map((p) => p.pid)).toEqual([700]);
    expect(sel.skipped.map((p) => p.pid)).toEqual([400]);
  });
  it('refuses a name that also matches an impostor, listing pid, user and executable', () => {
    const all = [...PROCS, IMPOSTOR];
    expect(() => pids(all, q('mysqld'))).toThrow(RefusedError);
    expect(() => pids(all, q('mysqld'))).toThrow(/pid 900 user eve exe \/home\/eve\/mysqld/);
    expect(pids(all, q('mysqld', { exe: '/usr/sbin/mysqld' }))).toEqual([100, 101]);
    expect(pids(all, q('mysqld', { user: 'mysql' }))).toEqual([100, 101]);
    expect(pids(all, q('mysqld', { allMatches: true }))).toEqual([100, 101, 900]);
    expect(pids(all, q('900'))).toEqual([900]);
  });
  it('refuses same-user matches whose executables differ, or cannot be read', () => {
    const other = proc(301, 'postgres', { exe: '/tmp/postgres', uid: 26, user: 'postgres' });
    expect(() => pids([PROCS[5] as TargetProcess, other], q('postgres'))).toThrow(/different executables/);
    const unreadable = proc(301, 'postgres', { exe: undefined, uid: 26, user: 'postgres' });
    expect(() => pids([PROCS[5] as TargetProcess, unreadable], q('postgres'))).toThrow(/cannot read/);
  });
  it('reports not found with near misses', () => {
    expect(() => pids(PROCS, q('nothing'))).toThrow(NotFoundError);
    expect(caught(() => pids(PROCS, q('MYSQLD'))).hint).toBe('near misses: mysqld');
    expect(caught(() => pids(PROCS, q('xorg'))).hint).toBe('near misses: Xorg');
    expect(caught(() => pids(PROCS, q('my-very-long-dae', { exact: true }))).hint).toMatch(/my-very-long-da/);
    expect(caught(() => pids(PROCS, q('nothing'))).hint).toBeUndefined();
    expect(() => pids(PROCS, q('99999'))).toThrow(/no process with pid 99999/);
  });
  it('rejects what is neither a pid nor a name, and a bad --regex', () => {
    expect(() => pids(PROCS, q('/usr/sbin/mysqld'))).toThrow(UsageError);
    expect(() => pids(PROCS, q(''))).toThrow(UsageError);
    expect(() => compileRegex('(')).toThrow(UsageError);
    expect(() => pids(PROCS, q('mysqld', { cgroup: '/a/../b' }))).toThrow(UsageError);
  });
  it('leaves oomctl itself out of name matches', () => {
    expect(pids(PROCS, q('bash'))).toEqual([500]);
    expect(() => pids(PROCS, q('bash', { selfPid: 500 }))).toThrow(NotFoundError);
  });
});

describe('cutComm', () => {
  it('cuts at 15 bytes, not characters', () => {
    expect(cutComm('my-very-long-daemon-name')).toBe('my-very-long-da');
    expect(cutComm('short')).toBe('short');
    expect(cutComm('ééééééééé')).toBe('ééééééé'); // 18 bytes -> 14 bytes, never half a character
  });
});
