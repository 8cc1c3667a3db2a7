// cli-table3 without borders or colour of its own: output looks like ps.

import Table from 'cli-table3';

export type Align = 'left' | 'right';

export function renderPlainTable(head: string[], rows: string[][], align: Align[]): string {
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
