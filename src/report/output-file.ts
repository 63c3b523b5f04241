// Writing a file the user names (`--junit`, $GITHUB_STEP_SUMMARY, the report folder's files) when
// the path may already be something else than a regular file (SPEC §9): `/dev/stdout`, a FIFO a
// reader waits on, a link. Those are written in place, never replaced by a regular file, and never
// waited on forever: a FIFO without a reader is refused, a reader that stops reading is given up on.
import { constants } from 'node:fs';
import { appendFile, lstat, open, realpath, stat } from 'node:fs/promises';
import { fileKind, isAbsent, writeFileAtomic } from '../fsutil.js';

/** How long a write to a FIFO or device may wait for its reader to take the text. */
export const IN_PLACE_DEADLINE_MS = 30_000;
/** How long to wait before trying again a write the reader is not ready for. */
const RETRY_MS = 20;

/** What the path is now: nothing, a regular file, a link to one (followed), or something else. */
async function kindOf(path: string): Promise<'none' | 'file' | { link: string } | 'special'> {
  const l = await lstat(path).catch((e: unknown) => {
    if (isAbsent(e)) return undefined;
    throw e;
  });
  if (!l) return 'none';
  if (l.isFile()) return 'file';
  if (l.isDirectory()) throw new Error(`${path} is a folder: name a file`);
  if (!l.isSymbolicLink()) return 'special';
  // A link to nothing (stat fails): made by someone else, not ours to replace or to follow.
  const target = await stat(path).catch(() => undefined);
  if (!target) throw new Error(`${path} is a link to nothing: remove it or name another file`);
  if (target.isDirectory()) throw new Error(`${path} is a link to a folder: name a file`);
  return target.isFile() ? { link: await realpath(path) } : 'special';
}

/**
 * Writes `data` at `path` without ever waiting on a reader that does not come: opened non-blocking
 * (no reader on a FIFO: ENXIO, said as such), each write that finds the reader's buffer full tried
 * again shortly, until `deadlineMs`.
 */
async function writeSpecial(path: string, data: string, append: boolean, deadlineMs: number): Promise<void> {
  let fh;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK | (append ? constants.O_APPEND : 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') {
      const kind = await stat(path).then(fileKind, () => 'a special file');
      throw new Error(
        kind === 'a FIFO'
          ? `${path} is a FIFO that nothing reads: start its reader first, or name a regular file`
          : `${path} is ${kind} wo cannot open for writing: name a regular file`,
        { cause: e },
      );
    }
    throw e;
  }
  try {
    const kind = fileKind(await fh.stat());
    const buf = Buffer.from(data);
    const until = Date.now() + deadlineMs;
    for (let off = 0; off < buf.length;) {
      try {
        off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() > until)
          throw new Error(
            `${path} is ${kind} whose reader took nothing for ${Math.round(deadlineMs / 1000)}s: ${off} of ${buf.length} bytes written`,
            { cause: e },
          );
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  } finally {
    await fh.close();
  }
}

const OWN_STREAMS: Record<string, () => NodeJS.WriteStream> = {
  '/dev/stdout': () => process.stdout,
  '/dev/stderr': () => process.stderr,
};

function writeStream(stream: NodeJS.WriteStream, data: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
}

/** Writes a whole output file: a regular file (or none yet) atomically, anything else in place. */
export async function writeOutputFile(
  path: string,
  data: string,
  deadlineMs = IN_PLACE_DEADLINE_MS,
): Promise<void> {
  // wo's own output streams: written through them, in order with what wo printed there, whatever
  // they are (a socket behind /proc/self/fd cannot be opened again; a file there is not replaced).
  const own = OWN_STREAMS[path];
  if (own) return writeStream(own(), data);
  const kind = await kindOf(path);
  if (kind === 'none' || kind === 'file') return writeFileAtomic(path, data);
  // A link to a regular file stays a link: its target is rewritten.
  if (typeof kind === 'object') return writeFileAtomic(kind.link, data);
  return writeSpecial(path, data, false, deadlineMs);
}

/**
 * Adds to an output file ($GITHUB_STEP_SUMMARY): `text(size)` is given how many bytes the file
 * holds already (0 for a FIFO or device, which hold none).
 */
export async function appendOutputFile(
  path: string,
  text: (size: number) => string,
  deadlineMs = IN_PLACE_DEADLINE_MS,
): Promise<void> {
  const own = OWN_STREAMS[path];
  if (own) return writeStream(own(), text(0));
  const kind = await kindOf(path);
  if (kind === 'special') return writeSpecial(path, text(0), true, deadlineMs);
  const file = typeof kind === 'object' ? kind.link : path;
  const size = kind === 'none' ? 0 : (await stat(file)).size;
  await appendFile(file, text(size));
}
