// Small file-system helpers shared by the protocol, metadata and report writers.
//
// The files wo writes are small (a status word, a result, a JSON record), so writing is done with
// synchronous calls behind a promise: one system call each, where the promise-based API sends every
// open, write and close through the thread pool and back. Reads of a worker's files are synchronous
// too, for the same reason (docs/performance.md): they are bounded, and they open only regular files,
// without waiting (openUntrusted), so no read can hold the runner on a FIFO or a device.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes a file whole: a temporary file beside it, then rename, so readers never see half of it. */
// Synchronous writes on purpose (no interleaving between temporary file and rename); async so that a
// failure reaches the caller as a rejection like every other write.
// eslint-disable-next-line @typescript-eslint/require-await
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    try {
      writeFileSync(tmp, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true }); // the folder is missing: make it, once
      writeFileSync(tmp, data);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    throw e;
  }
}

/** True for the errors that mean "nothing is there": the path, or a folder on its way, is missing. */
export function isAbsent(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A file-system call's result, or undefined when the path is not there (ENOENT, ENOTDIR). Any other
 * error (a permission, a full disk) is rethrown: it is a fault, not an absence.
 */
export function ifExists<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((e: unknown) => {
    if (isAbsent(e)) return undefined;
    throw e;
  });
}

/** What a path that is not a regular file is, for messages: `a FIFO`, `a folder`. */
export function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a device or other special file';
}

/** Thrown by openRegular for a path that exists but is not a regular file. */
export class NotRegularFile extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
  }
}

/**
 * Opens a regular file for reading, never waiting: opening a FIFO without O_NONBLOCK blocks until a
 * writer comes, holding one of libuv's few threads, and then even process.exit waits for it (SPEC §9:
 * nothing hangs). Anything else than a regular file is a NotRegularFile error. With `noFollow`, a
 * link in the file's place is not followed either (ELOOP): a worker's log may not lead elsewhere.
 */
export async function openRegular(path: string, o: { noFollow?: boolean } = {}): Promise<FileHandle> {
  const fh = await open(
    path,
    constants.O_RDONLY | constants.O_NONBLOCK | (o.noFollow ? constants.O_NOFOLLOW : 0),
  );
  const st = await fh.stat().catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (!st.isFile()) {
    await fh.close();
    throw new NotRegularFile(path, fileKind(st));
  }
  return fh;
}

/**
 * Reads a text file, or undefined when it does not exist. A path that is not a regular file (a FIFO
 * a worker put in place of its status file, a folder) counts as missing: reading it could block.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await openRegular(path);
  } catch (e) {
    if (e instanceof NotRegularFile) return undefined;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw e;
  }
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading what a worker can reach (SPEC §9 "the agent is untrusted"): its protocol files, its
// agent's hooks and events, a transcript a hook names, the run lock, its `.worktree.json`. One way:
// regular files only, opened without waiting; no link followed unless it stays inside the folders
// given; a bounded read (a large file's head, or its tail where the tail is what matters). What is
// refused is noted, for the run to say; it is never waited on and never read whole.

/** Why a path a worker could reach was not read, for a note: `/x/hooks.jsonl is a FIFO, not a regular file`. */
export class Refused extends Error {
  readonly code = 'EREFUSED';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
  }
}

/** The notes of paths refused since the last take, one per path and reason. */
const refusedNotes = new Map<string, string>();

/** Takes the notes of what was refused (and forgets them): `ignored /dev/zero: a device …, not a regular file`. */
export function takeRefusedNotes(): string[] {
  const notes = [...refusedNotes.values()];
  refusedNotes.clear();
  return notes;
}

function refuse(path: string, reason: string): undefined {
  const note = `ignored ${path}: ${reason}`;
  refusedNotes.set(note, note);
  return undefined;
}

export interface ReadBounds {
  /** The most bytes read. */
  max: number;
  /** Which end of a larger file is read: its head (default) or its tail (logs, event streams). */
  end?: 'head' | 'tail';
  /**
   * Folders a link may lead into (an agent's own data folder). Without them no link is followed:
   * the file is opened with O_NOFOLLOW, and a link in its place is refused.
   */
  within?: readonly string[];
}

/**
 * A bounded read: the text, and whether it starts at the file's start (a tail's first line may be
 * cut, and its first character too: wholeLines drops that line).
 */
export interface BoundedText {
  text: string;
  fromStart: boolean;
  /** Whether part of the file was left unread (past the head, or before the tail). */
  cut: boolean;
}

const inside = (p: string, root: string): boolean =>
  p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);

/**
 * Opens a file a worker can reach for reading, or undefined when it is absent or refused (noted):
 * not a regular file (a FIFO, a device, a folder, a socket), a link (or, with `within`, a link that
 * leads outside those folders). Other errors (a permission) are thrown: they are faults.
 * O_NONBLOCK: a FIFO's open returns at once (to be refused); O_NOCTTY: a terminal is never taken.
 */
