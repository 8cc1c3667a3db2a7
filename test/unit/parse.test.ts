// Parsers on text captured from a real 6.18 machine (test/fixtures/vm-6.18-scenario)
// and on the older layouts the kernel printed.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuxvPageSize } from '../../src/parse/auxv.js';
import { parseCgroupMounts, parseLimitBytes, parseProcCgroup } from '../../src/parse/cgroup.js';
import { parseMeminfo } from '../../src/parse/meminfo.js';
import { parsePasswd } from '../../src/parse/passwd.js';
import { parsePressure } from '../../src/parse/pressure.js';
import { parseStat, PF_KTHREAD } from '../../src/parse/stat.js';
import { parseStatus } from '../../src/parse/status.js';
import { FIXTURES } from '../helpers/run-cli.js';

const F = path.join(FIXTURES, 'vm-6.18-scenario');
const read = (p: string): string => readFileSync(path.join(F, p), 'utf8');

describe('parseStatus', () => {
  it('reads a real 6.18 status of init', () => {
    const s = parseStatus(read('proc/1/status'));
    expect(s.name).toBe('process_api');
    expect(s.uid).toBe(0);
    expect(s.kthread).toBe(false);
    expect(s.rssAnonKb).toBeGreaterThan(0);
    expect(s.vmPteKb).toBeGreaterThan(0);
    expect(s.capEff).toBe(0x1ffffffffffn); // init keeps every capability
  });

  it('reads Kthread: 1 of a kernel thread, which has no memory lines', () => {
    const s = parseStatus(read('proc/2/status'));
    expect(s.kthread).toBe(true);
    expect(s.rssAnonKb).toBeUndefined();
    expect(s.vmRssKb).toBeUndefined();
  });

  it('reads a 3.x layout: VmRSS only, VmPMD absent', () => {
    const old = 'Name:\tmysqld\nState:\tS (sleeping)\nTgid:\t812\nPid:\t812\nPPid:\t1\nUid:\t27\t27\t27\t27\nVmRSS:\t  204800 kB\nVmPTE:\t     512 kB\nVmSwap:\t       0 kB\n';
    const s = parseStatus(old);
    expect(s).toMatchObject({ name: 'mysqld', uid: 27, vmRssKb: 204800, vmPteKb: 512, vmSwapKb: 0, kthread: undefined, rssAnonKb: undefined });
  });

  it('does not choke on every status of the capture', () => {
    for (const pid of readdirSync(path.join(F, 'proc')).filter((d) => /^\d+$/.test(d))) {
      const s = parseStatus(read(`proc/${pid}/status`));
      expect(s.ppid).toBeGreaterThanOrEqual(0);
      expect(s.uid).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('parseStat', () => {
  it('takes comm up to the LAST parenthesis: names may contain ") "', () => {
    const st = parseStat('4242 (a) b) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 777 1000 25 18446744073709551615');
    expect(st).toMatchObject({ pid: 4242, comm: 'a) b', state: 'S', ppid: 1, starttime: 777, rssPages: 25 });
  });

  it('reads PF_KTHREAD from a real kernel thread', () => {
    const st = parseStat(read('proc/2/stat'));
    expect(st?.comm).toBe('kthreadd');
    expect((st!.flags & PF_KTHREAD) !== 0).toBe(true);
    const init = parseStat(read('proc/1/stat'));
    expect((init!.flags & PF_KTHREAD) !== 0).toBe(false);
  });

  it('keeps control characters of a hostile comm raw (escaping is the renderer\'s job)', () => {
    const pid = readdirSync(path.join(F, 'proc')).find((d) => /^\d+$/.test(d) && read(`proc/${d}/stat`).includes('\x1b'));
    expect(pid).toBeDefined();
    expect(parseStat(read(`proc/${pid}/stat`))?.comm).toBe('ev\x1b[31mil\x07');
  });
});

describe('system files', () => {
  it('meminfo', () => {
    const m = parseMeminfo(read('proc/meminfo'));
    expect(m.memTotalKb).toBe(24684092);
    expect(m.swapTotalKb).toBe(0);
    expect(m.commitLimitKb).toBeGreaterThan(0);
    expect(m.committedAsKb).toBeGreaterThan(0);
  });

  it('pressure', () => {
    const p = parsePressure('some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0.75 avg60=0.20 avg300=0.05 total=6543\n');
    expect(p.some).toEqual({ avg10: 1.25, avg60: 0.5, avg300: 0.1, totalUs: 123456 });
    expect(p.full?.avg10).toBe(0.75);
    expect(parsePressure(read('proc/pressure/memory')).some).toBeDefined();
  });

  it('passwd: first entry for a uid wins, comments skipped', () => {
    const u = parsePasswd('# x\nroot:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\nbad:x:abc:0::/:/\n');
    expect(u.get(0)).toBe('root');
    expect(u.get(65534)).toBe('nobody');
    expect(u.size).toBe(2);
  });

  it('auxv page size from the real capture, and from a 64 KiB vector', () => {
    expect(parseAuxvPageSize(readFileSync(path.join(F, 'proc/self/auxv')))).toBe(4096);
    const buf = Buffer.alloc(48);
    buf.writeBigUInt64LE(33n, 0); buf.writeBigUInt64LE(0x7fff0000n, 8);
    buf.writeBigUInt64LE(6n, 16); buf.writeBigUInt64LE(65536n, 24);
    expect(parseAuxvPageSize(buf)).toBe(65536);
    expect(parseAuxvPageSize(Buffer.alloc(16))).toBeUndefined();
  });
});

describe('cgroups', () => {
  it('mountinfo: the v1 memory hierarchy and the v2 mount of this VM', () => {
    const mounts = parseCgroupMounts(read('proc/self/mountinfo'));
    const mem = mounts.find((m) => m.version === 1 && m.controllers.includes('memory'));
    expect(mem?.mountPoint).toBe('/sys/fs/cgroup/memory');
    expect(mounts.some((m) => m.version === 2 && m.mountPoint === '/sys/fs/cgroup/unified')).toBe(true);
  });

  it('mountinfo octal escapes', () => {
    const line = '30 25 0:26 /a\\040b /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';
    expect(parseCgroupMounts(line)[0]).toMatchObject({ version: 2, root: '/a b', mountPoint: '/sys/fs/cgroup' });
  });

  it('/proc/PID/cgroup of v1 and v2', () => {
    const v1 = parseProcCgroup(read('proc/1/cgroup'));
    expect(v1.find((c) => c.controllers.includes('memory'))?.path).toMatch(/^\//);
    const v2 = parseProcCgroup('0::/system.slice/mysql.service\n');
    expect(v2).toEqual([{ hierarchyId: 0, controllers: [], path: '/system.slice/mysql.service' }]);
  });

  it('limit files, beyond 2^53', () => {
    expect(parseLimitBytes('9223372036854771712\n')).toBe(9223372036854771712n);
    expect(parseLimitBytes('max\n')).toBe('max');
    expect(parseLimitBytes('')).toBeUndefined();
  });
});
