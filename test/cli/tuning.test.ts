// protect / unprotect / adj against a captured /proc tree copied to a temp
// folder, where oom_score_adj files are plain files: negative values end to
// end, drop-ins, and every bad ADJ and TARGET.

import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from '../helpers/run-cli.js';

const REAL = 30848; // root's mysqld in /system.slice/mysql.service
const FAKE = 30849; // nobody's mysqld from another path
const LONG = 30850; // my-very-long-daemon-name, comm cut to my-very-long-da

let root: string;
beforeEach(() => {
  root = copyFixture('tuning/root', 'oomctl-tuning-');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const adjOf = (pid: number): string => readFileSync(path.join(root, `proc/${pid}/oom_score_adj`), 'utf8').trim();
const cli = (...args: string[]) => runCli(['--root', root, ...args]);
const REAL_EXE = (): string => readlinkSync(path.join(root, `proc/${REAL}/exe`));

describe('protect against a fixture root', () => {
  it('takes a negative ADJ typed after the target, writes it and reports the ranking', () => {
    const r = cli('protect', String(REAL), '-15');
    expect(r.stderr).toContain('-15 lowers the badness by 1.5 % of RAM + swap');
    expect(r.stderr).toContain('legacy /proc/PID/oom_adj -15, that is oom_score_adj -882');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^pid ${REAL} \\(mysqld\\): oom_score_adj 0 → -15\\n  rank \\d of 3 → rank \\d of 3; predicted oom_score 666 → 6\\d\\d`));
    expect(adjOf(REAL)).toBe('-15');
    expect(adjOf(FAKE)).toBe('0');
  });

  it('refuses a name that matches an impostor, and changes nothing', () => {
    const r = cli('protect', 'mysqld', '-15');
    expect(r.status).toBe(6);
    expect(r.stderr).toContain(`pid ${FAKE} user nobody exe `);
    expect(r.stderr).toContain('--exe PATH, --user USER or a pid');
    expect(adjOf(REAL)).toBe('0');
    expect(adjOf(FAKE)).toBe('0');
  });

  it('--exe, --user and --unit narrow the name to the real one', () => {
    const narrows = [['--exe', REAL_EXE()], ['--user', 'root'], ['--unit', 'mysql'], ['--cgroup', '/system.slice']];
    for (const [i, narrow] of narrows.entries()) {
      const r = cli('protect', 'mysqld', String(-20 - i), ...narrow, '--json');
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.changes.length).toBe(1);
      expect(j.processes[0].pid).toBe(REAL);
      expect(adjOf(REAL)).toBe(String(-20 - i));
      expect(adjOf(FAKE)).toBe('0');
    }
  });

  it('--all-matches takes them all, but several processes need --yes without a terminal', () => {
    const refused = cli('protect', 'mysqld', '-10', '--all-matches');
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--yes');
    expect(adjOf(REAL)).toBe('0');
    const r = cli('protect', 'mysqld', '-10', '--all-matches', '--yes');
    expect(r.status).toBe(0);
    expect([adjOf(REAL), adjOf(FAKE)]).toEqual(['-10', '-10']);
    // Nothing left to change is not risky: no --yes needed.
    const again = cli('protect', 'mysqld', '-10', '--all-matches');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.match(/\(unchanged\)/g)?.length).toBe(2);
  });

  it('never raises a value that is already lower', () => {
    expect(cli('protect', String(REAL), '-800').status).toBe(0);
    const r = cli('protect', String(REAL));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('oom_score_adj -800 → -800 (unchanged)');
    expect(r.stderr).toContain('already has oom_score_adj -800, below -500: left as it is');
    expect(adjOf(REAL)).toBe('-800');
  });

  it('uses -500 without ADJ', () => {
    expect(cli('protect', String(REAL)).status).toBe(0);
    expect(adjOf(REAL)).toBe('-500');
  });

  it('-1000 needs --force (and then --yes without a terminal), and warns what it risks', () => {
    const r = cli('protect', String(REAL), '-1000');
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('--force');
    expect(cli('protect', String(REAL), '-1000', '--force').status).toBe(6);
    const ok = cli('protect', String(REAL), '-1000', '--force', '--yes');
    expect(ok.status).toBe(0);
    expect(ok.stderr).toContain('can no longer be chosen by the OOM killer');
    expect(ok.stdout).toContain('never chosen');
    expect(adjOf(REAL)).toBe('-1000');
  });

  it('--dry-run prints the plan and writes nothing; --json has the plan as data', () => {
    const r = cli('protect', String(REAL), '-15', '--dry-run', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ changed: false, dry_run: true, changes: [{ what: `pid ${REAL} (mysqld): oom_score_adj`, from: 0, to: -15 }] });
    expect(j.processes[0]).toMatchObject({ pid: REAL, status: 'planned', oom_score_adj_before: 0, oom_score_adj_after: -15, unit: 'mysql.service' });
    expect(adjOf(REAL)).toBe('0');
    expect(existsSync(path.join(root, 'run/oomctl'))).toBe(false);
  });

  it('re-running a change that is already made changes nothing', () => {
    cli('protect', String(REAL), '-15');
    const again = cli('protect', String(REAL), '-15', '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, changes: [] });
  });

  it('matches a name longer than 15 bytes through the executable, and explains near misses', () => {
    expect(cli('protect', 'my-very-long-daemon-name', '-5').status).toBe(0);
    expect(adjOf(LONG)).toBe('-5');
    const exact = cli('protect', 'my-very-long-daemon-nameX', '-5', '--exact');
    expect(exact.status).toBe(3);
    // Its exe's name cuts to the same comm: the process is that program, and dropping --exact
    // would not match it either (kernel/target.ts matchesName), so the hint names the program.
    expect(exact.stderr).toContain('my-very-long-da (the 15-byte cut of "my-very-long-daemon-nameX", but also of its executable\'s name my-very-long-daemon-name: it runs that program)');
    expect(exact.stderr).not.toContain('drop --exact');
    const cased = cli('protect', 'MySQLd');
    expect(cased.status).toBe(3);
    expect(cased.stderr).toContain('near misses: mysqld');
  });
});

describe('unprotect against a fixture root', () => {
  it('restores the value before oomctl changed it, recorded by pid and start time', () => {
    cli('adj', String(REAL), '300');
    cli('protect', String(REAL), '-15');
    const files = readdirSync(path.join(root, 'run/oomctl/adj'));
    expect(files).toEqual([expect.stringMatching(new RegExp(`^${REAL}-\\d+\\.json$`))]);
    expect(JSON.parse(readFileSync(path.join(root, 'run/oomctl/adj', files[0] as string), 'utf8')).original).toBe(0);
    const r = cli('unprotect', String(REAL));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-15 → 0 (restored: the value before oomctl changed it)');
    expect(adjOf(REAL)).toBe('0');
    expect(readdirSync(path.join(root, 'run/oomctl/adj'))).toEqual([]);
  });

  it('falls back to 0 when nothing was recorded', () => {
    cli('adj', String(LONG), '-40'); // recorded
    rmSync(path.join(root, 'run/oomctl'), { recursive: true });
    const r = cli('unprotect', String(LONG));
    expect(r.stdout).toContain('-40 → 0 (no earlier value recorded: the default 0)');
    expect(adjOf(LONG)).toBe('0');
  });
});

describe('adj against a fixture root', () => {
  it('shows values without the impostor rule (nothing changes)', () => {
    const r = cli('adj', 'mysqld', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).processes.map((p: { pid: number }) => p.pid).sort()).toEqual([REAL, FAKE]);
  });
  it('sets positive values, which make the preferred victim', () => {
    const r = cli('adj', String(FAKE), '500');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rank \d of 3 → rank 1 of 3/);
    expect(r.stdout).toContain('still the next victim: oom_score_adj');
    expect(adjOf(FAKE)).toBe('500');
  });
});

describe('bad ADJ and TARGET', () => {
  it.each([
    ['010'], ['0x64'], ['1.5'], ['1e3'], ['1001'], ['-1001'], ['abc'], [''], ['-0x64'], ['- 5'],
  ])('protect %j exits 2 and writes nothing', (adj) => {
    const r = cli('protect', String(REAL), adj);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^oomctl: /);
    expect(adjOf(REAL)).toBe('0');
  });
  it('protect with a positive ADJ points to adj', () => {
    const r = cli('protect', String(REAL), '5');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('oomctl adj TARGET 5');
  });
  it.each([
    [['adj', String(REAL), '0x10'], 2, /VALUE must be a decimal integer/],
    [['protect', '/usr/sbin/mysqld'], 2, /neither a pid nor a process name/],
    [['protect', 'mysqld', '--regex', '('], 2, /invalid --regex/],
    [['protect', 'mysqld', '--cgroup', '/a/../b'], 2, /invalid --cgroup/],
    [['protect'], 2, /missing required argument/],
    [['protect', '99999'], 3, /no process with pid 99999/],
    [['protect', 'nosuchdaemon'], 3, /no process named "nosuchdaemon"/],
    [['protect', 'mysqld', '--user', 'daemon'], 3, /none matches --user daemon/],
    [['protect', '1'], 6, /pid 1 \(init\) is never touched/],
    [['protect', '2'], 6, /kernel thread/],
    [['protect', 'kthreadd'], 6, /never touches them/],
    [['protect', String(REAL), '-5', '--unit', 'nginx'], 3, /does not match --unit nginx.service/],
  ])('%j exits %i', (args, status, message) => {
    const r = cli(...(args as string[]));
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
  });
  it('escapes a hostile name before it reaches the terminal', () => {
    const r = cli('protect', 'evil\u001b[2J');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('evil\\x1b[2J');
  });
});

describe('--persist against a fixture root', () => {
  const dropin = (): string => path.join(root, 'etc/systemd/system/mysql.service.d/50-oomctl.conf');
  it('writes a drop-in for the unit of the process, and unprotect --persist removes it', () => {
    const r = cli('protect', String(REAL), '-15', '--persist');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(dropin(), 'utf8')).toBe('# Written by oomctl; "oomctl unprotect --persist" removes it.\n[Service]\nOOMScoreAdjust=-15\n');
    expect(r.stdout).toContain('/etc/systemd/system/mysql.service.d/50-oomctl.conf: OOMScoreAdjust (none) → -15');
    expect(r.stdout).toContain("the unit's next start applies it");
    expect(r.stderr).toContain('--root is not /: did not run systemctl daemon-reload');
    expect(readdirSync(path.dirname(dropin()))).toEqual(['50-oomctl.conf']);
    const again = cli('protect', String(REAL), '-15', '--persist', '--json');
    expect(JSON.parse(again.stdout).persist[0].status).toBe('unchanged');
    const un = cli('unprotect', String(REAL), '--persist');
    expect(un.status).toBe(0);
    expect(existsSync(dropin())).toBe(false);
    expect(adjOf(REAL)).toBe('0');
  });
  it('says so for a process outside a systemd service, keeps the live value, exits 5', () => {
    const r = cli('protect', String(LONG), '-15', '--persist');
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('is not in a systemd service');
    expect(r.stderr).toContain('oomctl run --adj N -- COMMAND');
    expect(adjOf(LONG)).toBe('-15');
    expect(existsSync(path.join(root, 'etc/systemd'))).toBe(false);
  });
  it('--dry-run --persist writes no drop-in', () => {
    const r = cli('protect', String(REAL), '-15', '--persist', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('OOMScoreAdjust (none) → -15');
    expect(existsSync(dropin())).toBe(false);
  });
});
