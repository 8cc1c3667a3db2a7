// `top --once` with a row limit, in rank order, reads /proc/PID/stat only
// where a tie of equal badness decides a shown rank (commands/prediction.ts
// resolveTies). Checked against the full read (--json, every row) on the
// captured tree, and on a copy of it where two tied processes have their
// start times swapped: as after a pid wrap, the lower pid started later, so
// pid order would give the wrong rank.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliJson } from '../helpers/run-cli.js';

const ROOT = path.join(FIXTURES, 'vm-6.18-scenario');

/** PIDs of the table rows in human output, in printed order, with their ranks. */
function shownRows(args: string[]): { rank: number; pid: number }[] {
  const r = runCli(['top', '--once', ...args]);
  expect(r.status).toBe(0);
  return r.stdout.split('\n')
    .filter((l) => /^\s*\d+\s+\d+\s/.test(l))
    .map((l) => { const [rank, pid] = l.trim().split(/\s+/); return { rank: Number(rank), pid: Number(pid) }; });
}

function setStartTime(root: string, pid: number, ticks: number): void {
  const file = path.join(root, 'proc', String(pid), 'stat');
  const text = readFileSync(file, 'utf8');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  rest[19] = String(ticks); // field 22, starttime
  writeFileSync(file, text.slice(0, close + 2) + rest.join(' '));
}

describe('top --once -n N reads stat only for ties', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'oomctl-lean-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('shows the same ranks as the full read on the captured tree', () => {
    const full = runCliJson<{ processes: { rank: number; pid: number }[] }>(['top', '--root', ROOT]).processes;
    for (const n of [1, 5, 18, 19, 40]) {
      const lean = shownRows(['--root', ROOT, '-n', String(n)]);
      expect(lean).toEqual(full.slice(0, n).map((p) => ({ rank: p.rank, pid: p.pid })));
    }
  });

  it('orders a tie by start time, not pid, when the tie is shown', () => {
    const root = path.join(tmp, 'wrapped');
    cpSync(ROOT, root, { recursive: true });
    // 4676 and 3572 both have badness 268 (ranks 18 and 19); make 3572 the later one.
    setStartTime(root, 3572, 43993);
    setStartTime(root, 4676, 41479);
    const full = runCliJson<{ processes: { rank: number; pid: number; start_time_ticks: number }[] }>(['top', '--root', root]).processes;
    expect(full.slice(17, 19).map((p) => p.pid)).toEqual([3572, 4676]);
    expect(shownRows(['--root', root, '-n', '18']).at(-1)).toEqual({ rank: 18, pid: 3572 });
    expect(shownRows(['--root', root, '-n', '19']).slice(17)).toEqual([{ rank: 18, pid: 3572 }, { rank: 19, pid: 4676 }]);
    // JSON with a limit prints the start time of each shown row, read from stat.
    const limited = runCliJson<{ processes: { pid: number; start_time_ticks: number }[] }>(['top', '--root', root, '-n', '19']).processes;
    expect(limited.map((p) => p.start_time_ticks)).toEqual(full.slice(0, 19).map((p) => p.start_time_ticks));
    expect(limited.every((p) => Number.isInteger(p.start_time_ticks))).toBe(true);
  });
});
