import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

const root = ['--root', path.join(FIXTURES, 'live-top')];

describe('oomctl top: batch mode and the one-shot fallback (fixture live-top)', () => {
  it('-b prints one plain screen per refresh, -i stops it', () => {
    const r = runCli([...root, 'top', '-b', '-i', '2', '-d', '0.1']);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^oomctl top - /gm)).toHaveLength(2);
    expect(r.stdout).toContain('since last refresh: 0 new, 0 gone, 0 moved');
    expect(r.stdout).toMatch(/^>\s+1\s+1357\s+root\s+python3/m);
    expect(r.stdout).not.toContain('q quit');
    expect(r.stdout).not.toContain('\x1b');
  });

  it('-b with -n limits each section', () => {
    const r = runCli([...root, 'top', '-b', '-i', '1', '-n', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-- kill order: 3 (2 not shown)');
    expect(r.stdout.split('\n').filter((l) => /^[> ]\s+(\d+|-)\s+\d+\s/.test(l))).toHaveLength(2);
  });

  it('not a terminal: one snapshot, as before', () => {
    const r = runCli([...root, 'top']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scope: whole machine');
    expect(r.stdout).not.toContain('oomctl top -');
  });

  it.each([
    [['top', '--batch', '--json'], '--batch prints text screens; for JSON use --once --json'],
    [['top', '-d', '0'], '--delay must be between 0.1 and 86400 seconds'],
    [['top', '-d', 'soon'], '--delay must be a number of seconds, not "soon"'],
    [['top', '-i', '0'], '--iterations must be between 1 and 10000000'],
  ])('%j is a usage error', (args, message) => {
    const r = runCli([...root, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
