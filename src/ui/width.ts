// Text measured in terminal columns (string-width: East Asian wide characters and emoji take two,
// combining marks and zero-width joiners none), cut and padded without splitting a character.
import stringWidth from 'string-width';

/** Columns a control-free string takes in a terminal: `로그인` 6, `🚀` 2, `👩‍💻` 2. */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

let segmenter: Intl.Segmenter | undefined;

/** Cuts `s` to at most `width` columns, ending with `…` when something was cut; never inside a grapheme. */
export function truncate(s: string, width: number): string {
  if (stringWidth(s) <= width) return s;
  if (width <= 0) return '';
  segmenter ??= new Intl.Segmenter();
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(s)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Pads `s` with spaces to `width` terminal columns (String.prototype.padEnd counts UTF-16 units). */
export function padColumns(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - stringWidth(s)));
}
