// Logs without a release line: the event is ranked only under rules that
// every kernel able to print it shares, never under one era picked from a
// layout that several eras print (docs/kernel-model.md).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeOomEvent, modelsForRange, releaseRangeOf } from '../../src/kernel/oom-event.js';
import { parseKernelLog, type OomEvent } from '../../src/parse/kernel-log/parser.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs');
const first = (f: string): OomEvent => parseKernelLog(readFileSync(path.join(DIR, f), 'utf8')).events[0] as OomEvent;
const spans = (columns: string[], constraint: boolean): string[] =>
  modelsForRange(releaseRangeOf(columns, constraint)).map((m) => `${m.era}/${m.tieRule}`);

describe('the rules a layout allows', () => {
  it.each([
    [['pid', 'rss', 'rss_anon', 'rss_file', 'rss_shmem', 'pgtables_bytes'], true, ['v5.9+/last-scanned']],
    [['pid', 'rss', 'nr_ptes', 'nr_pmds', 'swapents'], false, ['v3.14-v4.16/first-scanned']],
    [['pid', 'rss', 'pgtables_bytes', 'swapents'], true, ['v4.17-v5.8/first-scanned', 'v4.17-v5.8/last-scanned', 'v5.9+/last-scanned']],
    [['pid', 'rss', 'pgtables_bytes', 'swapents'], false, ['v3.14-v4.16/first-scanned', 'v4.17-v5.8/first-scanned', 'v4.17-v5.8/last-scanned', 'v5.9+/last-scanned']],
    [['pid', 'rss', 'nr_ptes', 'swapents'], false, ['v2.6.36-v3.4/first-scanned', 'v3.5-v3.13/first-scanned', 'v3.14-v4.16/first-scanned']],
  ])('%j (constraint line: %s) -> %j', (columns, constraint, expected) => {
    expect(spans(columns, constraint)).toEqual(expected);
  });
});

describe('analyzeOomEvent without a release line', () => {
  it('ranks under the rules the layout pins when it pins one span (rss_anon: v5.9+)', () => {
    const ev = first('machine-6.18-memcg-v1.dmesg.log');
    expect(ev.table?.columns).toContain('rss_anon');
    const withRelease = analyzeOomEvent(ev);
    const a = analyzeOomEvent({ ...ev, kernel_release: null });
    expect(a?.modelBasis).toBe('table-layout');
    expect(a?.model.era).toBe('v5.9+');
    expect(a?.ranked.map((r) => r.task.pid)).toEqual(withRelease?.ranked.map((r) => r.task.pid));
  });

  it('gives no ranking when the eras the layout spans would rank a tie differently', () => {
    const ev = first('machine-6.18-memcg-v1.dmesg.log');
    const table = ev.table;
    expect(table).toBeDefined();
    if (!table) throw new Error('no table');
    // two tasks of equal memory in a pgtables_bytes layout (4.15 and later): before v5.3 the first
    // scanned wins the tie, from v5.3 the last; a layout printed by both cannot say which
    const row = { ...(table.rows[0] as NonNullable<typeof table.rows[0]>), rss_anon_pages: null, rss_file_pages: null, rss_shmem_pages: null, rss_pages: 1000 };
    const tied: OomEvent = {
      ...ev, kernel_release: null,
      table: { ...table, columns: ['pid', 'uid', 'tgid', 'total_vm', 'rss', 'pgtables_bytes', 'swapents', 'oom_score_adj', 'name'], rows: [{ ...row, pid: 101 }, { ...row, pid: 102 }] },
    };
    expect(analyzeOomEvent(tied)).toBeUndefined();
    // the same tie with the release line known is ranked (6.18: the last scanned, pid 102)
    expect(analyzeOomEvent({ ...tied, kernel_release: '6.18.0' })?.rankOne?.task.pid).toBe(102);
  });
});
