// Column alignment without cli-table3 for `top` and the live screen: top's
// start-up is measured against a bare `node -e 0`, and loading cli-table3
// (and string-width behind it) cost ~12 ms of a ~100 ms run. Cells are plain
// text (already escaped); colour is applied to whole lines afterwards.

export type Align = 'left' | 'right';

/** East Asian wide and fullwidth ranges (2 columns), the common ones. */
function isWide(c: number): boolean {
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3)
    || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)
    || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
}

/** Combining marks take no column of their own. */
function isZeroWidth(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || c === 0x200b || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f);
}

/** Terminal columns a plain (escape-free) string takes. */
export function displayWidth(text: string): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x300) { w++; continue; }
    const cp = text.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    w += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
  }
  return w;
}

/** Cuts a plain string to at most `width` columns (no half wide characters). */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = displayWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out;
}

/** Cuts a plain string to at most `width` columns, its last column an ellipsis when anything was cut. */
export function truncateWithEllipsis(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  return width <= 0 ? '' : truncateToWidth(text, width - 1) + '…';
}

/**
 * The columns (indices) of a fixed-width table that fit in `columns`, giving
 * up whole columns in `dropOrder` (never cutting a cell: a number cut in half
 * reads as another number). Two spaces between columns, as alignRow() puts.
 */
export function fitColumns(widths: readonly number[], dropOrder: readonly number[], columns: number | undefined): number[] {
  const kept = widths.map((_, i) => i);
  if (columns === undefined) return kept;
  const total = (): number => kept.reduce((sum, i) => sum + (widths[i] ?? 0), 0) + 2 * (kept.length - 1);
  for (const d of dropOrder) {
    if (total() <= columns) break;
    kept.splice(kept.indexOf(d), 1);
  }
  return kept;
}

export function padCell(text: string, width: number, align: Align): string {
  const pad = width - displayWidth(text);
  if (pad <= 0) return text;
  return align === 'right' ? ' '.repeat(pad) + text : text + ' '.repeat(pad);
}

/** Widths that fit the header and every cell. */
export function columnWidths(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = head.map((h) => displayWidth(h));
  for (const r of rows) {
    r.forEach((cell, i) => {
      const w = displayWidth(cell);
      if (w > (widths[i] ?? 0)) widths[i] = w;
    });
  }
  return widths;
}

/** One line per row, columns two spaces apart, like ps; no trailing blanks. */
export function alignRow(cells: readonly string[], widths: readonly number[], align: readonly Align[]): string {
  let line = '';
  cells.forEach((cell, i) => {
    if (i > 0) line += '  ';
    line += padCell(cell, widths[i] ?? 0, align[i] ?? 'left');
  });
  return line.trimEnd();
}
