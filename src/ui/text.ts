// Text hygiene for terminal views and worker output: strip escape sequences and control
// characters, keep one line, clip.

const SEQUENCES = [
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, // OSC: window titles, hyperlinks
  /\x1b[P^_X][^\x1b]*(?:\x1b\\)?/g, // DCS, PM, APC, SOS
  /\x1b\[[0-?]*[ -/]*[@-~]/g, // CSI: colours, cursor movement, erase
  /\x1b[ -/]*[0-~]/g, // two-byte and charset escapes
  /\x1b/g, // an escape cut short
];
// Every C0 control but tab and newline, DEL, and the C1 controls (0x9b is a CSI on some terminals).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Removes every escape sequence (and an escape cut short); control characters stay. */
export function stripEscapes(text: string): string {
  let s = text;
  for (const re of SEQUENCES) s = s.replace(re, '');
  return s;
}

/** Removes every escape sequence and control character (keeps newlines and tabs). */
export function stripControl(text: string): string {
  return stripEscapes(text).replace(CONTROL, '');
}

/** One clean line: controls removed, line breaks joined with ` / `, runs of space collapsed, clipped. */
export function oneLine(text: string, max = 200): string {
  const flat = stripControl(text)
    .split(/\r?\n|\r/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' / ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Local wall-clock time, `12:00:01`. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Quotes one argument for display the way sh would read it back: single quotes when needed. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
