// The one stripper of terminal escape sequences and control characters, for everything wo shows
// or keeps of a program's output (status lines, results, progress views). Node's
// util.stripVTControlCharacters is not enough: it leaves DCS/APC payloads, colon-separated colours
// (`\x1b[38:2:…m`) and an escape cut short at the end of a log's tail.

const SEQUENCES = [
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, // OSC: window titles, hyperlinks (also one cut short)
  /\x1b[P^_X][^\x1b]*(?:\x1b\\)?/g, // DCS, PM, APC, SOS
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*(?:[@-~]|$)/g, // CSI (7- or 8-bit): colours, cursor movement, erase; or cut short
  /\x1b[ -/]*[0-~]/g, // two-byte and charset escapes
  /\x1b/g, // an escape cut short
];
// Select Graphic Rendition: colours and text styles only.
const SGR = /\x1b\[[0-9;:]*m/g;
// Every C0 control but tab and newline, DEL, and the C1 controls.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

// Cursor forward (CUF, `ESC [ n C`): terminal programs (Claude Code's, for one) move over blanks
// instead of printing spaces; removed bare, `Unable to connect` would read `Unabletoconnect`.
const CURSOR_FORWARD = /(?:\x1b\[|\x9b)(\d*)C/g;

/** Removes every escape sequence (and an escape cut short); a cursor move forward becomes its spaces. */
export function stripEscapes(text: string): string {
  let s = text.replace(CURSOR_FORWARD, (_, n: string) => ' '.repeat(Math.min(Number(n || '1'), 500)));
  for (const re of SEQUENCES) s = s.replace(re, '');
  return s;
}

/**
 * One line as the terminal showed it: escape sequences and control characters removed, what a
 * carriage return overwrote dropped, trailing space trimmed (leading space, an indent, is kept).
 */
export function screenLine(line: string): string {
  let s = stripEscapes(line).replace(/\r+$/, '');
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1); // a progress bar redrawn in place: keep its last state
  return stripControl(s.replace(/\t/g, ' ')).trimEnd();
}

/** A program's output as the terminal showed it, line by line (see screenLine). */
export function screenText(text: string): string {
  return text.split('\n').map(screenLine).join('\n');
}

/** Removes every escape sequence and control character (keeps newlines and tabs). */
export function stripControl(text: string): string {
  return stripEscapes(text).replace(CONTROL, '');
}

/** Removes colours and text styles (SGR) only: cursor movement stays (a live view needs it). */
export function stripColor(text: string): string {
  return text.replace(SGR, '');
}
