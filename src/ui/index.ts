// Chooses the progress view for `wo run`: the live task list on a terminal, plain lines in CI and pipes.
import { processOutput, type Output } from '../context.js';
import { createLiveView } from './live.js';
import { createPlainView } from './plain.js';
import type { RenderTarget } from './stream.js';
import type { LastLine, ProgressView } from './types.js';

export type { LastLine, ProgressView } from './types.js';
export { createPlainView } from './plain.js';
export { createLiveView } from './live.js';

export interface ProgressOptions {
  io: Output;
  env: NodeJS.ProcessEnv;
  lastLine?: LastLine;
  /** Progress on stderr instead of stdout (when stdout carries `--json`). */
  toStderr?: boolean;
  /** Whether the progress stream is a terminal; by default asked of that stream. */
  isTTY?: boolean;
  now?: () => number;
  /** A rehearsal (SPEC §12): the view says so. */
  rehearsal?: boolean;
}

const set = (v: string | undefined): boolean => v !== undefined && v !== '';

/**
 * Plain when the stream is not a terminal, `CI` is set, TERM=dumb (no cursor movement), or
 * the terminal reports no width; live otherwise. Colour is off when NO_COLOR is set (any non-empty value); the plain view
 * never has any.
 */
export function createProgress(opts: ProgressOptions): ProgressView {
  const { io, env } = opts;
  const toStderr = opts.toStderr === true;
  const write = toStderr ? (t: string) => io.err(t) : (t: string) => io.out(t);
  const real = io === processOutput;
  const realStream = toStderr ? process.stderr : process.stdout;
  // Output.isTTY/columns describe stdout; for stderr ask process.stderr when io is the real one.
  const isTTY = opts.isTTY ?? (real && toStderr ? Boolean(process.stderr.isTTY) : io.isTTY);
  // A pty without a window size reports 0 columns; listr2 (which reads process.stdout.columns)
  // would then truncate every title to nothing, so such a terminal gets plain lines too.
  const width = real ? realStream.columns : io.columns;
  const noWidth = width === 0 || (real && process.stdout.isTTY === true && process.stdout.columns === 0);
  if (!isTTY || noWidth || set(env.CI) || env.TERM === 'dumb')
    return createPlainView({ write, now: opts.now, rehearsal: opts.rehearsal });

  // listr2 only ever sees the adapter around this target, so it never hijacks process.stdout/stderr.
  const target: RenderTarget = real
    ? {
        write: realStream.write.bind(realStream),
        get columns() {
          return realStream.columns;
        },
        get rows() {
          return realStream.rows;
        },
      }
    : { write, columns: io.columns };
  return createLiveView({
    target,
    color: !set(env.NO_COLOR),
    lastLine: opts.lastLine,
    now: opts.now,
    rehearsal: opts.rehearsal,
  });
}
