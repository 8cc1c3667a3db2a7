// `oomctl forecast` from the bundled binary against a private copy of the
// /proc tree captured on this VM (vm-6.18-scenario), with an earlyoom, a
// systemd-oomd and a kubelet process added to it. A captured tree does not change between
// samples: nothing grows, unless its meminfo is already past a threshold.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, copyFixture, FIXTURES, REPO, runCli } from '../helpers/run-cli.js';

const root = copyFixture('vm-6.18-scenario', 'oomctl-forecast-cli-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function addProcess(pid: number, comm: string, argv: string[]): void {
  const from = path.join(root, 'proc/1079');
  const to = path.join(root, `proc/${pid}`);
  cpSync(from, to, { recursive: true });
  const stat = readFileSync(path.join(from, 'stat'), 'utf8');
  writeFileSync(path.join(to, 'stat'), stat.replace(/^1079 \([^)]*\)/, `${pid} (${comm})`));
  writeFileSync(path.join(to, 'status'), readFileSync(path.join(from, 'status'), 'utf8').replace(/^Name:\t.*$/m, `Name:\t${comm}`));
  writeFileSync(path.join(to, 'cmdline'), argv.join('\0') + '\0');
}
addProcess(4242, 'earlyoom', ['/usr/bin/earlyoom', '-m', '15', '-r', '3600']);
addProcess(4243, 'systemd-oomd', ['/usr/lib/systemd/systemd-oomd']);
addProcess(4244, 'kubelet', ['/usr/bin/kubelet', '--config=/var/lib/kubelet/config.yaml', '--eviction-hard=memory.available<500Mi']);
mkdirSync(path.join(root, 'etc/systemd'), { recursive: true });
writeFileSync(path.join(root, 'etc/systemd/oomd.conf'), '[OOM]\nSwapUsedLimit=80%\n');
cpSync(path.join(FIXTURES, 'forecast/zoneinfo-6.18'), path.join(root, 'proc/zoneinfo'));
const at = ['--root', root];

