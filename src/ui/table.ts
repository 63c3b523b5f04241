// Plain-text tables with box-drawing separators (`A │ B`), columns aligned by terminal width.
import { displayWidth, padColumns, truncate } from './width.js';

export interface TableOptions {
  /** Total width the rows may take; the last column is cut to fit. Undefined: no limit. */
  maxWidth?: number;
  /** Colours a cell after it has been padded (so escape codes never upset the alignment). */
  paint?: (text: string, column: number, row: number) => string;
}

const SEP = ' │ ';

/** Renders a header, a rule and the rows; every line ends with a newline. */
export function renderTable(header: string[], rows: string[][], options: TableOptions = {}): string {
  const n = header.length;
  const widths = header.map((h, c) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))),
  );
  if (options.maxWidth !== undefined && n > 0) {
    const before = widths.slice(0, -1).reduce((a, b) => a + b, 0) + SEP.length * (n - 1);
    // The last column always keeps a few columns, even in a very narrow terminal.
    widths[n - 1] = Math.min(widths[n - 1] ?? 0, Math.max(12, options.maxWidth - before));
  }
  const line = (cells: string[], row: number) =>
    cells
      .map((cell, c) => {
        const width = widths[c] ?? 0;
        const cut = truncate(cell, width);
        const text = c === n - 1 ? cut : padColumns(cut, width);
        return options.paint && row >= 0 ? options.paint(text, c, row) : text;
      })
      .join(SEP)
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(header, -1), rule, ...rows.map((r, i) => line(r, i))].map((l) => `${l}\n`).join('');
}
