// The last lines each worker printed, as its terminal wrote them (colours kept), for report.html; and
// last-output.json beside report.json, so that `wo report merge` has them for the shards it joins.
import { join } from 'node:path';
import { readBoundedText, REPORT_MAX_BYTES } from './bounded.js';
import { screenLine } from '../escapes.js';
import { FILES } from '../protocol/protocol.js';
import { readTail, START_LINE, WO_LINE } from '../protocol/lastline.js';
import { isObject, type RunReport } from './types.js';

/** How many lines of each worker's output the page shows. */
export const LAST_OUTPUT_LINES = 40;
export const LAST_OUTPUT_FILE = 'last-output.json';

/**
 * The last `n` lines of a log's tail since the worker's latest start, raw (escape sequences kept for
 * ansiToHtml); wo's own `[wo] …` lines and trailing blank lines left out. Undefined when none.
 */
export function rawLastLines(
  tail: { text: string; fromStart: boolean },
  n = LAST_OUTPUT_LINES,
): string | undefined {
  let lines = tail.text.split('\n').slice(tail.fromStart ? 0 : 1);
  for (let i = lines.length - 1; i >= 0; i--)
    if (START_LINE.test(screenLine(lines[i]!))) {
      lines = lines.slice(i + 1);
      break;
    }
  const mine = lines.filter((l) => !WO_LINE.test(screenLine(l)));
  while (mine.length && screenLine(mine[mine.length - 1]!) === '') mine.pop();
  while (mine.length && screenLine(mine[0]!) === '') mine.shift();
  const out = mine.slice(-n);
  return out.length ? out.join('\n') : undefined;
}

/** Each worker of this run's last output, read from its worktree's log (a worker that never ran has none). */
export async function readLastOutputs(report: Pick<RunReport, 'workers'>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const w of report.workers) {
    if (w.from_run !== null || w.attempts === 0 || !w.worktree) continue;
    // A log gone with its worktree (or unreadable) only leaves out that worker's last output.
    const tail = await readTail(join(w.worktree, FILES.log)).catch(() => undefined);
    const text = tail && rawLastLines(tail);
    if (text) out.set(w.feature, text);
  }
  return out;
}

/** last-output.json as written beside a report. */
export function renderLastOutputs(outputs: ReadonlyMap<string, string>): string {
  return `${JSON.stringify({ version: 1, workers: Object.fromEntries(outputs) }, null, 2)}\n`;
}

/** A report folder's last-output.json; empty when it has none or it cannot be read (it only adds to the page). */
export async function readLastOutputFile(dir: string): Promise<Map<string, string>> {
  // Unreadable, not a regular file or too large: it only adds to the page (see above).
  const text = await readBoundedText(join(dir, LAST_OUTPUT_FILE), REPORT_MAX_BYTES, '').catch(
    () => undefined,
  );
  if (text === undefined) return new Map();
  try {
    const data = JSON.parse(text) as unknown;
    if (!isObject(data) || !isObject(data.workers)) return new Map();
    return new Map(
      Object.entries(data.workers).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    // Broken JSON: it only adds to the page.
    return new Map();
  }
}
