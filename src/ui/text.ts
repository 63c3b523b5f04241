// Text for terminal views: one clean, clipped line; a clock time.
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
