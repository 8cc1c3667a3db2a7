// The one oom_score_adj write path (src/core/adj-write.ts, core/confirm.ts):
// the plan is shown before the question; a dry run refuses what the kernel
// would refuse; a risky dry run says the real run needs --yes.

import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dryRunAdjDenial, predictAdjDenial, refuseUnkillable } from '../../src/core/adj-write.js';
import { dryRunConfirmNote } from '../../src/core/confirm.js';
import type { CommandContext } from '../../src/core/context.js';
import { runTune, type TuneOptions } from '../../src/core/tune.js';
import { RefusedError } from '../../src/errors.js';
import { SystemRoot } from '../../src/system/root.js';
import { copyFixture } from '../helpers/run-cli.js';

const target = { pid: 42, starttime: 1, comm: 'python3', uid: 1000 };
const rootNoCap = { uid: 0, capSysResource: false };
const rootCap = { uid: 0, capSysResource: true };
const user = { uid: 1000, capSysResource: false };

describe('what the kernel refuses (fs/proc/base.c __set_oom_adj)', () => {
  it.each([
    ['root without CAP_SYS_RESOURCE lowering below 0', rootNoCap, 0, -500, true],
    ['root without CAP_SYS_RESOURCE raising', rootNoCap, 0, 500, false],
    ['root without CAP_SYS_RESOURCE back down to 0 from 300', rootNoCap, 300, 0, false],
    ['root with CAP_SYS_RESOURCE lowering', rootCap, 0, -500, false],
    ['the owner raising its own process', user, 0, 200, false],
    ['another user', { uid: 1001, capSysResource: false }, 0, 200, true],
  ])('%s', (_what, self, from, to, refused) => {
    expect(predictAdjDenial(self, target, from, to) !== undefined).toBe(refused);
  });

  it('a dry run on the host ends with the permission error the real run gets (exit 4); under a fixture root it does not', () => {
    const items = [{ target, from: 0, to: -500 }, { target: { ...target, pid: 43 }, from: 0, to: -500 }];
    const host = new SystemRoot('/');
    const e = dryRunAdjDenial(host, items, rootNoCap);
    expect(e?.exitCode).toBe(4);
    expect(e?.message).toBe('would be refused: cannot set oom_score_adj of pid 42 (python3) from 0 to -500 (and 1 more): root without CAP_SYS_RESOURCE (as in a default container): the kernel lets only that capability lower oom_score_adj below the floor the process inherited (oom_score_adj_min)');
    expect(dryRunAdjDenial(host, items, rootCap)).toBeUndefined();
    expect(dryRunAdjDenial(new SystemRoot('/tmp'), items, rootNoCap)).toBeUndefined();
  });

  it('refuses -1000 without --force, once, for every command', () => {
    expect(() => refuseUnkillable(-1000, false, 'oom_score_adj -1000')).toThrow(RefusedError);
    expect(() => refuseUnkillable(-1000, true, 'oom_score_adj -1000')).not.toThrow();
    expect(() => refuseUnkillable(-999, false, 'oom_score_adj -1000')).not.toThrow();
    expect(() => refuseUnkillable(-1000, false, '--adj -1000')).toThrow(/makes the command unkillable/);
  });

  it('a risky dry run without a terminal says the real run needs --yes', () => {
    const p = { risky: true, reason: '2 processes would change', yes: false, stdinIsTTY: false, stdoutIsTTY: false };
    expect(dryRunConfirmNote(p)).toBe('the real run needs --yes: 2 processes would change (no terminal to ask on)');
    expect(dryRunConfirmNote({ ...p, yes: true })).toBeUndefined();
    expect(dryRunConfirmNote({ ...p, stdinIsTTY: true, stdoutIsTTY: true })).toBeUndefined();
    expect(dryRunConfirmNote({ ...p, risky: false })).toBeUndefined();
  });
});

describe('confirmation is never blind', () => {
  let dir: string;
  beforeEach(() => { dir = copyFixture('tuning/root', 'oomctl-shape-confirm-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('protect NAME --all-matches on a terminal lists every process before it asks', async () => {
    const lines: string[] = [];
    const ctx: CommandContext = { root: new SystemRoot(dir), env: {}, stdoutIsTTY: true, stdinIsTTY: true, rows: 24, columns: 80, warn: (m) => lines.push(m) };
    const opts: TuneOptions = {
      verb: 'protect', value: -100, force: false, dryRun: false, yes: false, persist: false, selfPid: 1,
      ask: async (q) => { lines.push(`ASK ${q}`); return false; },
      query: { target: 'mysqld', exact: false, regex: undefined, user: undefined, exe: undefined, unit: undefined, cgroup: undefined, allMatches: true },
    };
    await expect(runTune(ctx, opts)).rejects.toThrow('cancelled: nothing was changed');
    const ask = lines.findIndex((l) => l.startsWith('ASK '));
    expect(ask).toBeGreaterThan(0);
    const shown = lines.slice(0, ask).filter((l) => l.startsWith('will set pid '));
    // both mysqld processes (the real one and the other user's) are named, with their change
    expect(shown.sort()).toEqual(['will set pid 30848 (mysqld): oom_score_adj 0 → -100', 'will set pid 30849 (mysqld): oom_score_adj 0 → -100']);
    expect(lines[ask]).toBe('ASK oomctl: 2 processes would change. Go ahead?');
  });
});
