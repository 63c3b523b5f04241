// Text for terminal views: one clean, clipped line; a clock time; an argument quoted as sh reads it.
import { stripControl } from '../escapes.js';

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
