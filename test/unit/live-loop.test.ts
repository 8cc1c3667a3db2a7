// runLiveTop with a fake terminal: keys drive it, and the terminal is closed
// on quit, on a signal and on an error.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/core/context.js';
import { runLiveTop, type LiveOptions } from '../../src/core/top-live.js';
import type { TerminalHandlers } from '../../src/system/terminal.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-live-'));
  dirs.push(dir);
  cpSync(path.join(FIXTURES, 'live-top'), dir, { recursive: true });
  const ctx: CommandContext = { root: new SystemRoot(dir), env: {}, stdoutIsTTY: true, stdinIsTTY: true, rows: 30, columns: 100, warn: () => {} };
  const frames: string[][] = [];
  let handlers: TerminalHandlers | undefined;
  let closed = 0;
  const io = {
    open: (h: TerminalHandlers) => {
      handlers = h;
      return { size: () => ({ columns: 100, rows: 30 }), draw: (l: readonly string[]) => { frames.push([...l]); }, close: () => { closed++; } };
    },
    chalk: new Chalk({ level: 0 }), clock: () => '12:00:00', now: () => new Date(0),
  };
  const opts: LiveOptions = { delay: 60, iterations: undefined, limit: undefined, user: undefined, sort: 'score' };
  return { dir, ctx, io, opts, frames, keys: (s: string) => handlers?.onData(s), h: () => handlers as TerminalHandlers, closed: () => closed };
}

describe('runLiveTop', () => {
  it('draws, sorts on a key, and closes the terminal on q', async () => {
    const t = setup();
    const done = runLiveTop(t.ctx, t.opts, t.io);
    expect(t.frames).toHaveLength(1);
    t.keys('p');
    expect(t.frames[1]?.[0]).toContain('sort pid');
    t.keys('q');
    await expect(done).resolves.toEqual({ signal: undefined });
    expect(t.closed()).toBe(1);
  });

  it('stops after --iterations refreshes', async () => {
    const t = setup();
    const done = runLiveTop(t.ctx, { ...t.opts, iterations: 2 }, t.io);
    t.keys(' ');
    await expect(done).resolves.toEqual({ signal: undefined });
    expect(t.frames).toHaveLength(2);
    expect(t.closed()).toBe(1);
  });

  it('reports the signal that ended it', async () => {
    const t = setup();
    const done = runLiveTop(t.ctx, t.opts, t.io);
    t.h().onSignal('SIGTERM');
    await expect(done).resolves.toEqual({ signal: 'SIGTERM' });
    expect(t.closed()).toBe(1);
  });

  it('closes the terminal before an error propagates', async () => {
    const t = setup();
    const done = runLiveTop(t.ctx, t.opts, t.io);
    rmSync(path.join(t.dir, 'proc/meminfo'));
    t.keys(' ');
    await expect(done).rejects.toThrow(/cannot read .*proc\/meminfo/);
    expect(t.closed()).toBe(1);
  });
});
