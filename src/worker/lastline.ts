// The last thing a worker printed, for `wo status`: read only the log's tail, strip terminal
// control sequences, and measure text in terminal columns.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FILES } from './protocol.js';
import { stripControl, stripEscapes } from '../ui/text.js';

/** How much of a log's end is read. A status line never needs more, whatever the log's size. */
export const TAIL_BYTES = 8192;

/** The last `bytes` of a file as text, or undefined when it does not exist. */
export async function readTail(
  path: string,
  bytes = TAIL_BYTES,
): Promise<{ text: string; fromStart: boolean } | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), fromStart: start === 0 };
  } finally {
    await fh.close();
  }
}

/** Removes escape sequences and control characters; what a carriage return overwrote is dropped. */
export function cleanLine(line: string): string {
  let s = stripEscapes(line).replace(/\r+$/, '');
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1); // a progress bar redrawn in place: keep its last state
  return stripControl(s.replace(/\t/g, ' ')).trim();
}

/** wo's own lines in a worker's log (start headers, exit markers): not the worker's output. */
export const WO_LINE = /^\[wo\] /;

/**
 * The last non-empty line the worker printed in a log's tail (the first, possibly partial, line is
 * skipped unless whole; wo's own `[wo] …` lines are skipped).
 */
export function lastLine(tail: { text: string; fromStart: boolean }): string | undefined {
  const lines = tail.text.split('\n');
  const first = tail.fromStart ? 0 : 1;
  for (let i = lines.length - 1; i >= first; i--) {
    const clean = cleanLine(lines[i] ?? '');
    if (clean && !WO_LINE.test(clean)) return clean;
  }
  return undefined;
}

/** The last non-empty output line of a log file, reading its tail only. */
export async function lastOutput(logPath: string): Promise<string | undefined> {
  const tail = await readTail(logPath);
  return tail && lastLine(tail);
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f);
}

function charWidth(cp: number): number {
  return isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
}

/** Columns a (control-free) string takes in a terminal: CJK and emoji count 2. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cuts `s` to at most `width` columns, ending with `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Pads `s` with spaces to `width` columns. */
export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** The last non-empty output line of the worker in `worktree` (its `.worker.log`), reading its tail only. */
export async function lastOutputLine(worktree: string): Promise<string | undefined> {
  return lastOutput(join(worktree, FILES.log));
}
