// `oomctl sysctl` against copies of a captured root: never the real /proc/sys.
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, binaryForUid, copyFixture, FIXTURES, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';

const PYTHON_PTY = spawnSync('python3', ['-c', 'import pty']).status === 0 ? undefined : 'python3 with the pty module is not installed (Debian package python3)';
const PTY_RUN = path.join(path.dirname(BIN), '../test/helpers/pty-run.py');

/** Runs `bin` (a build copy that uid can read: the checkout may be out of its reach) as uid. */
function runAs(bin: string, uid: number, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', uid, gid: uid, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, cwd: '/' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIXTURE = path.join(FIXTURES, 'sysctl-debian12');
const temps: string[] = [];

/** A private copy of the fixture root (symlinks kept as they are). */
function copyRoot(): string {
  const dir = copyFixture('sysctl-debian12', 'oomctl-sysctl-');
  temps.push(dir);
  return dir;
}

function sys(root: string, key: string): string {
  return readFileSync(path.join(root, 'proc/sys', key.replace(/\./g, '/')), 'utf8');
}

function setSys(root: string, key: string, value: string): void {
  writeFileSync(path.join(root, 'proc/sys', key.replace(/\./g, '/')), value + '\n');
}

/** Every file under proc/sys and etc, for "nothing was written" checks. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out[r] = readFileSync(path.join(root, r), 'utf8');
    }
  };
  walk('proc/sys');
  walk('etc');
  return out;
}

const CONF = 'etc/sysctl.d/60-oomctl.conf';

afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  // The fixture itself must never be written by a test.
  expect(readFileSync(path.join(FIXTURE, 'proc/sys/vm/panic_on_oom'), 'utf8')).toBe('0\n');
});

describe('oomctl sysctl (show)', () => {
  it('shows live values, their meaning, boot values and the overcommit picture', () => {
    const r = runCli(['--root', FIXTURE, 'sysctl']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^KEY\s+LIVE\s+MEANING\s+BOOT\s+FROM$/m);
    expect(r.stdout).toMatch(/^vm\.panic_on_oom\s+0\s+OOM kills a process; no panic\s+-\s+\(no file\)$/m);
    expect(r.stdout).toMatch(/^kernel\.panic\s+1\s+after a panic, reboot in 1 s/m);
    expect(r.stdout).toMatch(/CommitLimit\s+12342044 kB .*× 50 \/ 100/);
    expect(r.stdout).toMatch(/Committed_AS\s+358904 kB/);
    expect(r.stdout).toMatch(/headroom\s+11983140 kB/);
  });

  it('--json has the documented keys', () => {
    const r = runCli(['--root', FIXTURE, 'sysctl', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.sysctls).toHaveLength(9);
    expect(j.sysctls[0]).toEqual({ key: 'vm.panic_on_oom', live: 0, meaning: 'OOM kills a process; no panic', boot: { systemd_sysctl: null, procps: null }, differs_at_boot: [] });
    expect(j.overcommit).toMatchObject({ overcommit_memory: 0, enforced: false, commit_limit_kb: 12342044, committed_as_kb: 358904, headroom_kb: 11983140, commit_limit_computed_kb: 12342044, commit_limit_basis: 'ratio' });
    // Debian 12: /lib -> usr/lib, so /lib/sysctl.d repeats /usr/lib/sysctl.d's names and is masked.
    expect(j.boot_files.systemd_sysctl.applied).toEqual(['/usr/lib/sysctl.d/50-pid-max.conf', '/usr/lib/sysctl.d/99-protect-links.conf', '/etc/sysctl.d/99-sysctl.conf']);
    expect(j.boot_files.systemd_sysctl.masked.map((m: { file: string }) => m.file)).toEqual(['/lib/sysctl.d/50-pid-max.conf', '/lib/sysctl.d/99-protect-links.conf']);
    expect(j.boot_files.procps.applied.at(-1)).toBe('/etc/sysctl.conf');
    expect(j.kubelet_pid).toBeNull();
  });

  it('says which file wins at boot and when the live value differs, per loader', () => {
    const root = copyRoot();
    mkdirSync(path.join(root, 'run/sysctl.d'), { recursive: true });
    writeFileSync(path.join(root, 'usr/lib/sysctl.d/50-vendor.conf'), 'vm.panic_on_oom = 1\n');
    writeFileSync(path.join(root, 'run/sysctl.d/50-vendor.conf'), 'vm.panic_on_oom = 2\n');
    writeFileSync(path.join(root, 'etc/sysctl.d/.local.conf'), 'vm.oom_dump_tasks = 0\n');
    const j = JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout);
    const pon = j.sysctls.find((s: { key: string }) => s.key === 'vm.panic_on_oom');
    expect(pon.boot.systemd_sysctl).toEqual({ value: '2', kernel_value: 2, file: '/run/sysctl.d/50-vendor.conf', line: 1, zeroed_by: null });
    expect(pon.differs_at_boot).toEqual(['systemd_sysctl', 'procps']);
    const dump = j.sysctls.find((s: { key: string }) => s.key === 'vm.oom_dump_tasks');
    expect(dump.boot).toEqual({ systemd_sysctl: null, procps: { value: '0', kernel_value: 0, file: '/etc/sysctl.d/.local.conf', line: 1, zeroed_by: null } });
    const human = runCli(['--root', root, 'sysctl']).stdout;
    expect(human).toContain('differs at boot: vm.panic_on_oom is 0 now; at boot systemd-sysctl applies 2 from /run/sysctl.d/50-vendor.conf:1');
    expect(human).toContain('differs at boot: vm.oom_dump_tasks is 1 now; at boot sysctl --system applies 0 from /etc/sysctl.d/.local.conf:1');
  });

  it('models the kernel zeroing overcommit_ratio at boot when overcommit_kbytes is written after it', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'etc/sysctl.d/10-ratio.conf'), 'vm.overcommit_ratio = 80\n');
    writeFileSync(path.join(root, 'usr/lib/sysctl.d/20-kb.conf'), 'vm.overcommit_kbytes = 0\n');
    const j = JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout);
    const ratio = j.sysctls.find((s: { key: string }) => s.key === 'vm.overcommit_ratio');
    expect(ratio.boot.procps).toEqual({ value: '0', kernel_value: 0, file: '/usr/lib/sysctl.d/20-kb.conf', line: 1, zeroed_by: 'vm.overcommit_kbytes' });
    expect(ratio.differs_at_boot).toEqual(['systemd_sysctl', 'procps']);
    expect(runCli(['--root', root, 'sysctl']).stdout).toContain('differs at boot: vm.overcommit_ratio is 50 now; at boot systemd-sysctl leaves 0: the kernel zeroes it when vm.overcommit_kbytes is written (/usr/lib/sysctl.d/20-kb.conf:1)');
  });

  it('reads a boot value as the kernel does: "010" is 8', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'etc/sysctl.d/50-x.conf'), 'vm.overcommit_ratio = 062\nvm.oom_dump_tasks = yes\n');
    const j = JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout);
    const ratio = j.sysctls.find((s: { key: string }) => s.key === 'vm.overcommit_ratio');
    expect(ratio.boot.procps).toMatchObject({ value: '062', kernel_value: 50 });
    expect(ratio.differs_at_boot).toEqual([]);
    const dump = j.sysctls.find((s: { key: string }) => s.key === 'vm.oom_dump_tasks');
    expect(dump.boot.procps).toMatchObject({ value: 'yes', kernel_value: null });
    const human = runCli(['--root', root, 'sysctl']).stdout;
    expect(human).toMatch(/^vm\.overcommit_ratio\s+50 .*062 \(= 50\)\s+\/etc\/sysctl\.d\/50-x\.conf:1$/m);
    expect(human).toMatch(/yes \(refused by the kernel\)/);
  });

  it('names the running kubelet', () => {
    const root = copyRoot();
    mkdirSync(path.join(root, 'proc/4242'));
    writeFileSync(path.join(root, 'proc/4242/comm'), 'kubelet\n');
    expect(JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout).kubelet_pid).toBe(4242);
  });

  it('KEYs alone show only those; an unknown key is a usage error', () => {
    const r = runCli(['--root', FIXTURE, 'sysctl', 'panic_on_oom', 'vm/oom_dump_tasks', '--json']);
    expect(JSON.parse(r.stdout).sysctls.map((s: { key: string }) => s.key)).toEqual(['vm.panic_on_oom', 'vm.oom_dump_tasks']);
    const bad = runCli(['--root', FIXTURE, 'sysctl', 'vm.swappiness']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown key "vm.swappiness"');
  });
});

describe('oomctl sysctl KEY=VALUE (validation)', () => {
  it.each([
    [['vm.panic_on_oom=010'], /octal/],
    [['vm.overcommit_ratio=0x64'], /hexadecimal/],
    [['vm.panic_on_oom=+1'], /not a decimal integer/],
    [['vm.panic_on_oom=1.0'], /not a decimal integer/],
    [['vm.panic_on_oom='], /not a decimal integer/],
    [['vm.panic_on_oom=3'], /takes 0–2/],
    [['vm.overcommit_memory=-1'], /takes 0–2/],
    [['vm.oom_kill_allocating_task=2'], /takes 0–1/],
    [['vm.oom_dump_tasks=5'], /takes 0–1/],
    [['vm.overcommit_ratio=-1'], /integer ≥ 0/],
    [['vm.overcommit_kbytes=-1'], /integer ≥ 0/],
    [['kernel.panic=99999999999'], /any integer/],
    [['vm.swappiness=10'], /unknown key "vm.swappiness"/],
    // A bad pair stops the valid ones on the same line.
    [['vm.oom_dump_tasks=0', 'vm.panic_on_oom=9'], /takes 0–2/],
    [['vm.oom_dump_tasks=0', 'nonsense=1'], /unknown key "nonsense"/],
    [['vm.overcommit_ratio=80', 'vm.overcommit_kbytes=1000'], /cannot both be non-zero/],
    [['vm.oom_dump_tasks=0', 'vm.oom_dump_tasks'], /not KEY=VALUE/],
  ])('%j: usage error, nothing written', (pairs, why) => {
    const root = copyRoot();
    const before = snapshot(root);
    const r = runCli(['--root', root, 'sysctl', ...pairs, '--persist', '--yes', '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/^oomctl: nothing written|unknown key/m);
    expect(snapshot(root)).toEqual(before);
  });

  it('reports every bad pair at once', () => {
    const r = runCli(['--root', copyRoot(), 'sysctl', 'vm.panic_on_oom=7', 'vm.oom_dump_tasks=010']);
    expect(r.stderr).toMatch(/vm\.panic_on_oom: .*takes 0–2.*; vm\.oom_dump_tasks: .*octal/);
  });
});

describe('oomctl sysctl KEY=VALUE (apply)', () => {
  it('applies a non-risky change without --yes, in every key spelling', () => {
    const root = copyRoot();
    const r = runCli(['--root', root, 'sysctl', 'vm/oom_dump_tasks=0', 'admin_reserve_kbytes=16384']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('vm.oom_dump_tasks: 1 → 0\nvm.admin_reserve_kbytes: 8192 → 16384\n');
    expect(sys(root, 'vm.oom_dump_tasks')).toBe('0\n');
    expect(sys(root, 'vm.admin_reserve_kbytes')).toBe('16384\n');
  });

  it('refuses a risky change without --yes and without a terminal; --yes applies it', () => {
    const root = copyRoot();
    const before = snapshot(root);
    const r = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1']);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('add --yes');
    expect(snapshot(root)).toEqual(before);
    const ok = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1', '--yes']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('vm.panic_on_oom: 0 → 1\n');
    expect(ok.stderr).toMatch(/note: vm.panic_on_oom=1 panics only on system-wide OOMs/);
    expect(sys(root, 'vm.panic_on_oom')).toBe('1\n');
  });

  it('on a terminal, asks before a risky change: "n" writes nothing, "y" applies', skipWith(PYTHON_PTY), () => {
    const root = copyRoot();
    const ask = (answer: string) => spawnSync('python3', [PTY_RUN, answer, process.execPath, BIN, '--root', root, 'sysctl', 'vm.panic_on_oom=1'], { encoding: 'utf8' });
    const no = ask('n');
    expect(no.stdout).toContain('vm.panic_on_oom=1 makes an OOM panic the machine. Apply? [y/N]');
    expect(no.stdout).toContain('oomctl: not confirmed: nothing written');
    expect(no.status).toBe(6);
    expect(sys(root, 'vm.panic_on_oom')).toBe('0\n');
    const yes = ask('y');
    expect(yes.stdout).toContain('oomctl: note: vm.panic_on_oom=1 panics only on system-wide OOMs');
    expect(yes.stdout.indexOf('note: vm.panic_on_oom=1')).toBeLessThan(yes.stdout.indexOf('Apply?'));
    expect(yes.status).toBe(0);
    expect(sys(root, 'vm.panic_on_oom')).toBe('1\n');
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const root = copyRoot();
    const before = snapshot(root);
    const r = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=2', 'kernel.panic=10', '--dry-run', '--persist']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('vm.panic_on_oom: 0 → 2\nkernel.panic: 1 → 10\nwould write /etc/sysctl.d/60-oomctl.conf\ndry run: nothing was written\n');
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses overcommit_memory=2 when Committed_AS exceeds the CommitLimit it would give; --force overrides', () => {
    const root = copyRoot();
    setSys(root, 'vm.overcommit_ratio', '1'); // (6171023 pages × 1 / 100) = 61710 pages = 246840 kB < Committed_AS 358904 kB
    const before = snapshot(root);
    const r = runCli(['--root', root, 'sysctl', 'vm.overcommit_memory=2', '--yes']);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('CommitLimit 246840 kB = (MemTotal 24684092 kB − huge pages 0 kB) × 1 / 100 + SwapTotal 0 kB, but Committed_AS is already 358904 kB (112064 kB over)');
    expect(r.stderr).toContain('--force');
    expect(snapshot(root)).toEqual(before);
    const dry = runCli(['--root', root, 'sysctl', 'vm.overcommit_memory=2', '--dry-run', '--json']);
    expect(dry.status).toBe(6);
    expect(JSON.parse(dry.stdout).refusal).toMatch(/112064 kB over/);
    const forced = runCli(['--root', root, 'sysctl', 'vm.overcommit_memory=2', '--yes', '--force']);
    expect(forced.status).toBe(0);
    expect(sys(root, 'vm.overcommit_memory')).toBe('2\n');
  });

  it('allows overcommit_memory=2 when the ratio leaves headroom', () => {
    const root = copyRoot();
    setSys(root, 'vm.overcommit_ratio', '2'); // 123420 pages = 493680 kB > 358904 kB
    const r = runCli(['--root', root, 'sysctl', 'vm.overcommit_memory=2', '--yes']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('headroom 134776 kB');
  });

  it('shows the kernel zeroing overcommit_ratio when overcommit_kbytes is written', () => {
    const root = copyRoot();
    const j = JSON.parse(runCli(['--root', root, 'sysctl', 'vm.overcommit_kbytes=1000000', '--json']).stdout);
    expect(j.changes).toEqual([
      { key: 'vm.overcommit_ratio', from: 50, to: 0, side_effect_of: 'vm.overcommit_kbytes' },
      { key: 'vm.overcommit_kbytes', from: 0, to: 1000000, side_effect_of: null },
    ]);
    expect(j.warnings.map((w: { code: string }) => w.code)).toEqual(expect.arrayContaining(['ratio-kbytes-exclusive', 'commit-limit-basis']));
    expect(j.warnings.find((w: { code: string }) => w.code === 'commit-limit-basis').message).toBe('in effect: vm.overcommit_kbytes=1000000 (vm.overcommit_ratio is ignored)');
  });

  it('warns panic_on_oom with kernel.panic=0, and a change that fights a running kubelet', () => {
    const root = copyRoot();
    setSys(root, 'kernel.panic', '0');
    mkdirSync(path.join(root, 'proc/777'));
    writeFileSync(path.join(root, 'proc/777/comm'), 'kubelet\n');
    const r = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=2', '--yes']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: vm.panic_on_oom=2 with kernel.panic=0: after an OOM panic the machine hangs instead of rebooting');
    expect(r.stderr).toContain('warning: a running kubelet (pid 777) sets vm.panic_on_oom=0 when it starts');
  });

  it('all or nothing: when the second write fails, the first is put back (run as an unprivileged uid)', (ctx) => {
    const bin = binaryForUid(ctx, 65534);
    const root = copyRoot();
    chmodSync(root, 0o755);
    // kernel.panic is written before vm.oom_dump_tasks (WRITE_ORDER). As uid 65534 the first
    // file is writable (0666) and the second is not (0444): the second write fails with EACCES.
    chmodSync(path.join(root, 'proc/sys/kernel/panic'), 0o666);
    chmodSync(path.join(root, 'proc/sys/vm/oom_dump_tasks'), 0o444);
    const before = snapshot(root);
    const r = runAs(bin, 65534, ['--root', root, 'sysctl', 'vm.oom_dump_tasks=0', 'kernel.panic=10', '--yes']);
    expect(r.stderr).toContain('oomctl: put back kernel.panic=1 after vm.oom_dump_tasks failed: nothing is changed');
    expect(r.stderr).toContain('oomctl: no permission to write vm.oom_dump_tasks');
    expect(r.status).toBe(4);
    expect(snapshot(root)).toEqual(before);
  });

  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  const UNSHARE = probe.error ? `unshare (util-linux) is not installed (${probe.error.message})` : probe.status !== 0 ? `cannot make a private mount namespace here: ${probe.stderr.trim()}` : undefined;
  it('a read-only /proc/sys: one clear line and exit 7 (private mount namespace)', skipWith(UNSHARE), () => {
    const root = copyRoot();
    const script = `mount --bind "$1/proc/sys" "$1/proc/sys" && mount -o remount,bind,ro "$1/proc/sys" && exec "$2" "$3" --root "$1" sysctl vm.oom_dump_tasks=0`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', root, process.execPath, BIN], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toMatch(/^oomctl: .*proc\/sys\/vm\/oom_dump_tasks is on a read-only file system: cannot write vm.oom_dump_tasks$/m);
    expect(r.status).toBe(7);
    expect(sys(root, 'vm.oom_dump_tasks')).toBe('1\n');
  });
});

describe('oomctl sysctl --persist', () => {
  it('writes 60-oomctl.conf; a second run changes nothing and leaves the file byte for byte', () => {
    const root = copyRoot();
    const etcConf = readFileSync(path.join(root, 'etc/sysctl.conf'));
    const args = ['--root', root, 'sysctl', 'vm.panic_on_oom=1', 'kernel.panic=10', '--persist', '--yes'];
    const first = runCli(args);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('vm.panic_on_oom: 0 → 1\nkernel.panic: 1 → 10\npersisted in /etc/sysctl.d/60-oomctl.conf\n');
    const file = path.join(root, CONF);
    const bytes = readFileSync(file);
    expect(bytes.toString()).toBe('# Written by `oomctl sysctl --persist`. Read at boot by systemd-sysctl and\n# `sysctl --system`. oomctl keeps comments and keys it did not change.\nvm.panic_on_oom = 1\nkernel.panic = 10\n');
    const st = statSync(file);
    const second = runCli(args);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('no live change: every value is already set\nalready persisted, unchanged: /etc/sysctl.d/60-oomctl.conf\n');
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const st2 = statSync(file);
    expect([st2.ino, st2.mtimeMs]).toEqual([st.ino, st.mtimeMs]);
    // No temporary file left behind, and /etc/sysctl.conf untouched.
    expect(readdirSync(path.join(root, 'etc/sysctl.d')).sort()).toEqual(['60-oomctl.conf', '99-sysctl.conf', 'README.sysctl']);
    expect(readFileSync(path.join(root, 'etc/sysctl.conf')).equals(etcConf)).toBe(true);
    // Boot now applies our file.
    const j = JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout);
    expect(j.sysctls[0].boot.systemd_sysctl).toEqual({ value: '1', kernel_value: 1, file: '/etc/sysctl.d/60-oomctl.conf', line: 3, zeroed_by: null });
  });

  it.each(['10', '20', '60', '100', '1000000'])('kernel.panic=%s persisted reads back as itself at boot (decimal, not octal)', (v) => {
    const root = copyRoot();
    expect(runCli(['--root', root, 'sysctl', `kernel.panic=${v}`, '--persist', '--yes']).status).toBe(0);
    const r = runCli(['--root', root, 'sysctl', 'kernel.panic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kernel\\.panic +${v} .* ${v} +/etc/sysctl\\.d/60-oomctl\\.conf:3$`, 'm'));
    expect(r.stdout).not.toMatch(/\(= |differs/);
  });

  it('reads boot values of every key as the kernel does: decimal, leading-zero octal, 0x hex, refusals', () => {
    const root = copyRoot();
    const lines = ['vm.panic_on_oom = 02', 'kernel.panic = 012', 'vm.overcommit_memory = 0x2', 'vm.overcommit_ratio = 0x3c',
      'vm.oom_kill_allocating_task = 08', 'vm.oom_dump_tasks = 10',
      'vm.admin_reserve_kbytes = 03641100', 'vm.user_reserve_kbytes = -100'];
    writeFileSync(path.join(root, CONF), lines.join('\n') + '\n');
    const j = JSON.parse(runCli(['--root', root, 'sysctl', '--json']).stdout);
    const got = Object.fromEntries(j.sysctls.map((s: { key: string; boot: { systemd_sysctl: { kernel_value: number | null } | null } }) => [s.key, s.boot.systemd_sysctl?.kernel_value]));
    expect(got).toEqual({
      'vm.panic_on_oom': 2, 'kernel.panic': 10, 'vm.overcommit_memory': 2, 'vm.overcommit_ratio': 60, 'vm.overcommit_kbytes': 0, // overcommit_ratio_handler() zeroes kbytes
      'vm.oom_kill_allocating_task': null, 'vm.oom_dump_tasks': 10, 'vm.admin_reserve_kbytes': 1000000, 'vm.user_reserve_kbytes': null,
    });
  });

  it('keeps comments and untouched keys of an existing file', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, CONF), '# my notes\nvm.oom_dump_tasks = 0\n\nvm/panic_on_oom=0\n');
    const r = runCli(['--root', root, 'sysctl', 'panic_on_oom=1', '--persist', '--yes']);
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(root, CONF), 'utf8')).toBe('# my notes\nvm.oom_dump_tasks = 0\n\nvm/panic_on_oom=1\n');
  });

  it('persists a value already live when the file lacks it', () => {
    const root = copyRoot();
    const r = runCli(['--root', root, 'sysctl', 'vm.oom_dump_tasks=1', '--persist']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('no live change: every value is already set\npersisted in /etc/sysctl.d/60-oomctl.conf\n');
    expect(readFileSync(path.join(root, CONF), 'utf8')).toMatch(/\nvm\.oom_dump_tasks = 1\n$/);
  });

  it('says when a file later in precedence overrides it (here /etc/sysctl.conf, also via 99-sysctl.conf)', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'etc/sysctl.conf'), readFileSync(path.join(root, 'etc/sysctl.conf'), 'utf8') + 'vm.panic_on_oom = 0\n');
    const r = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1', '--persist', '--yes', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.persist.outcome).toBe('written');
    expect(j.persist.overridden_by).toEqual([
      { loader: 'systemd_sysctl', key: 'vm.panic_on_oom', file: '/etc/sysctl.d/99-sysctl.conf', value: '0' },
      { loader: 'procps', key: 'vm.panic_on_oom', file: '/etc/sysctl.conf', value: '0' },
    ]);
    const human = runCli(['--root', root, 'sysctl', 'vm.panic_on_oom=1', '--persist', '--yes']);
    expect(human.stderr).toContain('warning: at boot procps applies vm.panic_on_oom = 0 from /etc/sysctl.conf, which comes later than /etc/sysctl.d/60-oomctl.conf');
  });

  it('keeps only the one of overcommit_ratio / overcommit_kbytes in effect', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, CONF), 'vm.overcommit_ratio = 80\n');
    const j = JSON.parse(runCli(['--root', root, 'sysctl', 'vm.overcommit_kbytes=1000000', '--persist', '--json']).stdout);
    expect(j.persist.removed).toEqual(['vm.overcommit_ratio']);
    expect(readFileSync(path.join(root, CONF), 'utf8')).toBe('vm.overcommit_kbytes = 1000000\n');
    expect(sys(root, 'vm.overcommit_kbytes')).toBe('1000000\n');
  });

  it('--dry-run --persist leaves no file', () => {
    const root = copyRoot();
    const j = JSON.parse(runCli(['--root', root, 'sysctl', 'vm.oom_dump_tasks=0', '--persist', '--dry-run', '--json']).stdout);
    expect(j).toMatchObject({ dry_run: true, applied: false, persist: { outcome: 'would-write', keys: { 'vm.oom_dump_tasks': '0' } } });
    expect(readdirSync(path.join(root, 'etc/sysctl.d'))).not.toContain('60-oomctl.conf');
  });
});

describe('oomctl sysctl on a narrow terminal', () => {
  // On a terminal of 80 columns the MEANING column is cut (with …) so that the table fits, as
  // systemctl cuts descriptions; piped, every line is whole.
  it('fits the table to the terminal, and leaves piped output whole', skipWith(PYTHON_PTY), () => {
    const r = spawnSync('python3', [PTY_RUN, 'n', process.execPath, BIN, '--root', FIXTURE, 'sysctl'], { encoding: 'utf8', env: { ...process.env, PTY_COLS: '80' } });
    expect(r.error).toBeUndefined();
    const lines = r.stdout.split(/\r?\n/);
    const table = lines.slice(0, lines.indexOf(''));
    expect(table[0]).toMatch(/^KEY +LIVE +MEANING +BOOT +FROM$/);
    expect(table.length).toBeGreaterThan(5);
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(table.some((l) => l.includes('…'))).toBe(true);
    const piped = runCli(['--root', FIXTURE, 'sysctl']).stdout;
    expect(piped).not.toContain('…');
    expect(Math.max(...piped.split('\n').map((l) => l.length))).toBeGreaterThan(80);
  });
});

describe('sysctl(8) habits: -w, -n, -p [FILE], --system (procps src/sysctl.c)', () => {
  afterEach(() => { for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('-n KEY... prints the values alone, one a line; -n without KEYs is a usage error', () => {
    const root = copyRoot();
    const r = runCli(['--root', root, 'sysctl', '-n', 'vm.panic_on_oom', 'kernel.panic']);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: `${sys(root, 'vm.panic_on_oom').trim()}\n${sys(root, 'kernel.panic').trim()}\n` });
    expect(runCli(['--root', root, 'sysctl', '-n']).status).toBe(2);
  });

  it('-w KEY=VALUE writes and prints "key = value" (with -n the value alone); -w KEY is a usage error', () => {
    const root = copyRoot();
    const w = runCli(['--root', root, 'sysctl', '-w', 'vm.oom_dump_tasks=0']);
    expect({ status: w.status, stdout: w.stdout }).toEqual({ status: 0, stdout: 'vm.oom_dump_tasks = 0\n' });
    expect(sys(root, 'vm.oom_dump_tasks')).toBe('0\n');
    const n = runCli(['--root', root, 'sysctl', '-w', '-n', 'vm/oom_dump_tasks=1']);
    expect({ status: n.status, stdout: n.stdout }).toEqual({ status: 0, stdout: '1\n' });
    const bad = runCli(['--root', root, 'sysctl', '-w', 'vm.oom_dump_tasks']);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: 'oomctl: -w needs KEY=VALUE, not "vm.oom_dump_tasks"\n' });
  });

  it('-p FILE loads its OOM keys (last one wins), names the others it skips, and refuses a bad value with exit 5', () => {
    const root = copyRoot();
    const file = path.join(root, 'oom.conf');
    writeFileSync(file, '# a comment\nvm.oom_dump_tasks = 0\nnet.ipv4.ip_forward = 1\n-vm.oom_dump_tasks = 1\nvm.overcommit_ratio = abc\n');
    const r = runCli(['--root', root, 'sysctl', '-p', file]);
    expect(r.stdout).toBe('vm.oom_dump_tasks = 1\n');
    expect(sys(root, 'vm.oom_dump_tasks')).toBe('1\n');
    expect(r.stderr).toContain('oomctl: skipped 1 key that oomctl does not set (net.ipv4.ip_forward): sysctl(8) sets those\n');
    expect(r.stderr).toContain('oomctl: not applied: vm.overcommit_ratio = abc: ');
    expect(r.status).toBe(5);
    const missing = runCli(['--root', root, 'sysctl', '-p', path.join(root, 'nope.conf')]);
    expect(missing.status).toBe(3);
  });

  it('-p alone reads /etc/sysctl.conf under --root', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'etc/sysctl.conf'), 'vm.oom_dump_tasks=0\n');
    const r = runCli(['--root', root, 'sysctl', '-p']);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'vm.oom_dump_tasks = 0\n' });
  });

  it('--system applies what boot would (procps order: "* Applying FILE ..." then "key = value"); --dry-run writes nothing', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'etc/sysctl.d/70-oom.conf'), 'vm.oom_dump_tasks = 0\nvm.oom_kill_allocating_task = 1\n');
    writeFileSync(path.join(root, 'etc/sysctl.d/80-oom.conf'), 'vm.oom_dump_tasks = 1\n');
    const before = snapshot(root);
    const dry = runCli(['--root', root, 'sysctl', '--system', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(snapshot(root)).toEqual(before);
    const r = runCli(['--root', root, 'sysctl', '--system']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('* Applying '))).toContain('* Applying /etc/sysctl.d/70-oom.conf ...');
    expect(lines.filter((l) => !l.startsWith('* Applying '))).toEqual(['vm.oom_kill_allocating_task = 1', 'vm.oom_dump_tasks = 1']);
    expect(sys(root, 'vm.oom_kill_allocating_task')).toBe('1\n');
    const json = JSON.parse(runCli(['--root', root, 'sysctl', '--system', '--json']).stdout);
    expect(json.loaded_files).toContain('/etc/sysctl.d/80-oom.conf');
    expect(json.skipped_keys).toContain('kernel.pid_max');
  });
});
