// What happens between plan and write, which the built binary cannot be made
// to interleave: these call the command directly on a copy of the captured
// tree, and change the tree inside the confirmation callback, i.e. after the
// plan and before the first write.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTune, type TuneOptions } from '../../src/core/tune.js';
import type { CommandContext } from '../../src/core/context.js';
import { PartialError, NotFoundError, PermissionError } from '../../src/errors.js';
import { writeOomScoreAdj } from '../../src/system/oom-adj-writer.js';
import { SystemRoot } from '../../src/system/root.js';
import { copyFixture } from '../helpers/run-cli.js';
import { skipNow, skipWith } from '../helpers/skip.js';

const REAL = 30848;
const FAKE = 30849;

let dir: string;
beforeEach(() => {
  dir = copyFixture('tuning/root', 'oomctl-midway-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ctx(): CommandContext {
  return { root: new SystemRoot(dir), env: {}, stdoutIsTTY: true, stdinIsTTY: true, rows: 24, columns: 80, warn: () => undefined };
}
function opts(ask: TuneOptions['ask']): TuneOptions {
  return {
    verb: 'protect', value: -15, force: false, dryRun: false, yes: false, persist: false, selfPid: 1, ask,
    query: { target: 'mysqld', exact: false, regex: undefined, user: undefined, exe: undefined, unit: undefined, cgroup: undefined, allMatches: true },
  };
}
const adjOf = (pid: number): string => readFileSync(path.join(dir, `proc/${pid}/oom_score_adj`), 'utf8').trim();

describe('a process that exits between plan and write', () => {
  it('is reported, the others still change, and the error is PARTIAL', async () => {
    const result = await runTune(ctx(), opts(async () => {
      rmSync(path.join(dir, `proc/${FAKE}`), { recursive: true });
      return true;
    }));
    expect(result.processes.find((p) => p.target.pid === FAKE)?.status).toBe('exited');
    expect(result.processes.find((p) => p.target.pid === REAL)?.status).toBe('changed');
    expect(adjOf(REAL)).toBe('-15');
    expect(result.error).toBeInstanceOf(PartialError);
    expect(result.error?.exitCode).toBe(5);
  });

  it('a pid reused by another process (new start time) is not written', async () => {
    const statFile = path.join(dir, `proc/${REAL}/stat`);
    const result = await runTune(ctx(), opts(async () => {
      const fields = readFileSync(statFile, 'utf8').split(' ');
      fields[21] = String(Number(fields[21]) + 1); // field 22: starttime
      writeFileSync(statFile, fields.join(' '));
      rmSync(path.join(dir, `proc/${FAKE}`), { recursive: true });
      return true;
    }));
    expect(result.processes.map((p) => p.status).sort()).toEqual(['exited', 'pid-reused']);
    expect(adjOf(REAL)).toBe('0');
    expect(result.error).toBeInstanceOf(NotFoundError);
  });

  it('a "no" at the prompt changes nothing', async () => {
    await expect(runTune(ctx(), opts(async () => false))).rejects.toThrow(/cancelled/);
    expect([adjOf(REAL), adjOf(FAKE)]).toEqual(['0', '0']);
  });
});

describe('the kernel refusing the only write needed', () => {
  // An immutable file (chattr +i) refuses every open for writing with EPERM, root's too: the
  // stand-in for the kernel's EACCES on a fixture tree, whose oom_score_adj files are plain files.
  const CHATTR = spawnSync('chattr', ['--help']).error === undefined;

  it('exits 4 as apply does, though another match already had the value (issue 15: it was 5)', skipWith(!CHATTR ? 'chattr is not installed (Debian package e2fsprogs)' : process.getuid?.() !== 0 ? 'chattr +i needs root' : undefined), async (t) => {
    writeFileSync(path.join(dir, `proc/${REAL}/oom_score_adj`), '-15\n');
    const fake = path.join(dir, `proc/${FAKE}/oom_score_adj`);
    const immutable = spawnSync('chattr', ['+i', fake], { encoding: 'utf8' });
    skipNow(t, immutable.status === 0 ? undefined : `chattr +i does not work under ${dir}: ${immutable.stderr.trim()}`);
    try {
      const result = await runTune(ctx(), opts(async () => true));
      expect(result.processes.map((p) => [p.target.pid, p.status])).toEqual(expect.arrayContaining([[REAL, 'unchanged'], [FAKE, 'denied']]));
      expect(result.error).toBeInstanceOf(PermissionError);
      expect(result.error?.exitCode).toBe(4);
      expect(result.error?.message).toMatch(new RegExp(`^cannot set oom_score_adj of pid ${FAKE} \\(mysqld\\) from 0 to -15: `));
      expect(adjOf(FAKE)).toBe('0');
    } finally {
      spawnSync('chattr', ['-i', fake]);
    }
  });
});

describe('writeOomScoreAdj', () => {
  it('checks the start time before writing', () => {
    const root = new SystemRoot(dir);
    const stat = readFileSync(path.join(dir, `proc/${REAL}/stat`), 'utf8');
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    expect(writeOomScoreAdj(root, REAL, start + 1, -3)).toEqual({ kind: 'gone', reused: true });
    expect(adjOf(REAL)).toBe('0');
    expect(writeOomScoreAdj(root, REAL, start, -3)).toEqual({ kind: 'written' });
    expect(adjOf(REAL)).toBe('-3');
    expect(writeOomScoreAdj(root, 424242, start, -3)).toEqual({ kind: 'gone', reused: false });
  });
});
