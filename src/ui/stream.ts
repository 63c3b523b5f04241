// A write-stream face for any text sink, so listr2 renders where wo says instead of straight to process.stdout.
import { stripColor } from '../escapes.js';

export interface RenderTarget {
  write(text: string): void;
  columns?: number;
  rows?: number;
}

/**
 * Why an adapter and not the real stream: listr2's default renderer writes through
 * log-update to whatever stream its ProcessOutput holds, and it hijacks (replaces `write`
 * on) that stream while rendering. Giving it this object means (1) it renders to an
 * injected Output in tests, (2) `--json` can send it to stderr, and (3) colour codes can be
 * removed for NO_COLOR even though listr2's colorette decided colour from process.env at
 * import time. Cursor movement codes are kept: the live view needs them.
 */
export function renderStream(target: RenderTarget, opts: { stripColor: boolean }): NodeJS.WriteStream {
  const stream = {
    isTTY: true,
    // Why `||`: a pty without a window size (script, some CI runners) reports 0 x 0, and
    // log-update would then cut every line away.
    get columns() {
      return target.columns || 80;
    },
    get rows() {
      return target.rows || 24;
    },
    write(chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean {
      let text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (opts.stripColor) text = stripColor(text);
      target.write(text);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') (done as () => void)();
      return true;
    },
    on() {
      return stream;
    },
    once() {
      return stream;
    },
    off() {
      return stream;
    },
    removeListener() {
      return stream;
    },
  };
  return stream as unknown as NodeJS.WriteStream;
}
