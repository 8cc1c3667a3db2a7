// The post-mortem ranking, recomputed from real task tables.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeOomEvent } from '../../src/kernel/oom-event.js';
import { parseKernelLog, type OomEvent } from '../../src/parse/kernel-log/parser.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
const first = (f: string): OomEvent => parseKernelLog(readFileSync(path.join(DIR, f), 'utf8')).events[0] as OomEvent;

describe('analyzeOomEvent', () => {
  it('RHEL 7 (3.10): mysqld is rank 1 and the recomputed score is the one the kernel printed', () => {
    const ev = first('oomanalyser-rhel7-3.10.log');
    const a = analyzeOomEvent(ev);
    expect(a).toBeDefined();
    if (!a) throw new Error('no analysis');
    expect(a.model.era).toBe('v3.5-v3.13');
    expect(a.pageSize).toBe(4096);
    expect(a.pageSizeBasis).toBe('total_vm');
    // Mem-Info: 8379834 pages RAM - 192987 reserved + 8388604 kB swap / 4 kB
    expect(a.totalpages).toBe(8379834n - 192987n + 2097151n);
    expect(a.victimRank).toBe(1);
    expect(a.rankOne?.task.pid).toBe(6576);
    // "Kill process 6576 (mysqld) score 651"
    expect(a.victimScore).toBe(ev.selected?.score);
    // mysqld: rss 5157063 + swapents 1527848 + nr_ptes 15483 pages
    expect(a.ranked[0]?.badness.points).toBe(5157063n + 1527848n + 15483n);
    // java: 2716569 + 226225 + 6505
    expect(a.marginPages).toBe(5157063n + 1527848n + 15483n - (2716569n + 226225n + 6505n));
    expect(a.mismatch).toBeNull();
    // no adj short of -1000 brings 26 GB below java's 11 GB with 1 point = 10283 pages? it does: check the bound holds
    expect(a.adjToSpare).not.toBeNull();
    const unit = a.totalpages / 1000n;
    const victimMem = 5157063n + 1527848n + 15483n;
    const javaMem = 2716569n + 226225n + 6505n;
    expect(victimMem + BigInt(a.adjToSpare as number) * unit < javaMem).toBe(true);
    expect(victimMem + BigInt((a.adjToSpare as number) + 1) * unit < javaMem).toBe(false);
  });

  it('this machine (6.18, memcg v1): the only task, ranked against the 64 MiB limit', () => {
    const a = analyzeOomEvent(first('machine-6.18-memcg-v1.dmesg.log'));
    expect(a?.model.era).toBe('v5.9+');
    expect(a?.totalpages).toBe(16384n);
    expect(a?.victimRank).toBe(1);
    expect(a?.ranked).toHaveLength(1);
    // rss_anon 16315 + rss_file 882 + pgtables 192512 B / 4096
    expect(a?.ranked[0]?.badness.points).toBe(16315n + 882n + 47n);
    expect(a?.adjToSpare).toBeNull();
  });

  it('Ubuntu 5.13: the victim beat the runner-up by 558 pages; adj -2 would have spared it', () => {
    const a = analyzeOomEvent(first('oomanalyser-ubuntu-5.13.log'));
    expect(a?.victimRank).toBe(1);
    expect(a?.ranked[1]?.task.pid).toBe(608);
    expect(a?.marginPages).toBe(558n);
    expect(a?.adjToSpare).toBe(-2);
    // -1000 tasks are listed as unkillable, not ranked
    expect(a?.ranked.find((r) => r.task.pid === 356)?.rank).toBeNull();
  });

  it('without task rows there is nothing to rank', () => {
    const ev = first('emqx-356-2.6.32-excerpt.log');
    ev.table = { columns: ['pid', 'uid', 'tgid', 'total_vm', 'rss', 'nr_ptes', 'swapents', 'oom_score_adj', 'name'], rows: [], truncated: false };
    expect(analyzeOomEvent(ev)).toBeUndefined();
  });

  it('flags a victim missing from the table', () => {
    const ev = first('oomanalyser-ubuntu-5.13.log');
    if (ev.table) ev.table.rows = ev.table.rows.filter((r) => r.pid !== 651);
    const a = analyzeOomEvent(ev);
    expect(a?.mismatch?.reason).toBe('victim-not-in-table');
    if (ev.table) ev.table.truncated = true;
    expect(analyzeOomEvent(ev)?.mismatch?.reason).toBe('table-truncated');
  });

  it('flags oom_kill_allocating_task and a sacrificed child', () => {
    const ev = first('oomanalyser-ubuntu-5.13.log');
    ev.kill_path = 'allocating-task';
    if (ev.victim) ev.victim.pid = 877; // the printed "bash" row, not rank 1
    expect(analyzeOomEvent(ev)?.mismatch?.reason).toBe('allocating-task');
    ev.kill_path = 'global';
    ev.selected = { pid: 651, comm: 'unattended-upgr', score: 10 };
    expect(analyzeOomEvent(ev)?.mismatch?.reason).toBe('child-sacrificed');
  });
});