function openUntrusted(
  path: string,
  within?: readonly string[],
): { fd: number; size: number; dev: number; ino: number } | undefined {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (within ? 0 : constants.O_NOFOLLOW),
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') return refuse(path, 'a link, not followed');
    if (code === 'ENXIO') return refuse(path, 'a socket, not a regular file');
    if (code === 'EISDIR') return refuse(path, 'a folder, not a regular file');
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return refuse(path, `${fileKind(st)}, not a regular file`);
    }
    if (within) {
      // The path the opened file has, checked to be that same file (it may have changed meanwhile).
      const real = attempt(() => realpathSync(path));
      // Gone meanwhile: refused below.
      const same = real && attempt(() => statSync(real));
      // A folder that does not exist holds nothing.
      const roots = within.map((r) => attempt(() => realpathSync(r)));
      if (
        !real ||
        !same ||
        same.ino !== st.ino ||
        same.dev !== st.dev ||
        !roots.some((r) => r && inside(real, r))
      ) {
        closeSync(fd);
        return refuse(path, `outside ${within.join(' and ')}, not read`);
      }
    }
    return { fd, size: st.size, dev: st.dev, ino: st.ino };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** `f()`, or undefined when it throws (a path gone or unreadable meanwhile). */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    // The caller's reading: gone or unreadable is no answer.
    return undefined;
  }
}

/** Reads `length` bytes at `position` (fewer when the file is shorter now). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const bytesRead = readSync(fd, buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** A bounded read's text from its first whole line on: a tail's first line may be cut. */
export function wholeLines(t: { text: string; fromStart: boolean }): string {
  if (t.fromStart) return t.text;
  const nl = t.text.indexOf('\n');
  return nl < 0 ? '' : t.text.slice(nl + 1);
}

/**
 * Reads a file a worker can reach, bounded (see openUntrusted for what is refused): its first
 * `max` bytes, or with `end: 'tail'` its last `max` bytes. Undefined when absent or refused.
 */
// Synchronous inside (see the header); a promise, so that a fault reaches the caller as a rejection.
// eslint-disable-next-line @typescript-eslint/require-await
export async function readUntrusted(path: string, bounds: ReadBounds): Promise<BoundedText | undefined> {
  const f = openUntrusted(path, bounds.within);
  if (!f) return undefined;
  try {
    const tail = bounds.end === 'tail';
    const start = tail ? Math.max(0, f.size - bounds.max) : 0;
    const buf = readAt(f.fd, start, Math.min(f.size, bounds.max));
    return { text: buf.toString('utf8'), fromStart: start === 0, cut: f.size > bounds.max };
  } finally {
    closeSync(f.fd);
  }
}

/** readUntrusted's text alone: what a reader of a small file (a status word, a JSON record) wants. */
export async function readUntrustedText(path: string, max: number): Promise<string | undefined> {
  return (await readUntrusted(path, { max }))?.text;
}

interface Followed {
  dev: number;
  ino: number;
  /** How far the file was read. */
  end: number;
  /** The last bytes read, at most `max`. */
  kept: Buffer;
  /** The file's first bytes: a stream rewritten from its start (a retry's) begins otherwise. */
  head: Buffer;
  fromStart: boolean;
}

/** How many bytes at a followed file's start, and before where it was last read, are compared. */
const CHECK_BYTES = 64;

/**
 * Whether a followed file still begins with `head`, and the bytes before `end` are still `last`: it
 * was appended to, not rewritten (a retry's stream written over the last one's, a worker's rewrite).
 * `read` reads `length` bytes at `position`.
 */
function appended(
  read: (position: number, length: number) => Buffer,
  s: { head: Buffer; end: number; last: Buffer },
): boolean {
  return read(0, s.head.length).equals(s.head) && read(s.end - s.last.length, s.last.length).equals(s.last);
}

/**
 * Follows growing files (an agent's event stream, its hooks): each read reads only what was added
 * since the last, and keeps the last `max` bytes (wholeLines gives their whole lines), so a stream of
 * any size costs its new bytes and `max` of memory per file. A file replaced, truncated or rewritten
 * is read afresh (its tail).
 */
export class TailFollower {
  private readonly files = new Map<string, Followed>();
  /** Bytes read so far, over every file: what following costs (docs/performance.md, the tests). */
  bytesRead = 0;
  constructor(private readonly max: number) {}

