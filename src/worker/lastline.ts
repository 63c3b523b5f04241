// The last thing a worker printed, for `wo status` and results: read only the log's tail and strip
// terminal control sequences (measuring it in columns is the views' business: ui/width.ts).
import { NotRegularFile, openRegular } from '../fsutil.js';
import { join } from 'node:path';
import { FILES } from './protocol.js';
import { screenLine } from '../escapes.js';

/** How much of a log's end is read. A status line never needs more, whatever the log's size. */
export const TAIL_BYTES = 8192;

/** The last `bytes` of a file as text, or undefined when it does not exist. */
export async function readTail(
  path: string,
  bytes = TAIL_BYTES,
): Promise<{ text: string; fromStart: boolean } | undefined> {
  let fh;
  try {
    fh = await openRegular(path); // a FIFO in the log's place must not block the reader
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof NotRegularFile) return undefined;
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

export { screenLine };

/** Removes escape sequences and control characters; what a carriage return overwrote is dropped. */
export function cleanLine(line: string): string {
  return screenLine(line).trim();
}

/** wo's own lines in a worker's log (start headers, exit markers): not the worker's output. */
export const WO_LINE = /^\[wo\] /;

/** The header launch.ts writes at each start: `[wo] <ISO time> <session> started…`. */
export const START_LINE = /^\[wo\] \d{4}-\d\d-\d\dT\S+ \S+ started\b/;

/**
 * The tail's lines since the worker's latest start (the log is appended by every start, and what
 * an earlier start printed is not this one's output); the first, possibly partial, line is left out
 * unless the tail is the whole file.
 */
function sinceLatestStart(tail: { text: string; fromStart: boolean }): string[] {
  const lines = tail.text.split('\n').slice(tail.fromStart ? 0 : 1);
  for (let i = lines.length - 1; i >= 0; i--) if (START_LINE.test(lines[i]!)) return lines.slice(i + 1);
  return lines;
}

/**
 * The last non-empty line the worker printed in a log's tail since its latest start (the first,
 * possibly partial, line is skipped unless whole; wo's own `[wo] …` lines are skipped).
 */
export function lastLine(tail: { text: string; fromStart: boolean }): string | undefined {
  const lines = sinceLatestStart(tail);
  for (let i = lines.length - 1; i >= 0; i--) {
    const clean = cleanLine(lines[i] ?? '');
    if (clean && !WO_LINE.test(clean)) return clean;
  }
  return undefined;
}

/**
 * The worker's last `n` lines in a log's tail since its latest start, as the terminal showed them:
 * wo's own `[wo] …` lines and trailing blank lines left out (blank lines between output lines kept).
 */
export function lastLines(tail: { text: string; fromStart: boolean }, n: number): string[] {
  const out: string[] = [];
  let blanks = 0;
  for (const raw of sinceLatestStart(tail)) {
    const line = screenLine(raw);
    if (WO_LINE.test(line)) continue;
    if (line.trim() === '') {
      blanks++;
      continue;
    }
    if (out.length > 0) for (; blanks > 0; blanks--) out.push('');
    blanks = 0;
    out.push(line);
  }
  return out.slice(-n);
}

/** The last non-empty output line of a log file, reading its tail only. */
export async function lastOutput(logPath: string): Promise<string | undefined> {
  const tail = await readTail(logPath);
  return tail && lastLine(tail);
}

/** The last non-empty output line of the worker in `worktree` (its `.worker.log`), reading its tail only. */
export async function lastOutputLine(worktree: string): Promise<string | undefined> {
  return lastOutput(join(worktree, FILES.log));
}
