// wo logs <feature> [-f] [--raw]: print a worker's .worker.log; -f keeps printing as it grows, until
// the worker has finished and its session is gone, or Ctrl-C. On a terminal the log is shown as the
// pane showed it, line by line without escapes (an interactive agent's bytes would hide the cursor,
// set the title, and make the terminal type answers into the prompt); --raw and a pipe get the bytes.
import { watch, type FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { NotRegularFile, openRegular } from '../fsutil.js';
import { StringDecoder } from 'node:string_decoder';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { assertFeatureName, findWorkers, readView } from '../worker/inspect.js';
import { FILES, protocolPaths } from '../protocol/protocol.js';
import { openCommandWorkspace } from './settings.js';
import { screenLine } from '../escapes.js';

export interface LogsOptions {
  follow?: boolean;
  /** The log's bytes as written, escape sequences and all, also on a terminal. */
  raw?: boolean;
}

/** Session checks while following: soon after the status file changes, then backing off to this. */
const MAX_POLL_MS = 1000;
const MIN_POLL_MS = 25;
const CHUNK = 64 * 1024;

export async function logsCommand(ctx: Context, feature: string, opts: LogsOptions = {}) {
  assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: Boolean(opts.follow) });
  return showLogs(ctx, ws, feature, opts);
}

export async function showLogs(
  ctx: Context,
  ws: Workspace,
  feature: string,
  opts: LogsOptions,
): Promise<number> {
  const loc = ws.locate(feature);
  const path = protocolPaths(loc.worktree).log;
  let fh: FileHandle;
  try {
    // A FIFO in the log's place must not block wo logs; a link is not followed (SPEC §9).
    fh = await openRegular(path, { noFollow: true });
  } catch (e) {
    if (e instanceof NotRegularFile) throw new UsageError(`${path} is ${e.kind}, not a log file.`);
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new UsageError(`${path} is a link, not a log file: wo does not follow a worker's log elsewhere.`);
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR')
      throw e;
    const [v] = await findWorkers(ws, { feature, record: false });
    const { lastReported } = await import('../run/history.js');
    const last = v ? undefined : await lastReported(ws.repoRoot, feature);
    const hint = v
      ? `worker ${feature} (${v.status}) has not written a log yet`
      : last
        ? `worker ${feature} was ${last.outcome} in run ${last.runId ?? '?'} of ${last.plan}${last.reason ? ` (${last.reason})` : ''} and never ran, so it has no log`
        : `there is no worker ${feature}; start one with wo spawn ${feature} "<task>" --create`;
    throw new UsageError(`no log at ${path}: ${hint}.`);
  }
  const decoder = new StringDecoder('utf8');
  const print = opts.raw || !ctx.io.isTTY ? (text: string) => ctx.io.out(text) : screenLines(ctx);
  const copy = async (from: number): Promise<number> => {
    const buf = Buffer.alloc(CHUNK);
    let pos = from;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) return pos;
      print(decoder.write(buf.subarray(0, bytesRead)));
      pos += bytesRead;
    }
  };
  try {
    const pos = await copy(0);
    if (!opts.follow) return ExitCode.ok;
    return await follow(ctx, ws, feature, fh, pos, copy);
  } finally {
    print(`${decoder.end()}`, true);
    await fh.close();
  }
}

/**
 * A printer that shows each whole line as the terminal showed it (escapes.ts's screenLine). A line is
 * held until its newline, so that an escape sequence or a carriage return split across two reads is
 * still seen whole; `end` prints what is left.
 */
function screenLines(ctx: Context): (text: string, end?: boolean) => void {
  let held = '';
  return (text, end = false) => {
    held += text;
    const cut = end ? held.length : held.lastIndexOf('\n') + 1;
    if (cut <= 0) return;
    const whole = held.slice(0, cut);
    held = held.slice(cut);
    const lines = whole.split('\n');
    const last = lines.pop()!; // after the final newline: empty, or the unfinished line at the end
    let out = lines.map((l) => `${screenLine(l)}\n`).join('');
    if (last) out += screenLine(last);
    if (out) ctx.io.out(out);
  };
}

function follow(
  ctx: Context,
  ws: Workspace,
  feature: string,
  fh: FileHandle,
  start: number,
  copy: (from: number) => Promise<number>,
): Promise<number> {
  ctx.trapInterrupts = true; // Ctrl-C ends the follow cleanly (exit 130), it does not kill wo mid-write
  const loc = ws.locate(feature);
  let pos = start;
  let delay = MIN_POLL_MS;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let finished = false;

  return new Promise<number>((resolve) => {
    const serial = (job: () => Promise<void>) => {
      // A failed copy is tried again by the next pump; the chain must go on to resolve the exit code.
      chain = chain.then(job).catch(() => undefined);
    };
    const pump = async () => {
      const { size } = await fh.stat();
      if (size < pos) pos = 0; // the log was truncated or replaced: start over
      if (size > pos) pos = await copy(pos);
    };
    const stop = (code: number) => {
      if (finished) return;
      finished = true;
      watcher?.close();
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      serial(pump); // whatever was written last
      serial(() => Promise.resolve(resolve(code)));
    };
    const onAbort = () => stop(ExitCode.interrupted);
    // Ended: the session is gone (or its pane exited) and the status is final or the session was lost.
    const check = async () => {
      if (finished) return;
      await pump();
      const v = await readView(ws, feature, await ws.tmux.listSessions(), []);
      if (!v.sessionAlive && v.status !== 'running') stop(ExitCode.ok);
    };
    const schedule = () => {
      clearTimeout(timer);
      if (finished) return;
      timer = setTimeout(() => {
        delay = Math.min(delay * 2, MAX_POLL_MS);
        serial(check);
        serial(() => Promise.resolve(schedule()));
      }, delay);
    };

    if (ctx.signal.aborted) return stop(ExitCode.interrupted);
    ctx.signal.addEventListener('abort', onAbort);
    try {
      // The folder, not the file: it also sees the status file, which is replaced by rename.
      watcher = watch(loc.worktree, { persistent: true }, (_event, name) => {
        if (finished) return;
        if (name === FILES.log) serial(pump);
        else if (name === null || name === FILES.status) {
          delay = MIN_POLL_MS;
          schedule();
        }
      });
      watcher.on('error', () => undefined); // the polling below still ends the follow
    } catch {
      // no watch available: the polling below still prints and ends
    }
    serial(check);
    schedule();
  });
}
