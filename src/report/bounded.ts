// Reading the files wo's reports are made of (a timings file, a shard's report.json, last-output.json)
// when they may come from anywhere (SPEC §9: inputs of any size and kind): regular files only, read
// without waiting, and never more than a bound, so a FIFO, a device or a huge file is a message.
// Not fsutil's readUntrusted: that one ignores what a worker left (with a note); these are the
// user's own inputs, so a bad one is an error naming it (exit 2), and a link the user made is followed.
import { isAbsent, NotRegularFile, openRegular } from '../fsutil.js';
import { UsageError } from '../errors.js';

/** How much of a timings file wo reads: far above any plan's (one short line per worker). */
export const TIMINGS_MAX_BYTES = 16 * 1024 * 1024;
/** How much of a report.json or last-output.json wo reads: far above any run's. */
export const REPORT_MAX_BYTES = 64 * 1024 * 1024;

const mb = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;

/**
 * The text of `path`, or undefined when it does not exist. A path that is not a regular file, or is
 * larger than `maxBytes`, is a usage error naming it and `fix`.
 */
export async function readBoundedText(
  path: string,
  maxBytes: number,
  fix: string,
): Promise<string | undefined> {
  let fh;
  try {
    fh = await openRegular(path);
  } catch (e) {
    if (e instanceof NotRegularFile) throw new UsageError(`${path} is ${e.kind}, not a regular file; ${fix}`);
    if (isAbsent(e)) return undefined;
    if ((e as NodeJS.ErrnoException).code === 'EISDIR')
      throw new UsageError(`${path} is a folder, not a regular file; ${fix}`);
    throw e;
  }
  try {
    const { size } = await fh.stat();
    if (size > maxBytes)
      throw new UsageError(`${path} is ${mb(size)}, more than the ${mb(maxBytes)} wo reads; ${fix}`);
    // Read at most one byte past the bound: a file that grew since stat is refused the same way.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(size, 64 * 1024)));
    let used = 0;
    for (;;) {
      if (used === buf.length) break;
      const { bytesRead } = await fh.read(buf, used, buf.length - used, used);
      if (bytesRead === 0) break;
      used += bytesRead;
    }
    if (used > maxBytes) throw new UsageError(`${path} is more than the ${mb(maxBytes)} wo reads; ${fix}`);
    return buf.subarray(0, used).toString('utf8');
  } finally {
    await fh.close();
  }
}
