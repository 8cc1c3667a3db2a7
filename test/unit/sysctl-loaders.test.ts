import { describe, expect, it } from 'vitest';
import { PROCPS_LEGACY_DIRS, computeBootValues, globMatch, type ListedFile, type LoaderName, type SysctlListing } from '../../src/kernel/sysctl-loaders.js';

const KEYS = ['vm.panic_on_oom', 'vm.overcommit_memory', 'kernel.panic', 'vm.oom_dump_tasks'];

function file(p: string, content: string | undefined, isFile = true): ListedFile {
  const i = p.lastIndexOf('/');
  return { dir: p.slice(0, i), name: p.slice(i + 1), isFile, content };
}

function boot(listing: SysctlListing, loader: LoaderName, key = 'vm.panic_on_oom', dirs?: readonly string[]) {
  const v = computeBootValues(listing, loader, KEYS, dirs).values.get(key);
  return v ? `${v.final.value}@${v.final.file}` : undefined;
}

// Each case: the files, then what systemd-sysctl and procps `sysctl --system` leave for vm.panic_on_oom.
const cases: { name: string; listing: SysctlListing; systemd: string | undefined; procps: string | undefined }[] = [
  {
    name: 'a file in /etc overrides the same name in /usr/lib',
    listing: { files: [file('/usr/lib/sysctl.d/50-x.conf', 'vm.panic_on_oom = 1\n'), file('/etc/sysctl.d/50-x.conf', 'vm.panic_on_oom = 2\n')], etcSysctlConf: undefined },
    systemd: '2@/etc/sysctl.d/50-x.conf',
    procps: '2@/etc/sysctl.d/50-x.conf',
  },
  {
    name: 'a later name wins whatever its directory',
    listing: { files: [file('/etc/sysctl.d/10-admin.conf', 'vm.panic_on_oom = 2\n'), file('/usr/lib/sysctl.d/90-vendor.conf', 'vm.panic_on_oom = 1\n')], etcSysctlConf: undefined },
    systemd: '1@/usr/lib/sysctl.d/90-vendor.conf',
    procps: '1@/usr/lib/sysctl.d/90-vendor.conf',
  },
  {
    name: '/etc/sysctl.conf: procps applies it last, systemd-sysctl ignores it',
    listing: { files: [file('/etc/sysctl.d/99-z.conf', 'vm.panic_on_oom = 1\n')], etcSysctlConf: 'vm.panic_on_oom = 0\n' },
    systemd: '1@/etc/sysctl.d/99-z.conf',
    procps: '0@/etc/sysctl.conf',
  },
  {
    name: '/etc/sysctl.conf reaches systemd-sysctl through a 99-sysctl.conf symlink',
    listing: { files: [file('/etc/sysctl.d/60-oomctl.conf', 'vm.panic_on_oom = 1\n'), file('/etc/sysctl.d/99-sysctl.conf', 'vm.panic_on_oom = 0\n')], etcSysctlConf: 'vm.panic_on_oom = 0\n' },
    systemd: '0@/etc/sysctl.d/99-sysctl.conf',
    procps: '0@/etc/sysctl.conf',
  },
  {
    name: 'a dot-file: procps reads it, systemd-sysctl skips it',
    listing: { files: [file('/etc/sysctl.d/.hidden.conf', 'vm.panic_on_oom = 2\n')], etcSysctlConf: undefined },
    systemd: undefined,
    procps: '2@/etc/sysctl.d/.hidden.conf',
  },
  {
    name: 'names not ending in .conf are read by neither',
    listing: { files: [file('/etc/sysctl.d/README.sysctl', 'vm.panic_on_oom = 2\n'), file('/etc/sysctl.d/50-x.conf.bak', 'vm.panic_on_oom = 2\n'), file('/etc/sysctl.d/conf', 'vm.panic_on_oom=2\n')], etcSysctlConf: undefined },
    systemd: undefined,
    procps: undefined,
  },
  {
    name: 'an empty file (or a symlink to /dev/null) in /etc masks the vendor file',
    listing: { files: [file('/usr/lib/sysctl.d/50-x.conf', 'vm.panic_on_oom = 1\n'), file('/etc/sysctl.d/50-x.conf', '')], etcSysctlConf: undefined },
    systemd: undefined,
    procps: undefined,
  },
  {
    name: '/etc beats /run for the same name (procps-ng 4 and systemd)',
    listing: { files: [file('/run/sysctl.d/50-x.conf', 'vm.panic_on_oom = 1\n'), file('/etc/sysctl.d/50-x.conf', 'vm.panic_on_oom = 2\n')], etcSysctlConf: undefined },
    systemd: '2@/etc/sysctl.d/50-x.conf',
    procps: '2@/etc/sysctl.d/50-x.conf',
  },
  {
    name: 'a directory named x.conf masks the vendor file for procps only',
    listing: { files: [file('/usr/lib/sysctl.d/50-x.conf', 'vm.panic_on_oom = 1\n'), file('/etc/sysctl.d/50-x.conf', undefined, false)], etcSysctlConf: undefined },
    systemd: '1@/usr/lib/sysctl.d/50-x.conf',
    procps: undefined,
  },
  {
    name: 'within a file the last assignment wins; "/" keys and "-" prefixes count',
    listing: { files: [file('/etc/sysctl.d/50-x.conf', 'vm.panic_on_oom = 1\n-vm/panic_on_oom=2\n')], etcSysctlConf: undefined },
    systemd: '2@/etc/sysctl.d/50-x.conf',
    procps: '2@/etc/sysctl.d/50-x.conf',
  },
  {
    name: 'an explicit key beats a glob that comes later',
    listing: { files: [file('/etc/sysctl.d/10-a.conf', 'vm.panic_on_oom = 0\n'), file('/etc/sysctl.d/90-b.conf', 'vm.*_oom = 1\n')], etcSysctlConf: undefined },
    systemd: '0@/etc/sysctl.d/10-a.conf',
    procps: '0@/etc/sysctl.d/10-a.conf',
  },
  {
    name: 'a glob applies when no explicit key exists',
    listing: { files: [file('/etc/sysctl.d/90-b.conf', 'vm.panic_on_*  = 2\n')], etcSysctlConf: undefined },
    systemd: '2@/etc/sysctl.d/90-b.conf',
    procps: '2@/etc/sysctl.d/90-b.conf',
  },
  {
    name: '"-key" alone excludes the key from globs',
    listing: { files: [file('/etc/sysctl.d/90-b.conf', 'vm.* = 2\n-vm.panic_on_oom\n')], etcSysctlConf: undefined },
    systemd: undefined,
    procps: undefined,
  },
  {
    name: 'comments and invalid lines set nothing',
    listing: { files: [file('/etc/sysctl.d/50-x.conf', '# vm.panic_on_oom = 1\n; vm.panic_on_oom = 1\nvm.panic_on_oom\nvm.panic_on_oom =\n')], etcSysctlConf: undefined },
    systemd: undefined,
    procps: undefined,
  },
];

