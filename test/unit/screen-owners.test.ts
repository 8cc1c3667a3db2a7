// The live screen's owners: the OWNER column (read for the rows on screen),
// key o (owners by unit, container, pod, then back), escaped names.

import path from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/core/context.js';
import { arrangeSections, computeChanges, fillOwners, INITIAL_STATE, NO_OOM_TRACK, rankIndex, reduceKey, takeSnapshot, type LiveState } from '../../src/core/top-live.js';
import { buildFrame, layoutFrame, visibleRows, type FrameInput } from '../../src/render/screen.js';
import { SystemRoot } from '../../src/system/root.js';
import { FIXTURES } from '../helpers/run-cli.js';
import { emptyOwner } from '../../src/parse/owner.js';

const plain = new Chalk({ level: 0 });
const at = new Date('2026-11-25T23:50:00Z');
const ctxOf = (name: string): CommandContext => ({ root: new SystemRoot(path.join(FIXTURES, name)), env: {}, stdoutIsTTY: false, stdinIsTTY: false, rows: undefined, columns: undefined, warn: () => {} });

function input(ctx: CommandContext, state: LiveState): FrameInput {
  const snapshot = takeSnapshot(ctx, state.view, at, state.by);
  return {
    snapshot, state, sections: arrangeSections(snapshot.prediction, state), changes: computeChanges(undefined, rankIndex(snapshot.prediction)),
    oom: NO_OOM_TRACK, delay: 3, limit: undefined, clock: () => '00:00:00',
  };
}

describe('live screen owners', () => {
  it('o cycles unit, container, pod, then processes; each asks for a refresh', () => {
    const o = { name: 'char', ch: 'o' } as const;
    let s: LiveState = INITIAL_STATE;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const out = reduceKey(s, o, 10);
      expect(out.action).toBe('refresh');
      s = out.state;
      seen.push(s.view === 'owners' ? s.by : s.view);
    }
    expect(seen).toEqual(['unit', 'container', 'pod', 'processes']);
  });

  it('the owners view ranks pods; the process view reads owners for the rows on screen only', () => {
    const ctx = ctxOf('owners-k8s-cgroupfs-v1');
    const byPod = input(ctx, { ...INITIAL_STATE, view: 'owners', by: 'pod' });
    const lines = buildFrame(byPod, { columns: 160, rows: 20 }, plain);
    expect(lines.join('\n')).toContain('by pod');
    expect(lines.find((l) => /^ +1 +1 +\S+ +6101 +java/.test(l))).toMatch(/pod jobs\/batch-worker-7d9f8 \(besteffort\) worker$/);
    const inp = input(ctx, INITIAL_STATE);
    const layout = layoutFrame(inp, { columns: 160, rows: 11 });
    const shown = visibleRows(layout);
    fillOwners(ctx, inp.snapshot, shown);
    expect([...inp.snapshot.rowOwners.keys()].sort()).toEqual(shown.map((r) => r.ranked.task.pid).sort());
    expect(shown.length).toBe(1);
    expect(inp.snapshot.prediction.ranked.length).toBe(6);
    const frame = buildFrame(inp, { columns: 160, rows: 11 }, plain, layout);
    expect(frame.find((l) => /^>\s+1\s+6101\s/.test(l))).toMatch(/pod jobs\/batch-worker-7d9f8…$/);
    // At 80 columns OWNER is the first column to go.
    expect(buildFrame(inp, { columns: 80, rows: 8 }, plain).join('\n')).not.toContain('OWNER');
  });

  it('escapes a hostile owner name', () => {
    const ctx = ctxOf('owners-k8s-cgroupfs-v1');
    const inp = input(ctx, INITIAL_STATE);
    const pid = inp.sections[0]?.rows[0]?.ranked.task.pid as number;
    inp.snapshot.rowOwners.set(pid, { owner: { ...emptyOwner(), kind: 'unit', unit: 'x\u001b[2Jy.service' }, cgroup: null, podCgroup: null, userManager: null });
    const text = buildFrame(inp, { columns: 200, rows: 12 }, plain).join('\n');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('unit x\\x1b[2Jy.service');
  });
});