  // eslint-disable-next-line @typescript-eslint/require-await
  async read(path: string, within?: readonly string[]): Promise<BoundedText | undefined> {
    const f = openUntrusted(path, within);
    if (!f) {
      this.files.delete(path);
      return undefined;
    }
    try {
      let prev = this.files.get(path);
      if (prev && (prev.dev !== f.dev || prev.ino !== f.ino || f.size < prev.end || !this.same(f.fd, prev)))
        prev = undefined;
      const start = Math.max(prev?.end ?? 0, f.size - this.max);
      const fresh = readAt(f.fd, start, f.size - start);
      this.bytesRead += fresh.length;
      const end = start + fresh.length;
      const head =
        prev?.head ?? (start === 0 ? fresh.subarray(0, CHECK_BYTES) : this.at(f.fd, 0, CHECK_BYTES));
      let kept = prev && start === prev.end ? Buffer.concat([prev.kept, fresh]) : fresh;
      let fromStart = prev && start === prev.end ? prev.fromStart : start === 0;
      if (kept.length > this.max) {
        // A copy: a slice would keep the whole joined buffer in memory.
        kept = Buffer.from(kept.subarray(kept.length - this.max));
        fromStart = false;
      }
      this.files.set(path, { dev: f.dev, ino: f.ino, end, kept, fromStart, head: Buffer.from(head) });
      return { text: kept.toString('utf8'), fromStart, cut: !fromStart };
    } finally {
      closeSync(f.fd);
    }
  }

  /** Whether the file was appended to since `prev` (appended), counting what that reads. */
  private same(fd: number, prev: Followed): boolean {
    const n = Math.min(CHECK_BYTES, prev.kept.length, prev.end);
    const last = prev.kept.subarray(prev.kept.length - n);
    return appended((position, length) => this.at(fd, position, length), { ...prev, last });
  }

  private at(fd: number, position: number, length: number): Buffer {
    const b = readAt(fd, position, length);
    this.bytesRead += b.length;
    return b;
  }
}

/**
 * Reads a growing file whole, line by line, with bounded memory: each read hands over the lines
 * completed since the last (`onLine`), and keeps only the unfinished last line. A line longer than
 * `maxLine` is skipped whole; reading stops at `maxBytes` (what follows is not read). A file
 * replaced, truncated or rewritten is read again from its start, after `onRestart`. For a count over
 * a whole stream (a transcript's usage) where a tail would undercount.
 */
export class LineFollower {
  private state:
    | {
        dev: number;
        ino: number;
        end: number;
        head: Buffer;
        last: Buffer;
        partial: Buffer[];
        partialBytes: number;
        skipping: boolean;
      }
    | undefined;

  constructor(
    private readonly o: {
      maxLine: number;
      maxBytes: number;
      onLine: (line: string) => void;
      onRestart: () => void;
    },
  ) {}

  /** Reads what was added; false when the file is absent or refused (see openUntrusted). */
  // eslint-disable-next-line @typescript-eslint/require-await
  async read(path: string, within?: readonly string[]): Promise<boolean> {
    const f = openUntrusted(path, within);
    if (!f) return false;
    try {
      let s = this.state;
      const read = (position: number, length: number) => readAt(f.fd, position, length);
      if (s && (s.dev !== f.dev || s.ino !== f.ino || f.size < s.end || !appended(read, s))) {
        this.o.onRestart();
        s = undefined;
      }
      s ??= {
        dev: f.dev,
        ino: f.ino,
        end: 0,
        head: Buffer.alloc(0),
        last: Buffer.alloc(0),
        partial: [],
        partialBytes: 0,
        skipping: false,
      };
      this.state = s;
      const stop = Math.min(f.size, this.o.maxBytes);
      while (s.end < stop) {
        const chunk = readAt(f.fd, s.end, Math.min(LINE_CHUNK, stop - s.end));
        if (chunk.length === 0) break;
        if (s.end === 0) s.head = Buffer.from(chunk.subarray(0, CHECK_BYTES));
        s.end += chunk.length;
        s.last = Buffer.from(chunk.subarray(Math.max(0, chunk.length - CHECK_BYTES)));
        this.take(s, chunk);
      }
      return true;
    } finally {
      closeSync(f.fd);
    }
  }

  private take(s: NonNullable<LineFollower['state']>, chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      if (!s.skipping && s.partialBytes + nl - from <= this.o.maxLine)
        this.o.onLine(Buffer.concat([...s.partial, chunk.subarray(from, nl)]).toString('utf8'));
      s.partial = [];
      s.partialBytes = 0;
      s.skipping = false;
      from = nl + 1;
    }
    const rest = chunk.length - from;
    if (s.skipping || s.partialBytes + rest > this.o.maxLine) {
      // Too long to be kept: skipped up to its end.
      s.partial = [];
      s.partialBytes = 0;
      s.skipping = true;
    } else if (rest > 0) {
      s.partial.push(Buffer.from(chunk.subarray(from)));
      s.partialBytes += rest;
    }
  }
}

/** How much a LineFollower reads at a time. */
const LINE_CHUNK = 1 << 20;