describe('oomctl forecast on a captured tree', () => {
  it('nothing grows: seconds_to_oom null, exit 0, each killer listed or omitted with a reason', () => {
    const r = runCli(['forecast', ...at, '--window', '1', '--json', '--fail-below', '86400']);
    expect(r.status, r.stderr).toBe(0);
    // no progress line when stderr is not a terminal
    expect(r.stderr).toBe('');
    const f = JSON.parse(r.stdout);
    expect(f).toMatchObject({ seconds_to_oom: null, killer: null, victim_at_oom: null, samples: 9, window_seconds: 1, interval_seconds: 0.125 });
    expect(f.scope).toMatchObject({ type: 'machine', cgroup: null, totalpages: 6171023 });
    // MemFree + file LRU of the capture, and the floor: the sum of the zones' min watermarks
    expect(f.scope.threshold_bytes).toBe((39 + 8017 + 8838 + 32) * 4096);
    expect(f.confidence).toMatchObject({ level: 'none', verdict: 'flat' });
    expect(f.killers.map((k: any) => k.killer)).toEqual(['kernel', 'earlyoom', 'systemd-oomd-swap', 'systemd-oomd-pressure', 'kubelet-eviction']);
    const e = f.killers.find((k: any) => k.killer === 'earlyoom');
    expect(e.rule).toBe('MemAvailable <= 15.00 % of MemAvailable + AnonPages and SwapFree <= 10.00 % of SwapTotal (SIGTERM; SIGKILL at 7.50 % / 5.00 %)');
    expect(e.seconds).toBeNull();
    expect(f.killers.find((k: any) => k.killer === 'systemd-oomd-swap')).toMatchObject({
      seconds: null, note: 'pid 4243; no swap: the swap rule never acts',
      rule: 'MemAvailable < 20.00 % of MemTotal and SwapFree < 20.00 % of SwapTotal (SwapUsedLimit=80 %)',
    });
    expect(f.killers.find((k: any) => k.killer === 'systemd-oomd-pressure')).toMatchObject({ forecastable: false, seconds: null });
    expect(f.killers.find((k: any) => k.killer === 'kubelet-eviction')).toMatchObject({ rule: 'memory.available < 524288000 B (evictionHard, --eviction-hard)', seconds: null, victim: null });
    expect(f.killers_omitted).toEqual([]);
    expect(f.next_victim_now.pid).toBeGreaterThan(0);
    expect(f.top_growers).toEqual([]);
  });

  it('a machine already below earlyoom\'s threshold: earlyoom acts now and takes the highest oom_score', () => {
    const mem = path.join(root, 'proc/meminfo');
    const saved = readFileSync(mem, 'utf8');
    try {
      writeFileSync(mem, saved.replace(/^MemAvailable:\s+\d+ kB$/m, 'MemAvailable:      20000 kB'));
      const top = JSON.parse(runCli(['top', ...at, '--json']).stdout);
      const highest = [...top.processes].sort((a: any, b: any) => b.predicted_oom_score - a.predicted_oom_score)[0];
      const r = runCli(['forecast', ...at, '--window', '1', '--json', '--fail-below', '0']);
      expect(r.status, 'exit 1: an OOM kill within 0 s').toBe(1);
      const f = JSON.parse(r.stdout);
      expect(f).toMatchObject({ seconds_to_oom: 0, killer: 'earlyoom' });
      // The owner through readOwners (docs/json.md): this capture's process sits in the root of the systemd hierarchy.
      expect(f.victim_at_oom).toMatchObject({ pid: highest.pid, owner: { kind: 'none', unit: null, slice: null }, rank_now: 1 });
      const h = runCli(['forecast', ...at, '--window', '1']);
      expect(h.stdout.split('\n')[0]).toMatch(/^the machine has run out \(\+0 B\/s\); earlyoom would then kill pid \d+ .+ \(now rank 1\); next victim now: pid \d+ /);
    } finally {
      writeFileSync(mem, saved);
    }
  });

  it('the victim\'s owner is named: JSON owner object and "of unit X" in the human line', () => {
    const mem = path.join(root, 'proc/meminfo');
    const saved = readFileSync(mem, 'utf8');
    const top = JSON.parse(runCli(['top', ...at, '--json']).stdout);
    const highest = [...top.processes].sort((a: any, b: any) => b.predicted_oom_score - a.predicted_oom_score)[0];
    const cg = path.join(root, `proc/${highest.pid}/cgroup`);
    const savedCg = readFileSync(cg, 'utf8');
    try {
      writeFileSync(mem, saved.replace(/^MemAvailable:\s+\d+ kB$/m, 'MemAvailable:      20000 kB'));
      writeFileSync(cg, savedCg.replace(/^9:name=systemd:\/$/m, '9:name=systemd:/system.slice/worker\\x2d1.service').replace(/^0::\/$/m, '0::/system.slice/worker\\x2d1.service'));
      const f = JSON.parse(runCli(['forecast', ...at, '--window', '1', '--json']).stdout);
      expect(f.victim_at_oom.owner).toMatchObject({ kind: 'unit', unit: 'worker\\x2d1.service', slice: 'system.slice' });
      const h = runCli(['forecast', ...at, '--window', '1']);
      // the unit's name is escaped as untrusted text (the backslash doubled)
      expect(h.stdout.split('\n')[0]).toContain(`earlyoom would then kill pid ${highest.pid} ${highest.comm} of unit worker\\\\x2d1.service (now rank 1)`);
    } finally {
      writeFileSync(cg, savedCg);
      writeFileSync(mem, saved);
    }
  });

  it.each([
    [['--window', '0.5'], '--window must be between 1 and 86400 seconds (a day)'],
    [['--window', '86401'], '--window must be between 1 and 86400 seconds (a day)'],
    [['--window', 'soon'], '--window must be a number of seconds, not "soon"'],
    [['--fail-below', '-3'], '--fail-below must be a number of seconds, not "-3"'],
  ])('bad input %j: one line, exit 2', (args, message) => {
    const r = runCli(['forecast', ...at, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`oomctl: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('on a terminal, a progress line on stderr, cleared at the end', () => {
    const r = spawnSync('python3', [path.join(REPO, 'test/helpers/pty-run.py'), 'n', process.execPath, BIN, 'forecast', ...at, '--window', '1'], { encoding: 'utf8' });
    expect(r.stdout).toContain('\roomctl: sampling 1/9 (1 s)');
    expect(r.stdout).toContain('\roomctl: sampling 8/9 (1 s)\r\x1b[K');
    expect(r.stdout).toContain('the machine: no OOM kill forecast');
  });

  it('a missing cgroup: exit 3', () => {
    const r = runCli(['forecast', ...at, '--cgroup', '/no-such-group', '--window', '1']);
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe('oomctl: no memory cgroup /no-such-group');
  });
});
