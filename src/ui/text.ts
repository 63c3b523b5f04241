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

/**
 * What a first Ctrl-C of `wo run` says (SPEC §4): no new worker starts, those running go on and a
 * second Ctrl-C ends them; a worker waiting for its rate limit's reset (until a time after `now`)
 * ends at once instead, and is named apart.
 */
export function drainNotice(
  live: Iterable<string>,
  pausedUntil: ReadonlyMap<string, number>,
  now: number,
): string {
  const all = [...live];
  const paused = all.filter((f) => (pausedUntil.get(f) ?? 0) > now);
  const running = all.filter((f) => !paused.includes(f));
  const waiting = paused.length
    ? ` Waiting for a rate limit's reset, so not run again: ${paused.join(', ')}.`
    : '';
  return `\nwo: Ctrl-C: no more workers start; ${running.length} still running (${running.join(', ') || 'none'}), and the run waits for them. Press Ctrl-C again to end them.${waiting}\n`;
}

/** `login ⚠ conflicts with signup in src/auth.ts`: the conflict radar's line (SPEC §10). */
export function radarText(c: { feature: string; with: string; files: readonly string[] }): string {
  return `${c.feature} ⚠ conflicts with ${c.with} in ${c.files.join(', ')}`;
}
