// Drives the live screen in a real pseudo-terminal (tmux, on a private
// server socket so no other tmux is touched) against the live-top fixture.

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { skipWith } from '../helpers/skip.js';
import { BIN, FIXTURES } from '../helpers/run-cli.js';

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
// One server socket per test: a server still shutting down after the previous
// test's kill-server must never meet the next new-session on the same socket.
const SOCKET_BASE = `oomctl-test-${process.pid}`;
let socketNo = 0;
let SOCKET = `${SOCKET_BASE}-0`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string => tmux('capture-pane', '-p', '-t', 'top');
const flags = (): string => tmux('display', '-p', '-t', 'top', '#{alternate_on} #{cursor_flag}').trim();

async function waitFor(test: (s: string) => boolean, what: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = screen();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
}

/** The pid column of the process rows, top to bottom. */
function rowPids(s: string): number[] {
  return s.split('\n').filter((l) => /^[> ]\s+(\d+|-)\s+\d+\s/.test(l)).map((l) => Number(l.trim().replace(/^>\s*/, '').split(/\s+/)[1]));
}

function start(): void {
  SOCKET = `${SOCKET_BASE}-${++socketNo}`;
  const cmd = `NO_COLOR=1 ${process.execPath} ${BIN} --root ${path.join(FIXTURES, 'live-top')} top -d 1; echo EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', cmd);
}

describe('oomctl top live screen (tmux)', skipWith(hasTmux ? undefined : 'tmux is not installed (Debian package tmux)'), () => {
  afterEach(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  });
  afterAll(() => {
    // tmux leaves its socket files behind.
    for (let i = 0; i <= socketNo; i++) {
      rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, `${SOCKET_BASE}-${i}`), { force: true });
    }
  });

  it('shows header and rows, sorts on a key, quits on q with status 0 and restores the terminal', async () => {
    start();
    expect(flags()).toBe('0 1'); // the terminal as found
    let s = await waitFor((x) => x.includes('next victim: pid 1357'), 'the first frame');
    expect(s).toMatch(/^oomctl top - \d\d:\d\d:\d\d, every 1s, kernel 6\.18\.44-fc-v657 \(rules v5\.9\+\), sort score/m);
    expect(s).toMatch(/^Mem: 23\.5 GiB total/m);
    expect(s).toContain('OOM kills since boot: 63');
    expect(rowPids(s)).toEqual([1357, 1358, 1352, 1, 2, 10]);
    expect(flags()).toBe('1 0'); // alternate screen, cursor hidden

    tmux('send-keys', '-t', 'top', 'p');
    s = await waitFor((x) => x.includes('sort pid'), 'the pid sort');
    expect(rowPids(s)).toEqual([1352, 1357, 1358, 1, 2, 10]);

    tmux('send-keys', '-t', 'top', '/');
    tmux('send-keys', '-t', 'top', '-l', 'sle');
    tmux('send-keys', '-t', 'top', 'Enter');
    s = await waitFor((x) => x.includes('filter name~sle'), 'the name filter');
    expect(rowPids(s)).toEqual([1358]);

    tmux('send-keys', '-t', 'top', 'q');
    s = await waitFor((x) => x.includes('EXIT='), 'the exit');
    expect(s).toContain('EXIT=0');
    expect(s).not.toContain('oomctl top -'); // back on the main screen
    expect(flags()).toBe('0 1');
  });

  it('restores the terminal on SIGTERM and dies of it', async () => {
    start();
    await waitFor((x) => x.includes('next victim'), 'the first frame');
    const shell = tmux('display', '-p', '-t', 'top', '#{pane_pid}').trim();
    const node = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0];
    process.kill(Number(node), 'SIGTERM');
    const s = await waitFor((x) => x.includes('EXIT='), 'the exit');
    expect(s).toContain('EXIT=143');
    expect(flags()).toBe('0 1');
  });

  it('follows a terminal resize', async () => {
    start();
    await waitFor((x) => x.includes('next victim'), 'the first frame');
    tmux('resize-window', '-t', 'top', '-x', '60', '-y', '15');
    // The whole new frame: its status line on row 15 and its header on row 1.
    const s = await waitFor((x) => x.split('\n')[14]?.startsWith('q quit') === true && x.startsWith('oomctl top -'), 'the status line on row 15 and the header on row 1');
    const lines = s.split('\n');
    expect(lines.slice(0, 15).every((l) => l.length <= 60)).toBe(true);
    // The first line is longer than 60 columns: cut at exactly 60.
    expect(lines[0]).toMatch(/^oomctl top - \d\d:\d\d:\d\d, every 1s, kernel 6\.18\.44-fc-v657/);
    expect(lines[0]).toHaveLength(60);
    tmux('send-keys', '-t', 'top', 'q');
    expect(await waitFor((x) => x.includes('EXIT='), 'the exit')).toContain('EXIT=0');
  });

  it('restores the terminal on Ctrl-C', async () => {
    start();
    await waitFor((x) => x.includes('next victim'), 'the first frame');
    tmux('send-keys', '-t', 'top', 'C-c');
    const s = await waitFor((x) => x.includes('EXIT='), 'the exit');
    expect(s).toContain('EXIT=0');
    expect(flags()).toBe('0 1');
  });
});
