// The temporary files killed writers leave are swept by the next write: only a dead pid's, and
// only when older than STALE_TEMP_MS (a live writer in another pid namespace keeps its own).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, writeFileAtomic } from '../../src/system/atomic-write.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A pid that runs nowhere: above the kernel's pid_max. */
function deadPid(): number {
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let p = max + 1; ; p++) if (!existsSync(`/proc/${p}`)) return p;
}

describe('writeFileAtomic sweeps stale temporary files', () => {
  it('removes an old temp of a dead pid; keeps a fresh one, a live pid\'s, and other names', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-w-fixes2-sweep-'));
    dirs.push(dir);
    const dead = deadPid();
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    const name = (pid: number): string => `.60-oomctl.conf.oomctl-${pid}.tmp`;
    for (const n of [name(dead), name(1), '.other.conf.oomctl-' + dead + '.tmp', 'keep.tmp']) {
      writeFileSync(path.join(dir, n), 'x');
      utimesSync(path.join(dir, n), old, old);
    }
    writeFileSync(path.join(dir, name(dead + 1)), 'fresh'); // a dead pid, but written just now
    writeFileAtomic(path.join(dir, '60-oomctl.conf'), 'kernel.panic = 10\n');
    expect(readdirSync(dir).sort()).toEqual([name(dead + 1), '.other.conf.oomctl-' + dead + '.tmp', name(1), '60-oomctl.conf', 'keep.tmp'].sort());
  });

  it('an unchanged file is not written, and nothing is swept', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oomctl-w-fixes2-sweep-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'f.conf'), 'same\n');
    const stale = path.join(dir, `.f.conf.oomctl-${deadPid()}.tmp`);
    writeFileSync(stale, 'x');
    utimesSync(stale, 0, 0);
    expect(writeFileAtomic(path.join(dir, 'f.conf'), 'same\n')).toBe('unchanged');
    expect(existsSync(stale)).toBe(true);
  });
});
