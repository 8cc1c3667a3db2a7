// Plain tables, aligned like ps: cli-table3 without borders or colour of its
// own. Past a few thousand rows cli-table3 overflows the call stack (measured:
// `oomctl events` on a 146,521-event log exited 70), so big tables are aligned
// by render/columns.ts, which gives the same layout for plain-text cells.

import Table from 'cli-table3';
import { alignRow, columnWidths } from './columns.js';

export type Align = 'left' | 'right';

/** Rows above which the linear aligner is used instead of cli-table3. */
export const LARGE_TABLE_ROWS = 2000;

export function renderPlainTable(head: string[], rows: string[][], align: Align[]): string {
  if (rows.length > LARGE_TABLE_ROWS) {
    const widths = columnWidths(head, rows);
    const out: string[] = [alignRow(head, widths, align)];
    for (const r of rows) out.push(alignRow(r, widths, align));
    return out.join('\n');
  }
  const table = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '',
      right: '', 'right-mid': '', middle: ' ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1, compact: true },
    colAligns: align,
  });
  for (const r of rows) table.push(r);
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
