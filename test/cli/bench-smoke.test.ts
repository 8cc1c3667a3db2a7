// A light run of `npm run bench` (20 processes, 3 runs, no 3,000/10,000
// stage): it prints medians and ratios, and leaves no process behind.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';

function inGroup(pgid: number): number {
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[2]) === pgid) n++;
    } catch { /* exited */ }
  }
  return n;
}

describe('scripts/bench-top.mjs --quick', () => {
  it('times oomctl against ps and node, then removes its processes', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/bench-top.mjs'), '--quick'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/oomctl --version\s+median\s+[\d.]+ ms/);
    expect(r.stdout).toMatch(/oomctl top --once\s+median\s+[\d.]+ ms .*\d\.\d\dx ps -eo pid,comm,oom,oomadj --sort=-oom/);
    expect(r.stdout).toMatch(/oomctl top --once --json\s+median\s+[\d.]+ ms .*\d\.\d\dx ps/);
    expect(r.stdout).toMatch(/oomctl top --once = \d+\.\d\dx node -e 0/);
    const m = /20 processes started \(process group (\d+);/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(inGroup(Number(m?.[1]))).toBe(0);
  });
});
