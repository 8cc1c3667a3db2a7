import { describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/parse/cgroup.js';
import { parseOomScoreAdjust, systemdCgroupPath, systemdUnitOf } from '../../src/parse/systemd-unit.js';

describe('systemdCgroupPath', () => {
  it('takes the name=systemd line of a v1/hybrid system', () => {
    // this machine's /proc/self/cgroup, with the process moved into a unit
    const text = '9:name=systemd:/system.slice/mysql.service\n4:memory:/process_api/1906db461dabcbcf406769ed55375cea\n0::/\n';
    expect(systemdCgroupPath(parseProcCgroup(text))).toBe('/system.slice/mysql.service');
  });
  it('takes the 0:: line of a unified system', () => {
    expect(systemdCgroupPath(parseProcCgroup('0::/system.slice/nginx.service\n'))).toBe('/system.slice/nginx.service');
  });
  it('is undefined without either', () => {
    expect(systemdCgroupPath(parseProcCgroup('4:memory:/x\n'))).toBeUndefined();
    expect(systemdCgroupPath(undefined)).toBeUndefined();
  });
});

describe('systemdUnitOf', () => {
  it.each([
    ['/system.slice/mysql.service', 'mysql.service'],
    ['/system.slice/docker.service/payload', 'docker.service'],
    ['/system.slice/system-getty.slice/getty@tty1.service', 'getty@tty1.service'],
    ['/user.slice/user-1000.slice/session-2.scope', 'session-2.scope'],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope', 'app-foo.scope'],
    ['/', undefined],
    ['/process_api/1906db461dabcbcf', undefined],
  ])('%s -> %s', (path, unit) => {
    expect(systemdUnitOf(path)).toBe(unit);
  });
});

describe('parseOomScoreAdjust', () => {
  it('reads the last assignment', () => {
    expect(parseOomScoreAdjust('[Service]\nOOMScoreAdjust=-15\nOOMScoreAdjust=-20\n')).toBe(-20);
    expect(parseOomScoreAdjust('[Service]\nNice=5\n')).toBeUndefined();
  });
});
