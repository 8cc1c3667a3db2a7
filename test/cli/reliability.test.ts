// Bad input and faults (issue 17, docs/reliability.md): hostile names in every output, the places
// oomctl writes turned into symlinks, directories, read-only and full file systems, SIGKILL in the
// middle of every kind of file write, hostile policies, garbage /proc trees, odd logs, two applies
// at once, SIGHUP storms, every signal on the live screen. Each: one line on stderr (and at most a
// hint), a documented exit code, no stack trace, no hang, nothing lost.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADJ_RECORD, CONF_A, CONF_B } from '../helpers/kill-writer.js';
import { skipReason } from '../helpers/live.js';
import { BIN, FIXTURES, REPO, runCli, type CliResult } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oomctl-fixes-reliability-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let copies = 0;
function copy(fixture: string): string {
  const dir = path.join(tmp, `root-${++copies}`);
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

const DOCUMENTED = [0, 1, 2, 3, 4, 5, 6, 7]; // docs/exit-codes.md, without 70 (a bug)
/** At most the message and a hint, each "oomctl: ...", and no stack trace. */
function cleanFailure(r: CliResult): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines.length, r.stderr).toBeGreaterThan(0);
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
  for (const l of lines) expect(l).toMatch(/^oomctl: /);
  expect(r.stderr).not.toMatch(/\n\s+at |a bug in oomctl/);
  expect(DOCUMENTED).toContain(r.status);
}
function noStack(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at |a bug in oomctl|Error: /);
  expect(DOCUMENTED, r.stderr).toContain(r.status);
}
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// ------------------------------------------------------------------ hostile names

