import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { SystemRoot } from '../../src/system/root.js';
import { rollbackOrder, sysctlWriteError, writeSysctls } from '../../src/system/sysctl.js';

describe('sysctlWriteError: errno -> the line the user reads', () => {
  it.each([
    ['EROFS', ExitCode.UNSUPPORTED, /read-only file system/],
    ['EACCES', ExitCode.PERMISSION, /no permission/],
    ['EPERM', ExitCode.PERMISSION, /no permission/],
    ['ENOENT', ExitCode.UNSUPPORTED, /this kernel has no vm.panic_on_oom/],
    ['EINVAL', ExitCode.FAILURE, /refused the value/],
    ['EISDIR', ExitCode.FAILURE, /cannot write vm.panic_on_oom .*EISDIR/],
  ])('%s', (code, exit, message) => {
    const e = sysctlWriteError(code, 'vm.panic_on_oom', '/proc/sys/vm/panic_on_oom');
    expect(e.exitCode).toBe(exit);
    expect(e.message).toMatch(message);
  });
  it('gives a hint for a read-only /proc/sys', () => {
    expect(sysctlWriteError('EROFS', 'vm.panic_on_oom', '/proc/sys/vm/panic_on_oom').hint).toMatch(/container/);
  });
});

describe('rollbackOrder', () => {
  it('puts back newest first', () => {
    expect(rollbackOrder([
      { key: 'kernel.panic', from: 1, to: 10 },
      { key: 'vm.oom_dump_tasks', from: 1, to: 0 },
    ], {})).toEqual([{ key: 'vm.oom_dump_tasks', value: 1 }, { key: 'kernel.panic', value: 1 }]);
  });
  it('restores the one of ratio/kbytes that was non-zero, last (writing it zeroes the other)', () => {
    const before = { 'vm.overcommit_ratio': 50, 'vm.overcommit_kbytes': 0 };
    expect(rollbackOrder([{ key: 'vm.overcommit_kbytes', from: 0, to: 1000 }, { key: 'vm.overcommit_memory', from: 0, to: 2 }], before)).toEqual([
      { key: 'vm.overcommit_memory', value: 0 },
      { key: 'vm.overcommit_ratio', value: 50 },
    ]);
    const before2 = { 'vm.overcommit_ratio': 0, 'vm.overcommit_kbytes': 7000 };
    expect(rollbackOrder([{ key: 'vm.overcommit_ratio', from: 0, to: 80 }], before2)).toEqual([{ key: 'vm.overcommit_kbytes', value: 7000 }]);
  });
});

describe('writeSysctls against a temp root', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'oomctl-write-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('puts back what it wrote when a later write fails (the second file is a directory)', () => {
    mkdirSync(path.join(dir, 'proc/sys/kernel'), { recursive: true });
    mkdirSync(path.join(dir, 'proc/sys/vm/panic_on_oom'), { recursive: true });
    writeFileSync(path.join(dir, 'proc/sys/kernel/panic'), '1\n');
    const notes: string[] = [];
    expect(() => writeSysctls(new SystemRoot(dir), [
      { key: 'kernel.panic', from: 1, to: 10 },
      { key: 'vm.panic_on_oom', from: 0, to: 1 },
    ], { 'kernel.panic': 1, 'vm.panic_on_oom': 0 }, (m) => notes.push(m))).toThrow(/cannot write vm.panic_on_oom .*EISDIR/);
    expect(readFileSync(path.join(dir, 'proc/sys/kernel/panic'), 'utf8')).toBe('1\n');
    expect(notes).toEqual(['put back kernel.panic=1 after vm.panic_on_oom failed: nothing is changed']);
  });

  it('never creates a missing /proc/sys file', () => {
    expect(() => writeSysctls(new SystemRoot(dir), [{ key: 'vm.panic_on_oom', from: 0, to: 1 }], {}, () => {})).toThrow(/this kernel has no vm.panic_on_oom/);
    expect(existsSync(path.join(dir, 'proc/sys/vm/panic_on_oom'))).toBe(false);
  });
});
