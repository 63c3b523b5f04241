// The last thing a worker printed, for `wo status` and results: read only the log's tail and strip
// terminal control sequences (measuring it in columns is the views' business: ui/width.ts).
import { readUntrusted } from '../fsutil.js';
import { join } from 'node:path';
import { FILES } from './protocol.js';
import { screenLine } from '../escapes.js';

/** How much of a log's end is read. A status line never needs more, whatever the log's size. */
export const TAIL_BYTES = 8192;

/**
 * The last `bytes` of a file as text, or undefined when it does not exist or is refused (a FIFO or
 * a link in the log's place: a link's target is never read, SPEC §9).
 */
export async function readTail(
  path: string,
  bytes = TAIL_BYTES,
): Promise<{ text: string; fromStart: boolean } | undefined> {
  const t = await readUntrusted(path, { max: bytes, end: 'tail' });
  return t && { text: t.text, fromStart: t.fromStart };
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

/** The line the session wrapper prints once its agent has exited (scripts/wo-worker.sh). */
export const EXITED_LINE = /^\[wo\] the agent exited with code \d+\b/;

/** Whether the tail shows the wrapper's exit line since the worker's latest start. */
export function showsExit(tail: { text: string; fromStart: boolean }): boolean {
  return sinceLatestStart(tail).some((line) => EXITED_LINE.test(cleanLine(line)));
}

/** How long readEndedTail waits for the exit line: past it, the log is read as it is. */
export const EXIT_LINE_WAIT_MS = 1000;

/**
 * The tail of the log of a worker whose agent has exited, once its last lines are in it. tmux
 * writes the log (pipe-pane) a moment after the pane prints, so the exit record can come before the
 * wrapper's exit line reaches the log: the reader waits for that line, with file reads only (the
 * wrapper used to wait for it with a `tail | grep` per worker). Past `waitMs`, the tail as it is.
 */
export async function readEndedTail(
  path: string,
  bytes = TAIL_BYTES,
  waitMs = EXIT_LINE_WAIT_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<{ text: string; fromStart: boolean } | undefined> {
  let waited = 0;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const tail = await readTail(path, bytes);
    if (tail === undefined || showsExit(tail) || waited >= waitMs) return tail;
    await sleep(pause);
    waited += pause;
  }
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
