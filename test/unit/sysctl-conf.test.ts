import { describe, expect, it } from 'vitest';
import { OOMCTL_CONF_HEADER, normalizeConfKey, parseSysctlConf, rewriteSysctlConf } from '../../src/parse/sysctl-conf.js';

describe('parseSysctlConf', () => {
  it.each([
    ['vm.panic_on_oom = 1', { kind: 'assignment', key: 'vm.panic_on_oom', value: '1', ignoreFailure: false }],
    ['  vm.panic_on_oom=1  ', { kind: 'assignment', key: 'vm.panic_on_oom', value: '1' }],
    ['\tvm/panic_on_oom\t=\t2', { kind: 'assignment', key: 'vm.panic_on_oom', value: '2', rawKey: 'vm/panic_on_oom' }],
    ['-vm.panic_on_oom = 1', { kind: 'assignment', key: 'vm.panic_on_oom', ignoreFailure: true }],
    ['- vm.panic_on_oom = 1', { kind: 'assignment', key: 'vm.panic_on_oom', ignoreFailure: true }],
    ['vm.panic_on_oom = 1\r', { kind: 'assignment', value: '1' }],
    ['kernel.core_pattern = |/bin/x %p = y', { kind: 'assignment', key: 'kernel.core_pattern', value: '|/bin/x %p = y' }],
    ['net/ipv4/conf/enp3s0.200/forwarding = 1', { kind: 'assignment', key: 'net.ipv4.conf.enp3s0/200.forwarding' }],
    ['vm.* = 1', { kind: 'assignment', isGlob: true }],
    ['# vm.panic_on_oom = 1', { kind: 'comment' }],
    ['  ; vm.panic_on_oom = 1', { kind: 'comment' }],
    ['', { kind: 'blank' }],
    ['   ', { kind: 'blank' }],
    ['-vm.panic_on_oom', { kind: 'exclude', key: 'vm.panic_on_oom' }],
    ['vm.panic_on_oom', { kind: 'invalid' }],
    ['vm.panic_on_oom =', { kind: 'invalid' }],
    ['= 1', { kind: 'invalid' }],
  ])('%j', (line, want) => {
    const [parsed] = parseSysctlConf(line + '\n');
    expect(parsed).toMatchObject(want);
  });

  it('numbers lines from 1', () => {
    expect(parseSysctlConf('# a\n\nvm.x = 1\n').map((l) => l.lineNo)).toEqual([1, 2, 3]);
  });
});

describe('normalizeConfKey (sysctl.d(5))', () => {
  it.each([
    ['vm.panic_on_oom', 'vm.panic_on_oom'],
    ['vm/panic_on_oom', 'vm.panic_on_oom'],
    ['/vm/panic_on_oom', 'vm.panic_on_oom'],
    ['net/ipv4/conf/enp3s0.200/forwarding', 'net.ipv4.conf.enp3s0/200.forwarding'],
    ['net.ipv4.conf.enp3s0/200.forwarding', 'net.ipv4.conf.enp3s0/200.forwarding'],
  ])('%s -> %s', (raw, want) => {
    expect(normalizeConfKey(raw)).toBe(want);
  });
});

describe('rewriteSysctlConf', () => {
  it('creates the file with a header and the keys in the order given', () => {
    expect(rewriteSysctlConf(undefined, new Map([['vm.panic_on_oom', '1'], ['kernel.panic', '10']]))).toBe(
      [...OOMCTL_CONF_HEADER, 'vm.panic_on_oom = 1', 'kernel.panic = 10', ''].join('\n'),
    );
  });
  it('keeps comments, other keys and the spelling of the changed line', () => {
    const before = '# mine\nvm.oom_dump_tasks = 1\n; old\nvm/panic_on_oom=0   \n';
    expect(rewriteSysctlConf(before, new Map([['vm.panic_on_oom', '2']]))).toBe('# mine\nvm.oom_dump_tasks = 1\n; old\nvm/panic_on_oom=2   \n');
  });
  it('updates every assignment of a key, drops removed keys and appends new ones', () => {
    const before = 'vm.overcommit_ratio = 80\nvm.panic_on_oom = 0\nvm.panic_on_oom = 1\n';
    expect(rewriteSysctlConf(before, new Map([['vm.panic_on_oom', '2'], ['vm.overcommit_kbytes', '1000']]), new Set(['vm.overcommit_ratio']))).toBe(
      'vm.panic_on_oom = 2\nvm.panic_on_oom = 2\nvm.overcommit_kbytes = 1000\n',
    );
  });
  it('is idempotent: a second rewrite with the same values returns the same bytes', () => {
    const once = rewriteSysctlConf('# keep\nkernel.panic = 5\n', new Map([['vm.panic_on_oom', '1'], ['kernel.panic', '10']]));
    expect(rewriteSysctlConf(once, new Map([['vm.panic_on_oom', '1'], ['kernel.panic', '10']]))).toBe(once);
  });
  it('adds a final newline to a file that lacks one', () => {
    expect(rewriteSysctlConf('kernel.panic = 5', new Map())).toBe('kernel.panic = 5\n');
  });
});