describe('a process name with control characters, a bidi override and invalid UTF-8', () => {
  // comm bytes: U+202E (RIGHT-TO-LEFT OVERRIDE), "ev", 0xff (not UTF-8), ESC ] 0 ; x BEL (set the title)
  const NAME = Buffer.from([0xe2, 0x80, 0xae, 0x65, 0x76, 0xff, 0x1b, 0x5d, 0x30, 0x3b, 0x78, 0x07]);
  const SHOWN = '\\u202eev\\ufffd\\x1b]0;x\\x07';
  let root: string;
  beforeAll(() => {
    root = copy('vm-6.18-scenario');
    const stat = readFileSync(path.join(root, 'proc/5904/stat'));
    const open = stat.indexOf('('), close = stat.lastIndexOf(')');
    writeFileSync(path.join(root, 'proc/5904/stat'), Buffer.concat([stat.subarray(0, open + 1), NAME, stat.subarray(close)]));
  });

  it.each([
    ['top table', ['top', '--once', '-n', '0']],
    ['live screen renderer (batch)', ['top', '--batch', '--iterations', '1']],
    ['explain', ['explain', '5904']],
    ['adj', ['adj', '5904']],
    ['metrics labels', ['metrics', '--top', '50']],
  ])('%s: escaped, nothing raw reaches the terminal', (_what, args) => {
    const r = runCli(['--root', root, ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    // Prometheus label values escape the backslash again; the live screen cuts the name to its 16 columns with "…".
    const want = _what === 'metrics labels' ? SHOWN.replace(/\\/g, '\\\\') : _what.startsWith('live') ? SHOWN.slice(0, 15) + '…' : SHOWN;
    expect(r.stdout).toContain(want);
  });

  it('--json: the name kept (U+FFFD for the invalid byte), every control escaped as \\uXXXX', () => {
    const r = runCli(['--root', root, 'top', '--once', '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const p = JSON.parse(r.stdout).processes.find((x: { pid: number }) => x.pid === 5904);
    expect(p.comm).toBe('\u202eev\ufffd\x1b]0;x\x07');
  });

  /** A real kernel log whose victim has that name. */
  const evilLog = (): string => {
    const log = readFileSync(path.join(FIXTURES, 'logs/machine-6.18-memcg-v1.dmesg.log'));
    const evil = Buffer.from(log.toString('latin1').replaceAll('(python3)', '(\u00e2\u0080\u00aeev\u00ff\u001b]0;x\u0007)').replaceAll('task=python3,', 'task=\u00e2\u0080\u00aeev\u00ff\u001b]0;x\u0007,'), 'latin1');
    const file = path.join(tmp, 'evil.log');
    writeFileSync(file, evil);
    return file;
  };

  it('events: a kill of such a name in a kernel log is shown escaped', () => {
    const file = evilLog();
    const r = runCli(['events', '--file', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain(SHOWN);
  });

  it.each([
    ['streamed', []],
    ['-n (kept in memory)', ['-n', '5']],
  ])('events --json (%s): the name kept, every control escaped as \\uXXXX', (_what, extra) => {
    const r = runCli(['events', '--file', evilLog(), '--json', ...extra]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\u202eev');
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('\u202eev\ufffd');
  });
});

// ------------------------------------------------------------------ where oomctl writes

describe('the places oomctl writes: a directory, a file in the path, a symlink', () => {
  const DROPIN = 'etc/systemd/system/mysql.service.d/50-oomctl.conf';
  const CONF = 'etc/sysctl.d/60-oomctl.conf';

  it('a directory where the sysctl.d file goes: one line, exit 1, not even the live value changed', () => {
    const root = copy('sysctl-debian12');
    mkdirSync(path.join(root, CONF));
    const r = runCli(['--root', root, 'sysctl', 'kernel.panic=12', '--persist', '--yes']);
    cleanFailure(r);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('60-oomctl.conf is a directory, not a file');
    expect(readFileSync(path.join(root, 'proc/sys/kernel/panic'), 'utf8')).toBe('1\n');
  });

  it('a directory where the drop-in goes: one line, exit 1, the process untouched', () => {
    const root = copy('tuning/root');
    mkdirSync(path.join(root, DROPIN), { recursive: true });
    const r = runCli(['--root', root, 'protect', '30848', '-16', '--persist']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^oomctl: .*50-oomctl\.conf is a directory, not a file\noomctl: move it out of the way\n$/);
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('0');
  });

  it('a directory given to metrics --output: one line, exit 1', () => {
    const root = copy('vm-6.18-scenario');
    const r = runCli(['--root', root, 'metrics', '--output', path.join(root, 'etc')]);
    cleanFailure(r);
    expect(r.stderr).toContain('is a directory, not a file');
  });

  it('a file where the remembered-adj folder goes: the change is made and the lost memory is said', () => {
    const root = copy('tuning/root');
    mkdirSync(path.join(root, 'run'), { recursive: true });
    writeFileSync(path.join(root, 'run/oomctl'), 'not a folder\n');
    const r = runCli(['--root', root, 'protect', '30848', '-17']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^oomctl: cannot record the previous value under \/run\/oomctl: cannot write .*: a part of its path is a file, not a folder$/m);
    noStack(r);
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('-17');
  });

  it('a symlink at the sysctl.d file is replaced by the file, never written through', () => {
    const root = copy('sysctl-debian12');
    const target = path.join(tmp, 'symlink-target');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, path.join(root, CONF));
    const r = runCli(['--root', root, 'sysctl', 'kernel.panic=11', '--persist', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(readFileSync(path.join(root, CONF), 'utf8')).toMatch(/^kernel\.panic = 11$/m);
  });
});

const UNSHARE = spawnSync('unshare', ['--mount', 'true']).status === 0 ? 'unshare' : undefined;

describe.skipIf(skipReason(UNSHARE ? undefined : 'unshare --mount not permitted here', 'read-only and full file systems'))('read-only and full file systems (private mount namespace)', () => {
  const inNamespace = (script: string, ...args: string[]) => {
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('read-only sysctl.d: the live value is set, the file cannot be: exit 5 (partial), one line', () => {
    const root = copy('sysctl-debian12');
    const r = inNamespace('mount --bind "$3/etc/sysctl.d" "$3/etc/sysctl.d" && mount -o remount,bind,ro "$3/etc/sysctl.d" && "$1" "$2" --root "$3" sysctl kernel.panic=13 --persist --yes', root);
    cleanFailure(r);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^oomctl: the live values are set, but .*60-oomctl\.conf is on a read-only file system: cannot write it$/m);
    expect(readFileSync(path.join(root, 'proc/sys/kernel/panic'), 'utf8')).toBe('13\n');
    expect(existsSync(path.join(root, 'etc/sysctl.d/60-oomctl.conf'))).toBe(false);
  });

  it('read-only drop-in folder: the live value is set, the drop-in cannot be: exit 5 (partial), said', () => {
    const root = copy('tuning/root');
    mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
    const r = inNamespace('mount --bind "$3/etc/systemd/system" "$3/etc/systemd/system" && mount -o remount,bind,ro "$3/etc/systemd/system" && "$1" "$2" --root "$3" protect 30848 -15 --persist', root);
    noStack(r);
    expect(r.status).toBe(5);
    // Node's recursive mkdir reports the read-only folder as ENOENT (docs/reliability.md).
    expect(r.stderr).toMatch(/^oomctl: cannot write .*mysql\.service\.d\/50-oomctl\.conf: /m);
    expect(r.stderr).toContain('oomctl: not all changes were made: not everything could be made persistent');
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('-15');
  });

  it('a full disk (16 KiB tmpfs): the old file stays whole, no temporary file is left, one line', () => {
    const root = copy('sysctl-debian12');
    const old = '# before\nkernel.panic = 1\n';
    const r = inNamespace(
      'mount -t tmpfs -o size=16k tmpfs "$3/etc/sysctl.d" && printf "%s" "$4" > "$3/etc/sysctl.d/60-oomctl.conf" && { dd if=/dev/zero of="$3/etc/sysctl.d/fill" bs=1k count=64 2>/dev/null; true; } && rm -f "$3/etc/sysctl.d/fill.keep" && "$1" "$2" --root "$3" sysctl kernel.panic=14 --persist --yes; s=$?; cat "$3/etc/sysctl.d/60-oomctl.conf"; echo; ls -a "$3/etc/sysctl.d" | tr "\\n" " "; exit $s',
      root, old,
    );
    cleanFailure(r);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/no space left to write .*60-oomctl\.conf \(ENOSPC\); it is as it was/);
    expect(r.stdout.startsWith(old)).toBe(true);
    expect(r.stdout).not.toMatch(/\.tmp/);
  });
});

// ------------------------------------------------------------------ SIGKILL during every kind of write

describe('SIGKILL at a random moment of a write, 200 kills per kind: the file is always old or new', () => {
  let writer: string;
  beforeAll(() => {
    writer = path.join(tmp, 'kill-writer.cjs');
    const r = spawnSync(path.join(REPO, 'node_modules/.bin/esbuild'), [path.join(REPO, 'test/helpers/kill-writer.ts'), '--bundle', '--platform=node', '--format=cjs', `--outfile=${writer}`, '--log-level=error'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  // The writers' environment without NODE_EXTRA_CA_CERTS: Node 20 reads and parses that bundle
  // of certificates at every start (~45 ms of the ~80 ms a start costs on this VM), and a writer
  // makes no TLS connection.
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));

  /** One child: started, told to write, killed 0-12 ms after it said "ready". */
  function killOnce(kind: string, root: string): Promise<void> {
    return new Promise((resolve) => {
      // One V8 thread: half the wall time of a start on a busy machine.
      const child = spawn(process.execPath, ['--v8-pool-size=0', '--single-threaded', writer, kind, root], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
      child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), Math.random() * 12));
      child.once('exit', () => resolve());
    });
  }

  const KINDS: Array<[string, string, string | undefined, (text: string | undefined) => boolean]> = [
    // the sysctl.d file (and metrics --output, the same writer with the same options)
    ['sysctl-conf', 'etc/sysctl.d/60-oomctl.conf', CONF_B, (t) => t === CONF_A || t === CONF_B],
    ['dropin', 'etc/systemd/system/mysql.service.d/50-oomctl.conf', '# Written by oomctl; "oomctl unprotect --persist" removes it.\n[Service]\nOOMScoreAdjust=-400\n',
      (t) => t !== undefined && /^# Written by oomctl; .*\n\[Service\]\nOOMScoreAdjust=-(500|400)\n$/.test(t)],
    ['adj-store', `run/oomctl/adj/${ADJ_RECORD.pid}-${ADJ_RECORD.starttime}.json`, undefined, (t) => t === undefined || t === JSON.stringify(ADJ_RECORD) + '\n'],
  ];

  it('sysctl.d file, drop-in, remembered-adj store: 200 kills each, never a partial file', async () => {
    const roots = KINDS.map(([kind, rel, initial]) => {
      const root = path.join(tmp, `kill-${kind}`);
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      if (initial !== undefined) writeFileSync(path.join(root, rel), initial);
      return root;
    });
    const kills = KINDS.map(() => 0);
    const bad: string[] = [];
    // Two writers per kind at a time (6 children): the writers also race each other, which the
    // rename must survive too. 100 rounds = 200 kills per kind.
    for (let round = 0; round < 100; round++) {
      await Promise.all(KINDS.flatMap(([kind], k) => [0, 1].map(() => killOnce(kind, roots[k] as string).then(() => { kills[k]! += 1; }))));
      KINDS.forEach(([kind, rel, , whole], k) => {
        const file = path.join(roots[k] as string, rel);
        const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        if (!whole(text)) bad.push(`${kind} after ${kills[k]} kills: ${JSON.stringify(text?.slice(0, 80))} (${text?.length} chars)`);
      });
    }
    expect(kills).toEqual([200, 200, 200]);
    expect(bad).toEqual([]);
    // What a kill leaves: temporary files named so that no loader reads them (dot-first, .tmp).
    // The next write sweeps those of dead pids once older than STALE_TEMP_MS: made older here,
    // one write per kind (not killed) must leave none.
    const leftOf = (k: number): string[] => {
      const file = path.join(roots[k] as string, KINDS[k]![1]);
      return readdirSync(path.dirname(file)).filter((n) => n !== path.basename(file));
    };
    const counts = KINDS.map((_, k) => leftOf(k));
    KINDS.forEach(([kind], k) => {
      for (const n of counts[k]!) expect(n).toMatch(/^\..*\.oomctl-\d+\.tmp$/);
      const dir = path.dirname(path.join(roots[k] as string, KINDS[k]![1]));
      for (const n of counts[k]!) utimesSync(path.join(dir, n), 0, 0);
      const once = spawnSync(process.execPath, [writer, kind, roots[k] as string, 'once'], { encoding: 'utf8', env: childEnv });
      expect(once.status, once.stderr).toBe(0);
      console.log(`${kind}: 200 kills, the file always old or new; ${counts[k]!.length} temporary files left by killed writers before the next write, ${leftOf(k).length} after it`);
    });
    expect(KINDS.map((_, k) => leftOf(k))).toEqual([[], [], []]);
  }, 300_000); // correctness, not speed: on a loaded machine 600 node starts can take minutes
});

// ------------------------------------------------------------------ hostile policies

describe('malformed, huge, deeply nested and alias-bomb policies', () => {
  const write = (name: string, text: string | Buffer): string => {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  const bomb = ['processes:', '  - match: &n0 {name: [a, a, a, a, a, a, a, a, a, a]}', '    oom_score_adj: 1'];
  for (let i = 1; i < 10; i++) bomb.push(`  - match: &n${i} {name: [${Array(10).fill(`*n${i - 1}`).join(', ')}]}`, '    oom_score_adj: 1');
  const huge = ['processes:'];
  for (let i = 0; i < 40_000; i++) huge.push(`  - match: { name: p${i} }`, '    oom_score_adj: 1');

  it.each([
    ['malformed', 'processes:\n  - match: { name: [\n', /policy\.malformed\.yml: \d+ problems?; nothing was applied/],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x1b, 0x5b, 0x32, 0x4a]), /nothing was applied/],
    ['deep', `processes: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /nothing was applied/],
    ['alias-bomb', bomb.join('\n') + '\n', /nothing was applied/],
    ['huge', huge.join('\n') + '\n', /^oomctl: the policy file .* is larger than 1 MiB; oomctl reads policies up to that size$/m],
  ] as Array<[string, string | Buffer, RegExp]>)('%s: exit 2 at once, nothing applied, no stack trace', (name, text, want) => {
    const root = copy('tuning/root');
    const file = write(`policy.${name}.yml`, text);
    const t0 = Date.now();
    for (const cmd of ['check', 'apply']) {
      const r = runCli(['--root', root, cmd, '-f', file, ...(cmd === 'apply' ? ['--yes'] : [])]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/\n\s+at |a bug in oomctl/);
      expect(r.stderr).not.toMatch(RAW_CONTROL);
    }
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('0');
  });
});

// ------------------------------------------------------------------ garbage /proc trees

describe('a garbage /proc tree under --root', () => {
  function garbage(): string {
    const root = copy('vm-6.18-scenario');
    const p = (rel: string) => path.join(root, 'proc', rel);
    writeFileSync(p('5901/stat'), Buffer.from('5901 (x) Z \x00\xff garbage ) ) (( 1 2'));
    writeFileSync(p('5902/status'), 'Name:\t\nVmRSS: lots kB\nUid:\tnone\n');
    rmSync(p('5903/stat'));
    rmSync(p('5900/oom_score_adj'));
    mkdirSync(p('5900/oom_score_adj')); // a directory where a file belongs
    writeFileSync(p('77777'), 'a file where a process folder belongs');
    mkdirSync(p('88888'));
    writeFileSync(p('vmstat'), Buffer.from([0x00, 0xff, 0x0a, 0x6f, 0x6f, 0x6d]));
    writeFileSync(p('pressure/memory'), 'some avg10=NaN\n');
    return root;
  }

  it.each([
    [['top', '--once']], [['top', '--once', '--json']], [['top', '--batch', '--iterations', '1']], [['explain', '5904']],
    [['doctor', '--fail-on', 'none']], [['metrics']], [['sysctl']], [['explain', '5900']],
  ])('%j: a documented exit, no stack trace', (args) => {
    const r = runCli(['--root', garbage(), ...args]);
    noStack(r);
    if (r.status !== 0) cleanFailure(r);
  });

  it('a /proc/meminfo that is not one: exit 7, one line, no "Infinity%"', () => {
    const root = copy('vm-6.18-scenario');
    writeFileSync(path.join(root, 'proc/meminfo'), Buffer.from([0x00, 0x01, 0xff, 0x0a]));
    const r = runCli(['--root', root, 'top', '--once']);
    cleanFailure(r);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/meminfo has no MemTotal line/);
    expect(r.stdout).toBe('');
  });
});

// ------------------------------------------------------------------ odd logs

describe('binary, CRLF, UTF-16, one huge line and truncated logs', () => {
  const REAL = readFileSync(path.join(FIXTURES, 'logs/machine-6.18-memcg-v1.dmesg.log'));
  const file = (name: string, data: Buffer | string): string => {
    const f = path.join(tmp, name);
    writeFileSync(f, data);
    return f;
  };

  it.each([
    ['binary', () => Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24)), 0],
    ['CRLF', () => Buffer.from(REAL.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'), 1],
    ['truncated mid-report', () => REAL.subarray(0, 700), 1],
    ['one 8 MB line', () => Buffer.alloc(8 << 20, 0x41), 0],
    // UTF-16 as Windows tools and iconv write it: with a BOM (both byte orders), and little-endian without one
    ['UTF-16LE with BOM', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(REAL.toString('latin1'), 'utf16le')]), 1],
    ['UTF-16BE with BOM', () => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(REAL.toString('latin1'), 'utf16le').swap16()]), 1],
    ['UTF-16LE without BOM', () => Buffer.from(REAL.toString('latin1'), 'utf16le'), 1],
  ] as Array<[string, () => Buffer, number]>)('%s: exit 0, every kill found, no stack trace', (name, make, kills) => {
    const r = runCli(['events', '--file', file(`log-${name.replace(/\W/g, '')}.log`, make()), '--json']);
    noStack(r);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).events).toHaveLength(kills);
  });

  const TIME = '/usr/bin/time';
  it.skipIf(skipReason(existsSync(TIME) ? undefined : 'no /usr/bin/time (GNU time) to measure peak memory', 'log scaling'))('time and memory grow linearly with the size (1, 8, 64 MB; ratios, the machine is busy)', () => {
    const measure = (mb: number, kind: string): { s: number; kb: number } => {
      const unit = kind === 'log' ? REAL : Buffer.from(Buffer.alloc(1 << 20).map((_, i) => (kind === 'line' ? 0x41 : (i * 2654435761) >>> 24)));
      const parts: Buffer[] = [];
      let size = 0;
      while (size < mb << 20) { parts.push(unit); size += unit.length; }
      const f = file(`scale-${kind}-${mb}.log`, Buffer.concat(parts).subarray(0, mb << 20));
      const r = spawnSync(TIME, ['-f', '%e %M', process.execPath, BIN, 'events', '--file', f], { encoding: 'utf8', maxBuffer: 256 << 20 });
      rmSync(f);
      const [s, kb] = (r.stderr.trim().split('\n').pop() as string).split(' ').map(Number) as [number, number];
      return { s, kb };
    };
    const rows: string[] = [];
    for (const kind of ['log', 'line', 'binary']) {
      const [a, b, c] = [1, 8, 64].map((mb) => measure(mb, kind)) as [{ s: number; kb: number }, { s: number; kb: number }, { s: number; kb: number }];
      rows.push(`${kind}: 1 MB ${a.s} s ${a.kb} kB, 8 MB ${b.s} s ${b.kb} kB, 64 MB ${c.s} s ${c.kb} kB`);
      // Linear: 64x the input costs at most ~64x (with room for a loaded machine), never quadratic.
      expect(c.s, rows.join('\n')).toBeLessThan(Math.max(a.s, 0.2) * 64 * 2);
      expect(c.kb, rows.join('\n')).toBeLessThan(Math.max(a.kb, 40_000) * 64 * 1.5);
    }
    console.log(rows.join('\n'));
  }, 120_000);
});

// ------------------------------------------------------------------ concurrency and signals

function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { out: '', err: '' };
  child.stdout.on('data', (d) => { io.out += String(d); });
  child.stderr.on('data', (d) => { io.err += String(d); });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, io, closed };
}
const until = async (cond: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('two applies at once, and a SIGHUP storm on apply --watch', () => {
  const POLICY = 'sysctl:\n  vm.oom_dump_tasks: 1\nprocesses:\n  - match: { name: mysqld, user: root }\n    oom_score_adj: -500\n    persist: systemd\n  - match: { name: my-very-long-daemon-name }\n    oom_score_adj: 200\n';

  it('two applies of one policy at once: both end 0, the machine ends as the policy says, files whole', async () => {
    const root = copy('tuning/root');
    const file = path.join(tmp, 'two.yml');
    writeFileSync(file, POLICY);
    const a = startCli(['--root', root, 'apply', '-f', file, '--yes']);
    const b = startCli(['--root', root, 'apply', '-f', file, '--yes']);
    const [ra, rb] = await Promise.all([a.closed, b.closed]);
    expect([ra.code, rb.code], a.io.err + b.io.err).toEqual([0, 0]);
    for (const io of [a.io, b.io]) expect(io.err).not.toMatch(/\n\s+at |a bug in oomctl/);
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('-500');
    expect(readFileSync(path.join(root, 'proc/30850/oom_score_adj'), 'utf8').trim()).toBe('200');
    expect(readFileSync(path.join(root, 'etc/systemd/system/mysql.service.d/50-oomctl.conf'), 'utf8')).toMatch(/\nOOMScoreAdjust=-500\n$/);
    // The remembered original is the one before either apply: 0, not -500.
    for (const n of readdirSync(path.join(root, 'run/oomctl/adj'))) {
      if (n.endsWith('.json')) expect(JSON.parse(readFileSync(path.join(root, 'run/oomctl/adj', n), 'utf8')).original).toBe(0);
    }
  });

  it('200 SIGHUPs in a burst: no crash, the policy still applied, SIGTERM ends it with 0', async () => {
    const root = copy('tuning/root');
    const file = path.join(tmp, 'storm.yml');
    writeFileSync(file, POLICY);
    const w = startCli(['--root', root, 'apply', '-f', file, '--yes', '--watch', '--interval', '0.2']);
    await until(() => w.io.err.includes('watching for new processes'));
    for (let i = 0; i < 200; i++) w.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.child.exitCode).toBeNull(); // still running
    w.child.kill('SIGTERM');
    const end = await w.closed;
    expect(end).toEqual({ code: 0, signal: null });
    expect(w.io.err).not.toMatch(/\n\s+at |a bug in oomctl|MaxListenersExceeded/);
    expect(readFileSync(path.join(root, 'proc/30848/oom_score_adj'), 'utf8').trim()).toBe('-500');
  }, 30_000);
});

const PTY = path.join(REPO, 'test/helpers/pty-signal.py');
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));

describe.skipIf(skipReason(PYTHON ? undefined : 'python3 not installed (runs the pseudo-terminal)', 'live screen signals'))('every catchable signal on the live screen', () => {
  // signal(7): the ones whose default ends the process and that a listener may catch.
  const ENDING = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGIO', 'SIGSYS', 'SIGTRAP', 'SIGABRT', 'SIGSTKFLT'];
  const run = (sig: string): Promise<Record<string, unknown>> => new Promise((resolve) => {
    const child = spawn(PYTHON as string, [PTY, sig, process.execPath, BIN, '--root', path.join(FIXTURES, 'live-top'), 'top', '--delay', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    child.once('close', () => resolve(JSON.parse(out) as Record<string, unknown>));
  });

  it('each restores the terminal (main screen, cursor, cooked mode) and the process dies of it', async () => {
    const results: Array<[string, Record<string, unknown>]> = [];
    for (let i = 0; i < ENDING.length; i += 4) {
      const batch = ENDING.slice(i, i + 4);
      const got = await Promise.all(batch.map(run));
      batch.forEach((s, k) => results.push([s, got[k] as Record<string, unknown>]));
    }
    for (const [sig, r] of results) {
      expect({ sig, sent: r.sent, signal: r.signal, screen_left: r.screen_left, cursor_shown: r.cursor_shown, cooked_after: r.cooked_after })
        .toEqual({ sig, sent: true, signal: sig, screen_left: true, cursor_shown: true, cooked_after: true });
    }
  }, 90_000);

  it('SIGTSTP gives the terminal back and stops; SIGCONT takes it again and redraws', async () => {
    const r = await run('SIGTSTP');
    expect(r.stopped).toEqual({ stopped: true, cooked: true, alternate: false });
    expect(r.continued).toEqual({ cooked: false, alternate: true, redrawn: true });
    expect([r.signal, r.screen_left, r.cooked_after]).toEqual(['SIGTERM', true, true]);
  }, 30_000);
});
