// `oomctl metrics --forecast-window` from the bundled binary against a private
// copy of the captured tree (vm-6.18-scenario) with an earlyoom added: a
// captured tree does not change between samples, so nothing grows unless its
// meminfo is already past a threshold.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixture, FIXTURES, runCli } from '../helpers/run-cli.js';
import { skipWith } from '../helpers/skip.js';
import { findTool } from '../helpers/tools.js';

const root = copyFixture('vm-6.18-scenario', 'oomctl-wfc-metrics-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const from = path.join(root, 'proc/1079');
const to = path.join(root, 'proc/4242');
cpSync(from, to, { recursive: true });
writeFileSync(path.join(to, 'stat'), readFileSync(path.join(from, 'stat'), 'utf8').replace(/^1079 \([^)]*\)/, '4242 (earlyoom)'));
writeFileSync(path.join(to, 'status'), readFileSync(path.join(from, 'status'), 'utf8').replace(/^Name:\t.*$/m, 'Name:\tearlyoom'));
writeFileSync(path.join(to, 'cmdline'), ['/usr/bin/earlyoom', '-m', '15'].join('\0') + '\0');
cpSync(path.join(FIXTURES, 'forecast/zoneinfo-6.18'), path.join(root, 'proc/zoneinfo'));
const at = ['--root', root];
const lines = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
const PROMTOOL = findTool('promtool');

describe('oomctl metrics --forecast-window', () => {
  it('nothing grows: the window is exported, oomctl_forecast_seconds_to_oom is absent', () => {
    const r = runCli(['metrics', ...at, '--top', '0', '--forecast-window', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout, 'oomctl_forecast_window_seconds')).toEqual(['oomctl_forecast_window_seconds 1']);
    expect(lines(r.stdout, 'oomctl_forecast_samples')).toEqual(['oomctl_forecast_samples 9']);
    expect(r.stdout).not.toContain('oomctl_forecast_seconds_to_oom');
  });

  it('past earlyoom\'s threshold: a sample per killer that acts, labelled with its scope', () => {
    const mem = path.join(root, 'proc/meminfo');
    const saved = readFileSync(mem, 'utf8');
    try {
      writeFileSync(mem, saved.replace(/^MemAvailable:\s+\d+ kB$/m, 'MemAvailable:      20000 kB'));
      const r = runCli(['metrics', ...at, '--top', '0', '--forecast-window', '1']);
      expect(r.status, r.stderr).toBe(0);
      expect(lines(r.stdout, 'oomctl_forecast_seconds_to_oom')).toEqual(['oomctl_forecast_seconds_to_oom{scope="machine",killer="earlyoom"} 0']);
    } finally {
      writeFileSync(mem, saved);
    }
  });

  it('promtool accepts it', skipWith(PROMTOOL ? undefined : 'promtool is not installed (Debian package prometheus)'), () => {
    const mem = path.join(root, 'proc/meminfo');
    const saved = readFileSync(mem, 'utf8');
    try {
      writeFileSync(mem, saved.replace(/^MemAvailable:\s+\d+ kB$/m, 'MemAvailable:      20000 kB'));
      const text = runCli(['metrics', ...at, '--forecast-window', '1']).stdout;
      expect(text).toContain('oomctl_forecast_seconds_to_oom{');
      const c = spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(c.stdout + c.stderr).toBe('');
      expect(c.status).toBe(0);
    } finally {
      writeFileSync(mem, saved);
    }
  });

  it.each([
    [['--forecast-window', '0.5'], '--forecast-window must be between 1 and 86400 seconds (a day)'],
    [['--forecast-window', 'soon'], '--forecast-window must be a number of seconds, not "soon"'],
    [['--forecast-cgroup', '/x'], '--forecast-cgroup needs --forecast-window'],
  ])('%j: exit 2 with one line', (args, message) => {
    const r = runCli(['metrics', ...at, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`oomctl: ${message}\n`);
  });

  it('a missing cgroup: exit 3', () => {
    expect(runCli(['metrics', ...at, '--forecast-window', '1', '--forecast-cgroup', '/oomctl-wfc-none']).status).toBe(3);
  });
});