describe('boot values per loader', () => {
  it.each(cases)('$name', (c) => {
    expect(boot(c.listing, 'systemd-sysctl')).toBe(c.systemd);
    expect(boot(c.listing, 'procps')).toBe(c.procps);
  });

  it('older procps (3.3) read /run/sysctl.d before /etc/sysctl.d, so /run won', () => {
    const listing = cases.find((c) => c.name.startsWith('/etc beats /run'))!.listing;
    expect(boot(listing, 'procps', 'vm.panic_on_oom', PROCPS_LEGACY_DIRS)).toBe('1@/run/sysctl.d/50-x.conf');
  });

  it('lists the files in the order applied, and the masked ones', () => {
    const listing: SysctlListing = {
      files: [
        file('/usr/lib/sysctl.d/50-pid-max.conf', 'kernel.pid_max = 4194304\n'),
        file('/lib/sysctl.d/50-pid-max.conf', 'kernel.pid_max = 4194304\n'),
        file('/etc/sysctl.d/99-sysctl.conf', ''),
        file('/etc/sysctl.d/.x.conf', ''),
      ],
      etcSysctlConf: '',
    };
    const s = computeBootValues(listing, 'systemd-sysctl', KEYS);
    expect(s.applied).toEqual(['/usr/lib/sysctl.d/50-pid-max.conf', '/etc/sysctl.d/99-sysctl.conf']);
    expect(s.masked).toEqual([{ file: '/lib/sysctl.d/50-pid-max.conf', by: '/usr/lib/sysctl.d/50-pid-max.conf' }]);
    const p = computeBootValues(listing, 'procps', KEYS);
    expect(p.applied).toEqual(['/etc/sysctl.d/.x.conf', '/usr/lib/sysctl.d/50-pid-max.conf', '/etc/sysctl.d/99-sysctl.conf', '/etc/sysctl.conf']);
  });

  it('keeps what the winner overrode', () => {
    const listing: SysctlListing = { files: [file('/usr/lib/sysctl.d/10-a.conf', 'kernel.panic = 5\n'), file('/etc/sysctl.d/20-b.conf', 'kernel.panic=10\n')], etcSysctlConf: undefined };
    const v = computeBootValues(listing, 'procps', KEYS).values.get('kernel.panic');
    expect(v?.final).toMatchObject({ value: '10', file: '/etc/sysctl.d/20-b.conf', lineNo: 1 });
    expect(v?.overridden.map((o) => o.file)).toEqual(['/usr/lib/sysctl.d/10-a.conf']);
  });
});

describe('overcommit_ratio / overcommit_kbytes at boot (each write zeroes the other)', () => {
  const PAIR = ['vm.overcommit_ratio', 'vm.overcommit_kbytes'];
  const eff = (listing: SysctlListing, loader: LoaderName) => {
    const v = computeBootValues(listing, loader, PAIR).values;
    return PAIR.map((k) => { const x = v.get(k); return x ? `${x.final.value}${x.zeroedBy ? ' (zeroed)' : ''}@${x.final.file}` : '-'; });
  };
  it.each([
    ['kbytes written after ratio wins; ratio is zeroed', [file('/etc/sysctl.d/10-a.conf', 'vm.overcommit_ratio = 80\n'), file('/etc/sysctl.d/20-b.conf', 'vm.overcommit_kbytes = 4000\n')],
      ['0 (zeroed)@/etc/sysctl.d/20-b.conf', '4000@/etc/sysctl.d/20-b.conf']],
    ['ratio written after kbytes wins, in the same file', [file('/etc/sysctl.d/10-a.conf', 'vm.overcommit_kbytes = 4000\nvm.overcommit_ratio = 80\n')],
      ['80@/etc/sysctl.d/10-a.conf', '0 (zeroed)@/etc/sysctl.d/10-a.conf']],
    ['a lone "overcommit_kbytes = 0" zeroes the default ratio', [file('/usr/lib/sysctl.d/50-x.conf', 'vm.overcommit_kbytes = 0\n')],
      ['0 (zeroed)@/usr/lib/sysctl.d/50-x.conf', '0@/usr/lib/sysctl.d/50-x.conf']],
    ['neither set: nothing', [file('/usr/lib/sysctl.d/50-x.conf', 'kernel.panic = 1\n')], ['-', '-']],
  ] as [string, ListedFile[], string[]][])('%s', (_n, files, want) => {
    expect(eff({ files, etcSysctlConf: undefined }, 'systemd-sysctl')).toEqual(want);
    expect(eff({ files, etcSysctlConf: undefined }, 'procps')).toEqual(want);
  });
  it('procps applies /etc/sysctl.conf last, so its ratio beats a drop-in kbytes', () => {
    const listing: SysctlListing = { files: [file('/etc/sysctl.d/99-x.conf', 'vm.overcommit_kbytes = 4000\n')], etcSysctlConf: 'vm.overcommit_ratio = 90\n' };
    expect(eff(listing, 'procps')).toEqual(['90@/etc/sysctl.conf', '0 (zeroed)@/etc/sysctl.conf']);
    expect(eff(listing, 'systemd-sysctl')).toEqual(['0 (zeroed)@/etc/sysctl.d/99-x.conf', '4000@/etc/sysctl.d/99-x.conf']);
  });
});

describe('globMatch', () => {
  it.each([
    ['vm.*', 'vm.panic_on_oom', true],
    ['vm.panic_on_?om', 'vm.panic_on_oom', true],
    ['vm.[op]anic_on_oom', 'vm.panic_on_oom', true],
    ['vm.[!p]anic_on_oom', 'vm.panic_on_oom', false],
    ['vm.panic', 'vm.panic_on_oom', false],
    ['kernel.*', 'vm.panic_on_oom', false],
    ['vm.panic_on_oom', 'vmXpanic_on_oom', false],
  ])('%s ~ %s = %s', (pattern, text, want) => {
    expect(globMatch(pattern, text)).toBe(want);
  });
});
